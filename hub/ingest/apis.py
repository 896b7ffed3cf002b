"""The submission API nodes push to. Authentication is the payload's signature."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.ingest import serializers as s
from hub.ingest.selectors import submission_status
from hub.ingest.services import SubmissionRejected, status_request_verify, submission_ingest


def _refused(exc: SubmissionRejected) -> Response:
    return Response({"reason": exc.reason, "errors": exc.errors}, status=exc.status)


def _rejection(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=s.RejectionSerializer, description=description)


class SubmissionApi(APIView):
    """Receive one signed payload. The signature is the authentication, so no
    session, no CSRF (nothing a browser could be tricked into sending)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="submission_create",
        request={"application/json": s.EnvelopeSerializer},
        parameters=[
            OpenApiParameter(
                "Content-Encoding",
                str,
                OpenApiParameter.HEADER,
                description="identity (default) or gzip",
            ),
        ],
        responses={
            201: OpenApiResponse(s.AcceptedSerializer, description="Stored."),
            200: OpenApiResponse(
                s.DuplicateSerializer,
                description="Sequence at or below the last accepted one: nothing changed "
                "(idempotent success).",
            ),
            400: _rejection("malformed, envelope, unknown_contract, stale or schema."),
            403: _rejection("unknown_node, suspended_node, bad_signature or wrong_jurisdiction."),
            413: _rejection("too_large: body, or gzip-decompressed body, over the limit."),
            409: _rejection(
                "token_base_mismatch: a token-set delta does not start from the set the hub "
                "holds (its base_digest, a token it removes or adds); nothing was stored, "
                "send the full set."
            ),
            415: _rejection("unsupported_encoding: a Content-Encoding other than gzip."),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            result = submission_ingest(
                body=_read_body(request),
                content_encoding=request.headers.get("Content-Encoding"),
                now=timezone.now(),
            )
        except SubmissionRejected as exc:
            return _refused(exc)
        if result.outcome == "duplicate":
            return Response({"outcome": "duplicate", "last_sequence": result.last_sequence})
        body = {
            "outcome": "accepted",
            "sequence": result.sequence,
            "table_months": result.table_months,
            "cells": result.cells,
        }
        return Response(body, status=201)


def _read_body(request: Request) -> bytes:
    """At most one byte past the limit, so the service can answer 413 without
    buffering whatever a client sends (``request.body`` would read it all)."""
    limit = int(settings.SYSTRAITE_SUBMISSION_MAX_BYTES)
    return request._request.read(limit + 1)


class SubmissionStatusApi(APIView):
    """What the hub last acknowledged from a node, so it can resend from there."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="submission_status",
        parameters=[
            OpenApiParameter("node_id", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter(
                "X-Systraite-Signature",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description='base64url of the signing envelope of {"node_id": ..., "built_at": '
                '"<now, ISO 8601 Z>", "purpose": "status"}; valid 300 s.',
            ),
        ],
        responses={
            200: s.StatusSerializer,
            403: _rejection("bad_signature, stale, unknown_node or suspended_node."),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            node = status_request_verify(
                header=request.headers.get("X-Systraite-Signature"),
                node_id=request.query_params.get("node_id"),
                now=timezone.now(),
            )
        except SubmissionRejected as exc:
            return _refused(exc)
        return Response(s.StatusSerializer(submission_status(node=node)).data)
