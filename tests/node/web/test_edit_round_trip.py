"""Every edit page, saved exactly as it is shown, changes nothing.

The page is read as a browser would (inputs, ticked boxes, selected options,
text areas) and posted back. A field shown differently from how it is read
back (a month as a date, a link as an object, a birth year beside its date,
a box left out) would change or clear the record, and fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from node.accounts.roles import Role
from node.people.models import Survivor
from tests.node import factories
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db


class _PostedForm(HTMLParser):
    """What each form of a page would post, by form, as lists of values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and "name" in a and self.forms:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.forms[-1].setdefault(a["name"], []).append(a.get("value", "on"
                                                                    if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._select_value, self._first_option = a.get("name"), None, None
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1][self._textarea or ""] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            self.forms[-1][self._select] = [value or ""]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1][self._textarea][0] += data


def _shown_form(html: str) -> dict[str, list[str]]:
    """The page's own form: the one with the most fields (not log-out, not language)."""
    parser = _PostedForm()
    parser.feed(html)
    form = max(parser.forms, key=len)
    form.pop("csrfmiddlewaretoken", None)
    return form


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """The record as stored (decrypted), with its multi-valued parts."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    values: dict[str, Any] = {f.attname: getattr(fresh, f.attname)
                              for f in fresh._meta.concrete_fields if f.attname != "updated_at"}
    for name in ("vulnerabilities", "means"):
        if hasattr(fresh, name):
            values[name] = sorted(getattr(fresh, name).values_list("code", flat=True))
    if hasattr(fresh, "survivors") and not isinstance(fresh, Survivor):
        values["survivors"] = sorted(fresh.survivors.values_list("pk", flat=True))
    return values


PAGES: dict[str, Callable[[factories.FullCase], tuple[list[int], models.Model]]] = {
    "case-edit": lambda f: ([f.case.pk], f.case),
    "survivor-edit": lambda f: ([f.case.pk, f.survivor.pk], f.survivor),
    "trafficker-edit": lambda f: ([f.case.pk, f.trafficker.pk], f.trafficker),
    "exploitation-edit": lambda f: ([f.case.pk, f.exploitation.pk], f.exploitation),
    "charge-edit": lambda f: ([f.case.pk, f.charge.pk], f.charge),
    "event-edit": lambda f: ([f.case.pk, f.event.pk], f.event),
    "referral-edit": lambda f: ([f.case.pk, f.referral.pk], f.referral),
}


def test_every_edit_page_is_checked_here() -> None:
    from node.web import urls

    edits = {p.name for p in urls.urlpatterns if p.name and p.name.endswith("-edit")}
    assert edits == set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("filled", [True, False], ids=["every-field-filled", "defaults"])
def test_saving_an_edit_page_unchanged_changes_nothing(
        greffier: Client, name: str, filled: bool) -> None:
    author, _ = make_user(Role.CLERK)
    full = factories.full_case(author, factories.Canaries() if filled else None)
    args, record = PAGES[name](full)
    url = reverse(f"web:{name}", args=args)
    before = _snapshot(record)
    posted = _shown_form(greffier.get(url).content.decode())
    response = greffier.post(url, posted)
    errors = re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert response.status_code == 302, (posted, errors)
    assert _snapshot(record) == before
