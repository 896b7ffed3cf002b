"""Survivors and traffickers: the identity-bearing records of a node.

Every direct identifier is an ``EncryptedTextField``; what stays in clear is
coded (sex, nationality, region, birth year) because the node's aggregation
groups by it in SQL. Code values come from ``shared.codes`` and are validated
by the services and serializers that write them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from node.privacy import EncryptedTextField


class Person(models.Model):
    """Fields survivors and traffickers share. Highly sensitive."""

    family_name = EncryptedTextField(blank=True, default="")
    given_names = EncryptedTextField(blank=True, default="")
    aliases = EncryptedTextField(blank=True, default="")
    sex = models.CharField(max_length=32, default="Unknown")
    # Exact birth date is an identifier (encrypted, ISO text); the birth year,
    # exact or estimated, stays in clear for age bands.
    birth_date = EncryptedTextField(blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    age_is_estimated = models.BooleanField(default=False)
    nationality = models.CharField(max_length=2, default="XX")
    phone = EncryptedTextField(blank=True, default="")
    address = EncryptedTextField(blank=True, default="")
    document_number = EncryptedTextField(blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    # Blind index of the full normalised identity (names + birth year + filiation),
    # used to propose possible duplicates before one is created.
    identity_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # Blind index of the full normalised name alone, for exact search and duplicates.
    name_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True)

    class Meta:
        abstract = True


class Survivor(Person):
    """One survivor (victim) of trafficking known to this jurisdiction. Highly sensitive:
    often a child; names, filiation and contacts are encrypted at rest."""

    father_given_name = EncryptedTextField(blank=True, default="")
    mother_name = EncryptedTextField(blank=True, default="")
    birth_place = EncryptedTextField(blank=True, default="")
    origin_country = models.CharField(max_length=2, default="XX")
    origin_region = models.CharField(max_length=8, blank=True, default="")
    origin_place = EncryptedTextField(blank=True, default="")
    talibe = models.BooleanField(default=False)
    consent = models.CharField(max_length=32, default="not_asked")

    class Meta:
        ordering = ["id"]


class SurvivorVulnerability(models.Model):
    """One vulnerability code of a survivor (multi-valued, so a row each). Sensitive."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="vulnerabilities")
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survivor", "code"],
                                               name="uniq_survivor_vulnerability")]


class Trafficker(Person):
    """One suspected trafficker: a natural person or a legal person. Sensitive:
    names and contacts are encrypted at rest."""

    is_legal_person = models.BooleanField(default=False)
    legal_name = EncryptedTextField(blank=True, default="")
    occupation = models.CharField(max_length=40, default="unknown")

    class Meta:
        ordering = ["id"]


class NameToken(models.Model):
    """A blind-index digest of one person's name or name token, for exact search.

    Holds no name: a keyed HMAC that only this node's field key can reproduce.
    """

    survivor = models.ForeignKey(Survivor, null=True, on_delete=models.CASCADE,
                                 related_name="name_tokens")
    trafficker = models.ForeignKey(Trafficker, null=True, on_delete=models.CASCADE,
                                   related_name="name_tokens")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(survivor__isnull=False, trafficker__isnull=True)
                | models.Q(survivor__isnull=True, trafficker__isnull=False),
                name="name_token_one_owner",
            )
        ]


class LinkageToken(models.Model):
    """A person's pseudonymous national linkage token for one year.

    Computed on write with the national linkage secret (shared.pseudonym), so the
    aggregation that ships token sets to the hub never needs to decrypt a name.
    """

    survivor = models.ForeignKey(Survivor, null=True, on_delete=models.CASCADE,
                                 related_name="linkage_tokens")
    trafficker = models.ForeignKey(Trafficker, null=True, on_delete=models.CASCADE,
                                   related_name="linkage_tokens")
    year = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["year"])]
