"""What the pages do, through Django's test client: validation by the API's
serializers, duplicates proposed before saving, audited reads, figures, import."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from node.accounts.roles import Role
from node.audit.models import AuditEntry
from node.cases.models import Case, CaseSurvivor, Defendant, ProcedureStep, TraffickingEvent
from node.imports.template import COLUMN_NAMES
from node.people.models import Survivor
from node.sync.models import Dirty, SyncState
from node.web import selectors
from tests.node import factories
from tests.node.personas import PASSWORD, make_user
from tests.node.web.conftest import LOGIN

pytestmark = pytest.mark.django_db


def _case_data(**overrides: str) -> dict[str, str]:
    return {"parquet_number": "RP 41/2025", "reported_on": "2025-03-10",
            "identification_source": "police", **overrides}


def _entries(action: str, target_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, target_type=target_type))


def test_a_wrong_date_shows_the_serializers_french_message_beside_the_field(
        greffier: Client) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = greffier.post(reverse("web:case-create"), _case_data(reported_on=future))
    html = response.content.decode()
    assert response.status_code == 200
    beside = html.split('id="id_reported_on_errors"')[1][:200]
    assert "La date ne peut pas être dans le futur." in beside
    assert not Case.objects.exists()


def test_a_missing_required_field_is_named(greffier: Client) -> None:
    response = greffier.post(reverse("web:case-create"), _case_data(parquet_number=""))
    after = response.content.decode().split('id="id_parquet_number_errors"')[1][:200]
    assert "Ce champ est obligatoire." in after


def test_a_duplicate_parquet_number_is_refused_by_the_service(greffier: Client) -> None:
    greffier.post(reverse("web:case-create"), _case_data())
    response = greffier.post(reverse("web:case-create"), _case_data())
    assert "Ce numéro de parquet existe déjà." in response.content.decode()
    assert Case.objects.count() == 1


def test_creating_a_case_leads_to_its_survivors(greffier: Client) -> None:
    response = greffier.post(reverse("web:case-create"), _case_data())
    case = Case.objects.get()
    assert response["Location"] == reverse("web:survivor-add", args=[case.pk])
    assert case.created_by == greffier.user  # type: ignore[attr-defined]


def _survivor(**overrides: str) -> dict[str, str]:
    return {"family_name": "Diallo", "given_names": "Mamadou", "sex": "Male",
            "birth_year": "2014", "identified_on": "2025-03-10", **overrides}


def test_a_possible_duplicate_is_proposed_before_anything_is_created(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    case = factories.case(None)
    url = reverse("web:survivor-add", args=[case.pk])
    response = greffier.post(url, _survivor(family_name="DIALLO"))
    html = response.content.decode()
    assert "Cette personne est peut-être déjà enregistrée" in html
    assert f'value="use-{seeded_case.survivor.pk}"' in html
    assert Survivor.objects.count() == 1
    assert _entries("duplicate_check", "survivor")


def test_choosing_the_existing_survivor_links_them_without_a_copy(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    case = factories.case(None)
    existing = seeded_case.survivor
    greffier.post(reverse("web:survivor-add", args=[case.pk]),
                  _survivor(decision=f"use-{existing.pk}"))
    assert Survivor.objects.count() == 1
    assert CaseSurvivor.objects.filter(case=case, survivor=existing).exists()


def test_create_anyway_makes_a_second_survivor(greffier: Client,
                                               seeded_case: factories.FullCase) -> None:
    case = factories.case(None)
    greffier.post(reverse("web:survivor-add", args=[case.pk]), _survivor(decision="create"))
    assert Survivor.objects.count() == 2
    assert CaseSurvivor.objects.filter(case=case).count() == 1


def test_a_new_name_is_created_without_a_question(greffier: Client) -> None:
    case = factories.case(None)
    response = greffier.post(reverse("web:survivor-add", args=[case.pk]),
                             _survivor(family_name="Sow", given_names="Awa", sex="Female"))
    assert response.status_code == 302
    assert Survivor.objects.get().family_name == "Sow"


def test_a_survivor_needs_the_date_of_identification(greffier: Client) -> None:
    case = factories.case(None)
    response = greffier.post(reverse("web:survivor-add", args=[case.pk]),
                             _survivor(identified_on=""))
    after = response.content.decode().split('id="id_identified_on_errors"')[1][:200]
    assert "Ce champ est obligatoire." in after
    assert not Survivor.objects.exists()


def test_a_defendant_is_created_and_linked(greffier: Client) -> None:
    case = factories.case(None)
    greffier.post(reverse("web:defendant-add", args=[case.pk]),
                  {"family_name": "Ba", "given_names": "Oumar", "sex": "Male",
                   "relationship": "QuranicTeacher", "roles": ["Exploiter"]})
    defendant = Defendant.objects.get(case=case)
    assert [r.code for r in defendant.roles.all()] == ["Exploiter"]


def test_a_charge_cannot_name_a_defendant_of_another_case(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    response = greffier.post(reverse("web:charge-add", args=[other.pk]),
                             {"defendant": seeded_case.defendant.pk, "offence": "L2005-06-art3",
                              "charged_on": "2025-03-12"})
    assert "Cet élément n&#x27;appartient pas à cette affaire." in response.content.decode()


def test_a_step_out_of_order_is_recorded_with_a_warning(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    url = reverse("web:step-add", args=[seeded_case.case.pk])
    response = greffier.post(url, {"step": "preliminary_investigation",
                                   "occurred_on": "2025-03-11"}, follow=True)
    assert "hors de l&#x27;ordre habituel" in response.content.decode()
    assert ProcedureStep.objects.filter(step="preliminary_investigation").exists()


def test_a_sentence_without_conviction_is_refused_beside_the_field(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    url = reverse("web:step-add", args=[seeded_case.case.pk])
    response = greffier.post(url, {"step": "judgment", "occurred_on": "2025-06-01",
                                   "defendant": seeded_case.defendant.pk,
                                   "outcome": "acquitted", "prison_months": "12"})
    assert response.status_code == 400
    after = response.content.decode().split('id="id_prison_months_errors"')[1][:200]
    assert "Une peine ne peut être prononcée qu&#x27;avec une condamnation." in after


def test_a_judge_cannot_drop_a_case(web_staff: object, seeded_case: factories.FullCase) -> None:
    judge = web_staff(Role.JUDGE)  # type: ignore[operator]
    response = judge.post(reverse("web:step-add", args=[seeded_case.case.pk]),
                          {"step": "classement_sans_suite", "occurred_on": "2025-04-01"})
    assert "Votre rôle ne permet pas d&#x27;enregistrer cet acte." in response.content.decode()


def test_the_case_page_shows_voided_steps_struck_through(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    from node.cases.services import step_void

    step = seeded_case.steps[-1]
    step_void(actor=greffier.user, step=step, reason="saisie en double")  # type: ignore[attr-defined]
    html = greffier.get(reverse("web:case-detail", args=[seeded_case.case.pk])).content.decode()
    assert '<li class="void">' in html and "<del>" in html


def test_reading_a_case_is_audited_for_the_case_and_its_people(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    greffier.get(reverse("web:case-detail", args=[seeded_case.case.pk]))
    assert _entries("read", "case")[0].target_id == str(seeded_case.case.pk)
    assert _entries("read", "survivor")[0].target_id == str(seeded_case.survivor.pk)
    assert _entries("read", "trafficker")


def test_a_name_search_finds_the_case_and_logs_only_a_digest(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    factories.case(None)
    response = greffier.get(reverse("web:case-list"), {"name": "mamadou DIALLO"})
    assert seeded_case.case.parquet_number in response.content.decode()
    assert response.context["page"].paginator.count == 1
    entry = _entries("search", "case")[0]
    assert entry.target_ids == str(seeded_case.case.pk)
    assert "mamadou" not in str(entry.detail).lower() and entry.detail["name_digest"]


def test_the_list_filters_by_parquet_number_stage_and_year(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    factories.case(None, reported_on=date(2024, 5, 1))
    number = seeded_case.case.parquet_number
    assert greffier.get(reverse("web:case-list"), {"parquet_number": number}).context[
        "page"].paginator.count == 1
    assert greffier.get(reverse("web:case-list"), {"year": "2024"}).context[
        "page"].paginator.count == 1
    stage = Case.objects.get(pk=seeded_case.case.pk).stage
    assert greffier.get(reverse("web:case-list"), {"stage": stage}).context[
        "page"].paginator.count == 1
    assert _entries("list", "case")


def test_the_home_page_counts_the_jurisdictions_cases(greffier: Client) -> None:
    factories.case(None, reported_on=timezone.localdate() - timedelta(days=400))
    factories.case(None, reported_on=timezone.localdate() - timedelta(days=30))
    SyncState.objects.create(last_success_at=timezone.now())
    figures = greffier.get(reverse("web:home")).context["figures"]
    assert figures.open_total == 2
    assert figures.pending_over_year == 1
    assert figures.last_push is not None


def test_survivors_of_this_year_are_counted_by_form(greffier: Client) -> None:
    today = timezone.localdate()
    actor = greffier.user  # type: ignore[attr-defined]
    case = factories.case(actor, reported_on=today)
    link = factories.record(actor, CaseSurvivor, case=case, survivor=factories.survivor(actor),
                            identified_on=today)
    factories.record(actor, CaseSurvivor, case=case,
                     survivor=factories.survivor(actor, family_name="Sow"), identified_on=today)
    from node.cases.models import Exploitation

    factories.record(actor, Exploitation, case_survivor=link, form="begging")
    figures = selectors.home_figures()
    assert dict(figures.survivors_by_form) == {"begging": 1, "unknown": 1}
    assert figures.survivors_total == 2


def test_the_auditor_filters_the_log_by_action(web_staff: object) -> None:
    auditor = web_staff(Role.AUDITOR)  # type: ignore[operator]
    response = auditor.get(reverse("web:audit-log"), {"action": "login"})
    entries = response.context["page"].object_list
    assert entries and all(e.action == "login" for e in entries)


def test_a_malformed_audit_filter_is_named(web_staff: object) -> None:
    auditor = web_staff(Role.AUDITOR)  # type: ignore[operator]
    response = auditor.get(reverse("web:audit-log"), {"from": "hier"})
    assert 'id="id_from_errors"' in response.content.decode()


def _register(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("registre.csv", out.getvalue().encode(), "text/csv")


def test_an_import_with_a_bad_line_shows_it_and_writes_nothing(greffier: Client) -> None:
    rows = [{"numero_parquet": "RP 7/2025", "date_signalement": "32/13/2025",
             "source": "police", "victime_nom": "Ndiaye", "victime_prenoms": "Fatou"}]
    response = greffier.post(reverse("web:import"), {"register": _register(rows)})
    report = response.context["report"]
    assert report.rejected and not report.imported
    assert "date_signalement" in response.content.decode()
    assert not Case.objects.exists()


def test_an_import_refuses_another_extension(greffier: Client) -> None:
    upload = SimpleUploadedFile("registre.txt", b"x", "text/plain")
    response = greffier.post(reverse("web:import"), {"register": upload})
    assert "refusée" in response.content.decode()


def test_a_wrong_password_gives_the_apis_refusal(db: None) -> None:
    user, _ = make_user(Role.CLERK)
    response = Client().post(LOGIN, {"username": user.username, "password": "faux mot de passe",
                                     "otp_token": "123456"})
    assert response.status_code == 400
    assert "Identifiants invalides" in response.content.decode()


def test_repeated_failures_lock_the_username(db: None, settings: object) -> None:
    user, _ = make_user(Role.CLERK)
    client = Client()
    for _ in range(6):
        response = client.post(LOGIN, {"username": user.username, "password": PASSWORD,
                                        "otp_token": "000000"})
    assert "Trop d&#x27;essais" in response.content.decode()


def test_english_labels_after_the_switch(greffier: Client) -> None:
    greffier.post(reverse("web:set-language"), {"language": "en", "next": "/affaires/nouvelle/"})
    html = greffier.get(reverse("web:case-create")).content.decode()
    assert "Parquet number" in html and "Numéro de parquet" not in html
    assert 'lang="en"' in html


def test_a_survivor_is_referred_and_the_organisation_is_encrypted(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    from node.cases.models import Referral

    url = reverse("web:referral-add", args=[seeded_case.case.pk])
    response = greffier.post(url, {"case_survivor": seeded_case.link.pk,
                                   "referral_type": "medical", "status": "planned",
                                   "organisation": "Centre Ginddi", "referred_on": "2025-03-12"})
    assert response.status_code == 302
    referral = Referral.objects.get(referral_type="medical")
    assert (referral.case_id, referral.organisation) == (seeded_case.case.pk, "Centre Ginddi")
    with connection.cursor() as cursor:
        cursor.execute("SELECT organisation FROM cases_referral WHERE id = %s", [referral.pk])
        assert "Ginddi" not in cursor.fetchone()[0]
    assert _entries("create", "referral")


def test_a_referral_in_the_future_is_refused_beside_its_date(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = greffier.post(reverse("web:referral-add", args=[seeded_case.case.pk]),
                             {"case_survivor": seeded_case.link.pk, "referral_type": "medical",
                              "status": "planned", "referred_on": tomorrow})
    assert response.status_code == 400
    assert 'id="id_referred_on_errors"' in response.content.decode()


def test_a_referral_is_followed_up_and_its_organisation_can_be_emptied(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    referral = seeded_case.referral
    url = reverse("web:referral-edit", args=[seeded_case.case.pk, referral.pk])
    page = greffier.get(url).content.decode()
    assert "Empire des enfants" in page  # the form shows what is on record...
    assert _entries("read", "referral")[0].target_id == str(referral.pk)  # ...and says so
    response = greffier.post(url, {"case_survivor": seeded_case.link.pk, "referral_type": "shelter",
                                   "status": "completed", "referred_on": "2025-03-11"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.organisation) == ("completed", "")


def test_a_referral_of_another_case_is_not_found_through_this_one(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    url = reverse("web:referral-edit", args=[other.pk, seeded_case.referral.pk])
    assert greffier.get(url).status_code == 404


def test_a_step_is_voided_with_a_reason_and_stays_struck_through(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    step = seeded_case.steps[-1]
    url = reverse("web:step-void", args=[seeded_case.case.pk, step.pk])
    response = greffier.post(url, {"reason": "saisi en double"}, follow=True)
    assert "Acte annulé" in response.content.decode()
    step.refresh_from_db()
    assert step.void.reason == "saisi en double"
    assert _entries("void", "procedurestep")
    again = greffier.post(url, {"reason": "encore"})
    assert again.status_code == 400
    assert "Cet acte est déjà annulé." in again.content.decode()


def test_voiding_needs_a_reason_named_beside_the_step(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    step = seeded_case.steps[-1]
    response = greffier.post(reverse("web:step-void", args=[seeded_case.case.pk, step.pk]), {})
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split(f'id="void-reason-{step.pk}-errors"')[1][:300]
    assert "Ce champ est obligatoire." in errors
    assert not ProcedureStep.objects.filter(pk=step.pk, void__isnull=False).exists()


def test_a_judge_is_offered_no_void_of_a_clerks_step_and_cannot_post_one(
        web_staff: object, seeded_case: factories.FullCase) -> None:
    judge = web_staff(Role.JUDGE)  # type: ignore[operator]
    custody = seeded_case.steps[0]  # police custody: a clerk's step, not a decision
    page = judge.get(reverse("web:case-detail", args=[seeded_case.case.pk])).content.decode()
    assert reverse("web:step-void", args=[seeded_case.case.pk, custody.pk]) not in page
    response = judge.post(reverse("web:step-void", args=[seeded_case.case.pk, custody.pk]),
                          {"reason": "erreur"})
    assert "Votre rôle ne permet pas d&#x27;annuler cet acte." in response.content.decode()
    assert not ProcedureStep.objects.filter(pk=custody.pk, void__isnull=False).exists()


def test_a_step_of_another_case_cannot_be_voided_through_this_one(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    url = reverse("web:step-void", args=[other.pk, seeded_case.steps[0].pk])
    assert greffier.post(url, {"reason": "erreur"}).status_code == 404


def test_a_part_form_listing_the_survivors_records_that_it_showed_them(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    greffier.get(reverse("web:exploitation-add", args=[seeded_case.case.pk]))
    assert [e.target_id for e in _entries("read", "survivor")] == [str(seeded_case.survivor.pk)]


def test_a_case_is_corrected_and_emptied_inputs_clear_what_they_held(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    case = seeded_case.case
    case.summary = "Trois enfants au marché"
    case.save()
    url = reverse("web:case-edit", args=[case.pk])
    page = greffier.get(url).content.decode()
    assert "Trois enfants au marché" in page and case.parquet_number in page
    assert _entries("read", "case")[-1].target_id == str(case.pk)
    response = greffier.post(url, _case_data(parquet_number=case.parquet_number,
                                             reported_on="2025-03-10",
                                             protection_status="Closed"))
    assert response.status_code == 302
    case.refresh_from_db()
    # cross_border was ticked and summary filled: left empty in the post, both are cleared
    assert (case.protection_status, case.cross_border, case.summary) == ("Closed", False, "")
    assert _entries("update", "case")


def test_a_case_cannot_be_reported_after_its_first_step(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    case = seeded_case.case
    response = greffier.post(reverse("web:case-edit", args=[case.pk]),
                             _case_data(parquet_number=case.parquet_number,
                                        reported_on="2025-03-20"))
    assert response.status_code == 400
    beside = response.content.decode().split('id="id_reported_on_errors"')[1][:300]
    assert "Des actes de procédure sont datés avant cette date de signalement." in beside
    case.refresh_from_db()
    assert case.reported_on == factories.REPORTED_ON


def test_a_survivors_record_is_corrected_and_found_under_the_new_name(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    survivor = seeded_case.survivor
    url = reverse("web:survivor-edit", args=[seeded_case.case.pk, survivor.pk])
    page = greffier.get(url).content.decode()
    assert 'value="Diallo"' in page and 'value="2014"' in page
    assert _entries("read", "survivor")[-1].target_id == str(survivor.pk)
    form = {"family_name": "Sow", "given_names": "Aminata", "sex": "Female",
            "birth_year": "2014", "nationality": "GW", "origin_country": "GW",
            "vulnerabilities": ["unaccompanied_minor"]}
    assert greffier.post(url, form).status_code == 302
    survivor.refresh_from_db()
    assert (survivor.family_name, survivor.talibe) == ("Sow", False)  # box left unticked
    assert list(survivor.vulnerabilities.values_list("code", flat=True)) == ["unaccompanied_minor"]
    found = greffier.get(reverse("web:case-list"), {"name": "aminata SOW"})
    assert found.context["page"].paginator.count == 1
    gone = greffier.get(reverse("web:case-list"), {"name": "Mamadou Diallo"})
    assert gone.context["page"].paginator.count == 0


def test_a_survivor_given_both_a_year_and_an_age_is_refused_and_unchanged(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    survivor = seeded_case.survivor
    url = reverse("web:survivor-edit", args=[seeded_case.case.pk, survivor.pk])
    response = greffier.post(url, {"family_name": "Autre", "birth_year": "2014",
                                   "estimated_age": "9"})
    assert response.status_code == 400
    assert 'id="id_estimated_age_errors"' in response.content.decode()
    survivor.refresh_from_db()
    assert survivor.family_name == "Diallo"


def test_a_person_of_another_case_is_not_found_through_this_one(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    assert greffier.get(reverse("web:survivor-edit", args=[
        other.pk, seeded_case.survivor.pk])).status_code == 404
    assert greffier.get(reverse("web:trafficker-edit", args=[
        other.pk, seeded_case.trafficker.pk])).status_code == 404


def test_a_legal_person_needs_its_name_beside_the_field(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    trafficker = seeded_case.trafficker
    url = reverse("web:trafficker-edit", args=[seeded_case.case.pk, trafficker.pk])
    assert 'value="Ba"' in greffier.get(url).content.decode()
    response = greffier.post(url, {"is_legal_person": "on", "family_name": "Ba"})
    assert response.status_code == 400
    assert "Le nom de la personne morale est obligatoire." in response.content.decode().split(
        'id="id_legal_name_errors"')[1][:300]
    fixed = greffier.post(url, {"is_legal_person": "on", "legal_name": "Daara SARL",
                                "occupation": "quranic_teacher"})
    assert fixed.status_code == 302
    trafficker.refresh_from_db()
    assert (trafficker.legal_name, trafficker.family_name) == ("Daara SARL", "")


def test_an_exploitation_is_corrected_and_an_emptied_month_is_cleared(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    exploitation = seeded_case.exploitation
    url = reverse("web:exploitation-edit", args=[seeded_case.case.pk, exploitation.pk])
    page = greffier.get(url).content.decode()
    assert 'value="2024-09"' in page  # a month as the month input reads it
    assert re.search(r'value="PhysicalAbuse"[^>]*checked', page)
    assert _entries("read", "exploitation")[-1].target_id == str(exploitation.pk)
    response = greffier.post(url, {"case_survivor": seeded_case.link.pk, "form": "begging",
                                   "subtype": "talibe_begging", "site_type": "street",
                                   "means_of_control": ["PhysicalAbuse"]})
    assert response.status_code == 302
    exploitation.refresh_from_db()
    assert (exploitation.site_type, exploitation.start_month) == ("street", None)
    assert list(exploitation.means.values_list("code", flat=True)) == ["PhysicalAbuse"]
    assert _entries("update", "exploitation")


def test_an_exploitation_whose_end_precedes_its_start_is_refused_beside_the_end(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    exploitation = seeded_case.exploitation
    url = reverse("web:exploitation-edit", args=[seeded_case.case.pk, exploitation.pk])
    response = greffier.post(url, {"case_survivor": seeded_case.link.pk, "form": "begging",
                                   "start_month": "2024-09", "end_month": "2024-01"})
    assert response.status_code == 400
    assert "La fin ne peut pas précéder le début." in response.content.decode().split(
        'id="id_end_month_errors"')[1][:300]
    exploitation.refresh_from_db()
    assert exploitation.end_month is None


def test_a_charge_is_corrected_and_its_survivors_can_all_be_unticked(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    charge = seeded_case.charge
    url = reverse("web:charge-edit", args=[seeded_case.case.pk, charge.pk])
    page = greffier.get(url).content.decode()
    assert 'value="2025-03-12"' in page
    response = greffier.post(url, {"defendant": seeded_case.defendant.pk,
                                   "offence": "L2005-06-art3", "charged_on": "2025-03-13"})
    assert response.status_code == 302
    charge.refresh_from_db()
    assert (charge.charged_on, list(charge.survivors.all())) == (date(2025, 3, 13), [])


def test_a_trafficking_event_is_added_then_corrected_and_its_place_encrypted(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    case = seeded_case.case
    response = greffier.post(reverse("web:event-add", args=[case.pk]),
                             {"kind": "Transit", "country": "SN", "region": "SN-TC",
                              "place": "Gare routière de Tambacounda", "month": "2024-08"})
    assert response.status_code == 302
    event = TraffickingEvent.objects.get(case=case, kind="Transit")
    assert "Transit" in greffier.get(reverse("web:case-detail", args=[case.pk])).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT place::text FROM cases_traffickingevent WHERE id = %s", [event.pk])
        assert "Tambacounda" not in cursor.fetchone()[0]
    url = reverse("web:event-edit", args=[case.pk, event.pk])
    assert "Gare routière de Tambacounda" in greffier.get(url).content.decode()
    assert _entries("read", "traffickingevent")[-1].target_id == str(event.pk)
    assert greffier.post(url, {"kind": "Transit", "country": "ML"}).status_code == 302
    event.refresh_from_db()
    assert (event.country, event.region, event.place, event.month) == ("ML", "", "", None)


def test_an_event_with_a_malformed_month_is_refused_and_another_case_is_ignored(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    url = reverse("web:event-add", args=[seeded_case.case.pk])
    response = greffier.post(url, {"kind": "Transit", "month": "2024-13", "case": other.pk})
    assert response.status_code == 400
    assert 'id="id_month_errors"' in response.content.decode()
    fine = greffier.post(url, {"kind": "Transit", "case": other.pk})  # a hand-posted case
    assert fine.status_code == 302
    assert TraffickingEvent.objects.filter(case=seeded_case.case, kind="Transit").count() == 1
    assert not TraffickingEvent.objects.filter(case=other).exists()


def test_parts_of_another_case_are_not_found_through_this_one(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    for name, part in (("exploitation-edit", seeded_case.exploitation),
                       ("charge-edit", seeded_case.charge), ("event-edit", seeded_case.event)):
        assert greffier.get(reverse(f"web:{name}", args=[other.pk, part.pk])).status_code == 404


@pytest.mark.parametrize("name", ["exploitation", "charge", "event", "referral"])
def test_a_part_entered_by_mistake_is_deleted_audited_and_its_case_sent_again(
        greffier: Client, seeded_case: factories.FullCase, name: str) -> None:
    part = getattr(seeded_case, name)
    case = seeded_case.case
    edit = greffier.get(reverse(f"web:{name}-edit", args=[case.pk, part.pk])).content.decode()
    url = reverse(f"web:{name}-delete", args=[case.pk, part.pk])
    assert f'action="{url}"' in edit  # offered on the part's own page
    Dirty.objects.all().delete()
    response = greffier.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:case-detail", args=[case.pk])
    assert not type(part).objects.filter(pk=part.pk).exists()
    entry = _entries("delete", part._meta.model_name)[0]
    assert (entry.target_id, entry.detail["case"]) == (str(part.pk), case.pk)
    assert Dirty.objects.filter(kind="case", owner_id=case.pk).exists()


def test_a_part_of_another_case_is_not_deleted_through_this_one(
        greffier: Client, seeded_case: factories.FullCase) -> None:
    other = factories.case(None)
    url = reverse("web:exploitation-delete", args=[other.pk, seeded_case.exploitation.pk])
    assert greffier.post(url).status_code == 404
    assert type(seeded_case.exploitation).objects.filter(pk=seeded_case.exploitation.pk).exists()


def test_a_judge_cannot_delete_a_part(web_staff: object,
                                      seeded_case: factories.FullCase) -> None:
    judge = web_staff(Role.JUDGE)  # type: ignore[operator]
    url = reverse("web:charge-delete", args=[seeded_case.case.pk, seeded_case.charge.pk])
    assert judge.post(url).status_code == 403
    assert type(seeded_case.charge).objects.filter(pk=seeded_case.charge.pk).exists()
