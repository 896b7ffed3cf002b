"""DRF building blocks every node API uses: code fields, audited reads, errors.

Code fields validate against ``shared.codes`` so that an unknown code is a 400
naming the field and the code, and no code list is re-declared here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from node.audit.services import (
    PendingEntry,
    audit_record,
    audit_records,
    audit_records_send,
)
from shared.codes import code_list


class CodeField(serializers.CharField):
    """A code of one ``shared.codes`` list; the schema lists the allowed values."""

    def __init__(self, list_name: str, *, kind: str | None = None, **kwargs: Any) -> None:
        self.list_name = list_name
        self.kind = kind
        super().__init__(**kwargs)

    def allowed(self) -> tuple[str, ...]:
        codes = code_list(self.list_name)
        if self.kind is None:
            return codes.codes()
        return tuple(c.code for c in codes if c.attrs.get("kind") == self.kind)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in self.allowed():
            raise serializers.ValidationError(
                _("Code inconnu « %(code)s » (liste %(list)s).")
                % {"code": value[:60], "list": self.list_name}
            )
        return value


class CodeListField(serializers.ListField):
    """Several distinct codes of one list (means of control, roles, vulnerabilities)."""

    def __init__(self, list_name: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(child=CodeField(list_name), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        values: list[str] = super().to_internal_value(data)
        if len(set(values)) != len(values):
            raise serializers.ValidationError(_("Un code figure deux fois."))
        return values


class MonthField(serializers.Field):
    """A month as 'YYYY-MM', stored as the first day of that month."""

    default_error_messages = {"invalid": _("Mois invalide : format attendu AAAA-MM.")}

    def to_internal_value(self, data: Any) -> date:
        try:
            year, month = (int(p) for p in str(data).split("-"))
            if not 1900 <= year <= 2100:
                raise ValueError
            return date(year, month, 1)
        except (TypeError, ValueError):
            self.fail("invalid")
            raise  # unreachable: fail() raises

    def to_representation(self, value: date) -> str:
        return value.strftime("%Y-%m")


def not_in_future(value: date) -> None:
    if value > timezone.localdate():
        raise serializers.ValidationError(_("La date ne peut pas être dans le futur."))
    if value.year < 1900:  # also the linkage tokens' lower bound (shared.pseudonym)
        raise serializers.ValidationError(_("La date ne peut pas être antérieure à 1900."))


def audit_read(
    request: Request,
    *,
    target_type: str,
    ids: Iterable[int | str],
    action: str = "read",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record that identifying records were shown: one entry per request."""
    id_list = [str(i) for i in ids]
    if action == "read" and len(id_list) == 1:
        audit_record(
            actor=request.user,
            action=action,
            target_type=target_type,
            target_id=id_list[0],
            request=request,
            detail=detail,
        )
        return
    audit_records(
        actor=request.user,
        action=action,
        target_type=target_type,
        target_ids=id_list,
        request=request,
        detail=detail,
    )


def audit_list_send(
    request: Request,
    *,
    target_type: str,
    ids: Iterable[int | str],
    action: str,
    detail: dict[str, Any],
) -> PendingEntry:
    """Start recording that a list or search showed these records (``audit_records_send``)."""
    return audit_records_send(
        actor=request.user,
        action=action,
        target_type=target_type,
        target_ids=[str(i) for i in ids],
        request=request,
        detail=detail,
    )


class AuditedReadMixin:
    """For ViewSets over identifying records: every list and detail read is audited.

    A list's entry is sent as soon as its page is read and is written while
    the page is serialised and rendered; ``finalize_response`` waits for it,
    so no page is answered before its entry is durable (``audit_records_send``).
    """

    audit_target: str = ""
    _pending_audit: PendingEntry | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        rows = list(queryset) if page is None else page
        self._pending_audit = audit_list_send(
            request,
            target_type=self.audit_target,
            ids=[row.pk for row in rows],
            action="search" if self.search_terms_used(request) else "list",
            detail=self.search_detail(request),
        )
        try:
            data = self.get_serializer(rows, many=True).data  # type: ignore[attr-defined]
            if page is None:
                return Response(data)
            return self.get_paginated_response(data)  # type: ignore[attr-defined]
        except BaseException:
            # The connection must be free before the error is handled: an
            # exception DRF does not turn into a response never reaches
            # finalize_response, and the next statement on this connection
            # may not go through Django's cursor (a health check's SELECT 1).
            self._audit_written()
            raise

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self._pending_audit is not None:
            try:
                response.render()  # while the entry commits
            finally:
                self._audit_written()
        return response

    def _audit_written(self) -> None:
        # Raises, and then nothing is answered, if the entry was not written.
        pending, self._pending_audit = self._pending_audit, None
        if pending is not None:
            pending.entry()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        audit_read(request, target_type=self.audit_target, ids=[response.data["id"]])
        return response

    def search_terms_used(self, request: Request) -> bool:
        return bool(request.query_params.get("name"))

    def search_detail(self, request: Request) -> dict[str, Any]:
        # The searched name itself is never logged: only its blind-index digest.
        from node.privacy import name_digest

        name = request.query_params.get("name")
        return {"name_digest": name_digest(name)} if name else {}


def ids_of(objects: Sequence[models.Model]) -> list[int]:
    return [o.pk for o in objects]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's handler, plus the services' rule errors as 400 (or 403) naming the field."""
    from django.db.models import ProtectedError
    from rest_framework import exceptions
    from rest_framework.views import exception_handler as drf_handler

    from node.cases.services import ServiceError

    if isinstance(exc, ServiceError):
        if exc.permission:
            exc = exceptions.PermissionDenied(next(iter(exc.errors.values())))
        else:
            exc = exceptions.ValidationError({k: [v] for k, v in exc.errors.items()})
    elif isinstance(exc, ProtectedError):
        response = drf_handler(exceptions.APIException(), context)
        if response is not None:
            response.status_code = 409
            response.data = {"detail": _("Suppression impossible : des éléments en dépendent.")}
        return response
    return drf_handler(exc, context)
