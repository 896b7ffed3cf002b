"""The web interface in a real browser: Debian's chromium, driven by Playwright,
against pytest-django's ``live_server``. Each page visited is saved as a
screenshot under var/test-output/screenshots/ for a human to look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from node.accounts.models import User
from node.accounts.roles import Role
from node.cases.models import Case
from tests.node.conftest import FOREIGN_JURISDICTION
from tests.node.personas import PASSWORD, make_user, totp_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[[str], Path]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _log_in(page: Any, base: str, user: User, device: Any, shot: Shot | None = None) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code à usage unique").fill(totp_token(device))
    if shot:
        shot("01-connexion")
    page.get_by_role("button", name="Se connecter").click()


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _add_survivor(page: Any, family: str, given: str, sex: str, shot: Shot | None = None) -> None:
    page.get_by_role("link", name="Ajouter une victime").click()
    page.get_by_label("Nom de famille").fill(family)
    page.get_by_label("Prénom(s)").fill(given)
    page.get_by_label("Sexe").select_option(sex)
    page.get_by_label("Âge estimé (ans)").fill("11")
    page.locator("#id_talibe").check()
    page.get_by_label("Date d'identification dans l'affaire").fill(_day(0))
    if shot:
        shot("04-victime")
    page.get_by_role("button", name="Enregistrer la victime").click()
    _expect()(page.locator(".messages")).to_contain_text("Victime ajoutée")


def _record_step(page: Any, step: str, days_ago: int, defendant: str | None = None,
                 **sentence: str) -> None:
    page.locator("summary", has_text="Enregistrer un acte").click()
    page.get_by_label("Acte de procédure").select_option(step)
    if defendant:
        page.get_by_label("Prévenu concerné").select_option(label=defendant)
    page.get_by_label("Date de l'acte").fill(_day(days_ago))
    for label, value in sentence.items():
        field = page.get_by_label(label.replace("_", " "), exact=True)
        if label == "Décision":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Enregistrer l'acte").click()
    _expect()(page.locator(".messages")).to_contain_text("Acte enregistré")


def test_a_greffier_builds_a_case_to_judgment_then_finds_and_counts_it(
        page: Any, live_server: Any, screenshot: Shot) -> None:
    expect = _expect()
    user, device = make_user(Role.CLERK)
    _log_in(page, live_server.url, user, device, screenshot)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de la juridiction")

    page.get_by_role("link", name="Nouvelle affaire").click()
    page.get_by_label("Numéro de parquet").fill("RP 77/2026")
    page.get_by_label("Date du signalement").fill(_day(30))
    page.get_by_label("Source du signalement").select_option("police")
    page.get_by_label("Affaire transfrontalière").check()
    screenshot("03-nouvelle-affaire")
    page.get_by_role("button", name="Enregistrer l'affaire").click()
    expect(page.locator(".messages")).to_contain_text("Affaire enregistrée")
    page.get_by_role("link", name="← Affaire RP 77/2026").click()

    _add_survivor(page, "Diallo", "Mamadou", "Male", screenshot)
    _add_survivor(page, "Sow", "Awa", "Female")

    page.get_by_role("link", name="Ajouter un prévenu").click()
    page.get_by_label("Nom de famille").fill("Ba")
    page.get_by_label("Prénom(s)").fill("Oumar")
    page.get_by_label("Lien avec la ou les victimes").select_option("QuranicTeacher")
    page.get_by_label("Exploiteur", exact=True).check()
    screenshot("05-prevenu")
    page.get_by_role("button", name="Enregistrer").click()

    page.get_by_role("link", name="Ajouter une exploitation").click()
    page.get_by_label("Victime", exact=True).select_option(label="DIALLO Mamadou")
    page.get_by_label("Forme d'exploitation").select_option("begging")
    page.get_by_label("Type de lieu").select_option("daara")
    screenshot("06-exploitation")
    page.get_by_role("button", name="Enregistrer").click()

    page.get_by_role("link", name="Ajouter une charge").click()
    page.get_by_label("Prévenu", exact=True).select_option(label="BA Oumar")
    page.get_by_label("Infraction (article)").select_option("L2005-06-art3")
    page.get_by_label("Date de la poursuite").fill(_day(20))
    page.get_by_label("DIALLO Mamadou").check()
    page.get_by_label("SOW Awa").check()
    screenshot("07-charge")
    page.get_by_role("button", name="Enregistrer").click()

    _record_step(page, "signalement", 30)
    _record_step(page, "deferment", 28, "BA Oumar")
    _record_step(page, "prosecution_flagrant_delit", 27, "BA Oumar")
    _record_step(page, "hearing", 10, "BA Oumar")
    page.locator("summary", has_text="Enregistrer un acte").click()
    page.get_by_label("Acte de procédure").select_option("judgment")
    page.get_by_label("Prévenu concerné").select_option(label="BA Oumar")
    page.get_by_label("Date de l'acte").fill(_day(2))
    page.get_by_label("Décision").select_option("convicted")
    page.get_by_label("Emprisonnement ferme (mois)").fill("24")
    page.get_by_label("Amende (FCFA)").fill("500000")
    screenshot("08-acte-jugement")
    page.get_by_role("button", name="Enregistrer l'acte").click()

    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Jugement")
    expect(timeline).to_contain_text("Condamné")
    expect(timeline).to_contain_text("24 mois ferme")
    expect(page.locator("#stage")).to_have_text("Jugé en premier ressort")
    screenshot("09-affaire")

    page.get_by_role("link", name="Affaires", exact=True).click()
    page.get_by_label("Nom d'une victime ou d'un prévenu").fill("awa SOW")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="RP 77/2026")).to_be_visible()
    screenshot("10-recherche")

    page.get_by_role("link", name="Accueil").click()
    expect(page.locator("#open-total")).to_have_text("1")
    expect(page.locator("#survivors-total")).to_have_text("2")
    screenshot("02-accueil")


def test_a_wrong_date_shows_the_french_message_beside_the_field_and_takes_focus(
        page: Any, live_server: Any, screenshot: Shot) -> None:
    expect = _expect()
    user, device = make_user(Role.PROSECUTOR)
    _log_in(page, live_server.url, user, device)
    page.goto(f"{live_server.url}/affaires/nouvelle/")
    page.get_by_label("Numéro de parquet").fill("RP 1/2026")
    page.get_by_label("Date du signalement").fill((timezone.localdate() + timedelta(days=5))
                                                   .isoformat())
    page.get_by_label("Source du signalement").select_option("ngo")
    page.keyboard.press("Enter")  # keyboard only: Enter submits the form
    expect(page.locator("#id_reported_on_errors")).to_have_text(
        "La date ne peut pas être dans le futur.")
    expect(page.get_by_label("Date du signalement")).to_be_focused()
    screenshot("11-erreur-de-saisie")
    assert not Case.objects.exists()


def test_a_user_of_another_jurisdiction_cannot_open_a_case(
        page: Any, live_server: Any, screenshot: Shot) -> None:
    expect = _expect()
    author, _ = make_user(Role.CLERK)
    from tests.node import factories

    case = factories.case(author)
    user, device = make_user(Role.PROSECUTOR, jurisdiction=FOREIGN_JURISDICTION)
    _log_in(page, live_server.url, user, device)
    expect(page.locator(".errors")).to_have_text("Identifiants invalides")
    screenshot("12-autre-juridiction")
    page.goto(f"{live_server.url}/affaires/{case.pk}/")
    assert "/connexion/" in page.url


def test_the_english_switch_renders_english_labels(
        page: Any, live_server: Any, screenshot: Shot) -> None:
    expect = _expect()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("One-time code")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    screenshot("13-english")
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_label("Identifiant")).to_be_visible()


def test_the_auditor_and_import_pages(page: Any, live_server: Any, screenshot: Shot) -> None:
    expect = _expect()
    auditor, device = make_user(Role.AUDITOR)
    _log_in(page, live_server.url, auditor, device)
    page.get_by_role("link", name="Journal d'audit").click()
    page.get_by_label("Action").fill("login")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table.list tbody")).to_contain_text(auditor.username)
    screenshot("14-journal-audit")
    page.goto(f"{live_server.url}/affaires/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    page.get_by_role("button", name="Se déconnecter").click()
    clerk, clerk_device = make_user(Role.CLERK)
    _log_in(page, live_server.url, clerk, clerk_device)
    page.get_by_role("link", name="Import de registre").click()
    screenshot("15-import")


def test_an_existing_survivor_is_proposed_before_a_duplicate(
        page: Any, live_server: Any, screenshot: Shot) -> None:
    from tests.node import factories

    expect = _expect()
    user, device = make_user(Role.CLERK)
    factories.full_case(user)
    case = factories.case(user, reported_on=timezone.localdate() - timedelta(days=3))
    _log_in(page, live_server.url, user, device)
    page.goto(f"{live_server.url}/affaires/{case.pk}/victimes/")
    page.get_by_label("Nom de famille").fill("DIALLO")
    page.get_by_label("Prénom(s)").fill("Mamadou")
    page.get_by_label("Année de naissance").fill("2014")
    page.get_by_label("Date d'identification dans l'affaire").fill(_day(1))
    page.get_by_role("button", name="Enregistrer la victime").click()
    expect(page.locator(".duplicates")).to_contain_text("peut-être déjà enregistrée")
    screenshot("16-doublon-propose")
    page.get_by_role("button", name="Utiliser cette victime existante").click()
    expect(page.locator(".people").first).to_contain_text("DIALLO Mamadou")
    assert case.survivor_links.count() == 1
