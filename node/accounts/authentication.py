"""DRF authentication by the Django session, answering 401 to anonymous clients."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class SessionAuthentication401(SessionAuthentication):
    """Session authentication (with DRF's CSRF check) that names a realm.

    DRF answers 403 to an unauthenticated request when the first authentication
    class gives no ``WWW-Authenticate`` value; naming one makes it answer 401,
    so a client can tell "log in" (401) from "not allowed" (403).
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'


class SessionAuthentication401Scheme(SessionScheme):
    """Describe ``SessionAuthentication401`` in the OpenAPI schema (the session cookie)."""

    target_class = "node.accounts.authentication.SessionAuthentication401"
