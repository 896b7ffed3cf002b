"""Reads of the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from node.accounts.models import User


def user_list() -> QuerySet[User]:
    """The users of this node's jurisdiction (rows of another node are not shown)."""
    return User.objects.filter(jurisdiction=settings.SYSTRAITE_JURISDICTION).order_by("username")


def user_get(*, user_id: int) -> User | None:
    return user_list().filter(pk=user_id).first()
