"""Cases and everything that happens in them, from report to appeal judgment.

Codes (forms, offences, steps, outcomes...) are stored as the stable machine
codes of ``shared.codes``; services and serializers validate them. Free text
that could name someone (places, notes, organisations) is encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from node.people.models import Survivor, Trafficker
from node.privacy import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    """One case file of the parquet (a registre number). Sensitive: it ties
    survivors to traffickers; its summary is encrypted."""

    parquet_number = models.CharField(max_length=64)
    jurisdiction = models.CharField(max_length=16)
    reported_on = models.DateField()
    identification_source = models.CharField(max_length=40)
    protection_status = models.CharField(max_length=24, default="Active")
    cross_border = models.BooleanField(default=False)
    received_from = models.CharField(max_length=16, blank=True, default="")
    summary = EncryptedTextField(blank=True, default="")
    # Denormalised from the procedure steps by the services, for lists and filters.
    stage = models.CharField(max_length=24, default="reported", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "parquet_number"],
                                               name="uniq_case_parquet_number")]
        # The case list's order: a page is the first rows of this index, so the
        # counts computed per row (survivors, defendants) are computed for the
        # page only, never for every case before a sort.
        indexes = [models.Index(fields=["-reported_on", "-id"], name="case_list_order")]


class CaseSurvivor(models.Model):
    """A survivor's part in a case: when they were identified in it. Sensitive."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survivor_links")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="case_links")
    identified_on = models.DateField()
    age_at_identification = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "survivor"],
                                               name="uniq_case_survivor")]


class Defendant(models.Model):
    """A suspected trafficker's part in a case: roles and relationship to the
    survivors (QuranicTeacher, Employer, Family...). Sensitive."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="defendants")
    trafficker = models.ForeignKey(Trafficker, on_delete=models.PROTECT, related_name="case_links")
    relationship = models.CharField(max_length=32, default="Unknown")
    age_at_case = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "trafficker"],
                                               name="uniq_case_trafficker")]


class DefendantRole(models.Model):
    """One HTCDS perpetrator role of a defendant (multi-valued)."""

    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="roles")
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["defendant", "code"],
                                               name="uniq_defendant_role")]


class Exploitation(models.Model):
    """How one survivor was exploited in a case: form, subtype, means, place, months."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitations")
    case_survivor = models.ForeignKey(CaseSurvivor, on_delete=models.CASCADE,
                                      related_name="exploitations")
    form = models.CharField(max_length=40)
    subtype = models.CharField(max_length=40, blank=True, default="")
    recruitment_method = models.CharField(max_length=40, default="Unknown")
    site_type = models.CharField(max_length=40, default="unknown")
    place_region = models.CharField(max_length=8, blank=True, default="")
    place_country = models.CharField(max_length=2, default="SN")
    place_detail = EncryptedTextField(blank=True, default="")
    start_month = models.DateField(null=True, blank=True)
    end_month = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class ExploitationMeans(models.Model):
    """One means of control used in an exploitation (multi-valued)."""

    exploitation = models.ForeignKey(Exploitation, on_delete=models.CASCADE,
                                     related_name="means")
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exploitation", "code"],
                                               name="uniq_exploitation_means")]


class TraffickingEvent(models.Model):
    """A recruitment, transit or exploitation event: where and in which month."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    country = models.CharField(max_length=2, default="SN")
    region = models.CharField(max_length=8, blank=True, default="")
    place = EncryptedTextField(blank=True, default="")
    month = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["month", "id"]


class Charge(models.Model):
    """One offence charged against one defendant, and the survivors it concerns."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="charges")
    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="charges")
    offence = models.CharField(max_length=48)
    charged_on = models.DateField()
    survivors = models.ManyToManyField(CaseSurvivor, blank=True, related_name="charges")

    class Meta:
        ordering = ["id"]


class ProcedureStep(models.Model):
    """One dated step of the procedure, for the case or for one defendant.

    Append-only: a step is never edited or deleted (the database refuses it); a
    step entered by mistake is voided by a ``StepVoid`` that keeps it on record.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    defendant = models.ForeignKey(Defendant, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="steps")
    step = models.CharField(max_length=40)
    occurred_on = models.DateField()
    outcome = models.CharField(max_length=24, blank=True, default="")
    prison_months = models.PositiveIntegerField(null=True, blank=True)
    suspended_months = models.PositiveIntegerField(null=True, blank=True)
    fine_fcfa = models.PositiveBigIntegerField(null=True, blank=True)
    damages_fcfa = models.PositiveBigIntegerField(null=True, blank=True)
    court = models.CharField(max_length=16, blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["occurred_on", "id"]


class StepVoid(models.Model):
    """The voiding of a step entered by mistake: who, when, why. Append-only."""

    step = models.OneToOneField(ProcedureStep, on_delete=models.PROTECT, related_name="void")
    reason = EncryptedTextField()
    voided_at = models.DateTimeField(auto_now_add=True)
    voided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)


class Referral(models.Model):
    """A referral of a survivor to a service (shelter, medical, legal aid,
    repatriation...). The organisation's name is encrypted: it can locate a child."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    case_survivor = models.ForeignKey(CaseSurvivor, on_delete=models.CASCADE,
                                      related_name="referrals")
    referral_type = models.CharField(max_length=32)
    organisation = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=24, default="planned")
    referred_on = models.DateField()

    class Meta:
        ordering = ["referred_on", "id"]
