"""The hub's schema cannot hold a person: no column of any hub model could store a
name, a birth date, free text or a single person's record (DESIGN.md: "a
breach of the hub alone reveals no one").

Checks every model of every app under ``hub.``, so a model added later is
checked too. Allowed: keys, integers, booleans, timestamps, a date only when
it is a month, short code-sized strings, and the one public key PEM.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models

MAX_CODE_LENGTH = 64
# Staff accounts (analysts, partners, administrators) are about the hub's users,
# never about survivors, traffickers or cases: their app is out of this check.
STAFF_APPS = {"accounts"}
# (app label, model, field): the only exceptions, each a reason in itself.
ALLOWED_TEXT = {
    ("registry", "Node", "public_key_pem"),  # a public key, not about a person
    ("stats", "PopulationFigure", "source"),  # where a population figure comes from
    ("stats", "PublishedCell", "signature"),  # a query's parameters (codes only)
    ("stats", "PublishedCell", "key"),  # a cell's codes joined, validated against code lists
}
MONTH_FIELDS = {"month", "period_start", "period_end"}  # first days of months
PERSONAL_NAMES = re.compile(
    r"(^|_)(name|surname|firstname|lastname|birth|dob|born|phone|address|email|document|passport|"
    r"nin|cni|note|notes|comment|description|text|narrative|remark)(_|$)"
)
SAFE_TYPES = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateTimeField,
    models.ForeignKey,
)


def _hub_fields() -> list[tuple[str, str, models.Field]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("hub.") or config.label in STAFF_APPS:
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                found.append((config.label, model.__name__, field))
    return found


def _problem(app: str, model: str, field: models.Field) -> str | None:
    key = (app, model, field.name)
    if key in ALLOWED_TEXT:
        return None
    if PERSONAL_NAMES.search(field.name):
        return "its name suggests personal data"
    if isinstance(field, models.DateTimeField | models.ForeignKey):
        return None
    if isinstance(field, models.DateField):
        return None if field.name in MONTH_FIELDS else "a date that is not a month"
    if isinstance(field, models.CharField):  # includes SlugField
        return None if field.max_length <= MAX_CODE_LENGTH else "a string longer than a code"
    if isinstance(field, SAFE_TYPES):
        return None
    return f"{type(field).__name__} could hold free text or a record"


def test_the_hub_has_models_to_check() -> None:
    labels = {app for app, _, _ in _hub_fields()}
    assert {"registry", "ingest"} <= labels


def test_no_hub_column_could_hold_a_person() -> None:
    problems = [
        f"{app}.{model}.{field.name}: {problem}"
        for app, model, field in _hub_fields()
        if (problem := _problem(app, model, field))
    ]
    assert problems == []


def test_the_check_refuses_what_it_must() -> None:
    """The rules themselves, so that loosening one shows up here."""
    assert _problem("ingest", "X", models.TextField(name="label"))
    assert _problem("ingest", "X", models.JSONField(name="extra"))
    assert _problem("ingest", "X", models.BinaryField(name="blob"))
    assert _problem("ingest", "X", models.CharField(name="code", max_length=200))
    assert _problem("ingest", "X", models.CharField(name="last_name", max_length=30))
    assert _problem("ingest", "X", models.DateField(name="identified_on"))
    assert _problem("ingest", "X", models.DateField(name="month")) is None
