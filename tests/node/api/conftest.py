"""Fixtures of the registry API acceptance tests: routes, staff clients, a seeded case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node import factories
from tests.node.personas import login_client, make_user

API_PREFIX = "api/v1/"
# HEAD and OPTIONS are derived by Django/DRF from the other methods; they are
# checked for anonymous clients separately (test_authorisation_matrix).
DERIVED_METHODS = {"head", "options"}

ROLES = (Role.CLERK, Role.PROSECUTOR, Role.JUDGE, Role.ADMIN, Role.AUDITOR)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]  # upper case, without HEAD and OPTIONS

    @property
    def has_id(self) -> bool:
        return "<" in self.pattern or "(?P<" in self.pattern


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern: URLPattern) -> tuple[str, ...]:
    callback = pattern.callback
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:  # a plain function view under /api/v1/ would escape the matrix
        return ("*",)
    actions = getattr(callback, "actions", None)  # a ViewSet bound by a router
    if actions:
        names = [m for m in actions if m in cls.http_method_names]
    else:
        names = [m for m in cls.http_method_names if hasattr(cls, m)]
    return tuple(sorted(m.upper() for m in names if m not in DERIVED_METHODS))


def api_routes() -> list[Route]:
    """Every URL pattern under /api/v1/ and the methods it answers, from Django's resolver."""
    routes = []
    for full, pattern in _walk(get_resolver().url_patterns):
        if full.startswith(API_PREFIX):
            routes.append(Route(name=pattern.name or full, pattern=full,
                                methods=_methods(pattern)))
    return routes


def staff_client(role: str, **user: Any) -> APIClient:
    return login_client(APIClient(), *make_user(role, **user))


@pytest.fixture
def staff() -> Callable[..., APIClient]:
    """A logged-in client of the given role (a new user each call)."""
    return staff_client


@pytest.fixture
def author(db: None) -> User:
    """The greffier who entered the seeded records (no session needed)."""
    return make_user(Role.CLERK)[0]


@pytest.fixture
def seeded(author: User) -> factories.FullCase:
    return factories.full_case(author)


def url_of(route: Route, target_id: int | None) -> str:
    if not route.has_id:
        return reverse(route.name)
    key = "user_id" if route.name.startswith("user-") else "pk"
    return reverse(route.name, kwargs={key: target_id})


def target_ids(full: factories.FullCase, user: User) -> dict[str, int]:
    """The id each detail route of the API is called with."""
    return {
        "survivor": full.survivor.pk, "trafficker": full.trafficker.pk, "case": full.case.pk,
        "case-survivor": full.link.pk, "defendant": full.defendant.pk,
        "exploitation": full.exploitation.pk, "event": full.event.pk, "charge": full.charge.pk,
        "referral": full.referral.pk, "step": full.steps[-1].pk, "user": user.pk,
    }


def target_of(route: Route, ids: dict[str, int]) -> int | None:
    if not route.has_id:
        return None
    base = route.name.rsplit("-", 1)[0]
    if route.name.startswith("user-"):
        base = "user"
    return ids[base]
