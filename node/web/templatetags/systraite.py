"""Template helpers: code labels in the page's language, capability tests, money."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from node.accounts.roles import Capability, has_capability
from shared.codes import code_list

register = template.Library()


@register.filter
def code(value: str | None, list_name: str) -> str:
    """The label of a code in the current language; the raw code if unknown (never a 500)."""
    if not value:
        return ""
    codes = code_list(list_name)
    return codes.label(value, get_language() or "fr") if value in codes else value


@register.filter
def can(user: Any, capability: str) -> bool:
    return has_capability(getattr(user, "role", ""), Capability(capability))


@register.filter
def fcfa(value: int | None) -> str:
    """12 500 000 (thin grouping, the French way); empty for None."""
    return "" if value is None else f"{value:,}".replace(",", "\u202f")


@register.simple_tag
def jurisdiction() -> str:
    """This node's court, named in the page's language."""
    from django.conf import settings

    return code(settings.SYSTRAITE_JURISDICTION, "court")
