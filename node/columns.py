"""Fields and column names of models, for the few statements written by hand.

``Model._meta.get_field`` may return a relation's reverse side, which has no
column; these return a concrete field or fail loudly at the first call.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Model


def concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    """The field ``name`` of ``model`` ("pk": its primary key), which must have a column."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def column(model: type[Model], name: str) -> str:
    """The database column of the field ``name`` of ``model`` ("pk": its primary key)."""
    return str(concrete_field(model, name).column)
