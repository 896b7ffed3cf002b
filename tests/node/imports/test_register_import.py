"""Import of a parquet's register: all or nothing, through the API's rules and services."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from node.accounts.models import User
from node.cases.models import Case, Charge, Defendant, Exploitation, ProcedureStep
from node.imports.services import ImportRefused, RejectedRow, register_import
from node.imports.template import COLUMN_NAMES, template_write_csv, template_write_xlsx
from node.people.models import Survivor, Trafficker
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db

ROWS: tuple[dict[str, str], ...] = (
    {"numero_parquet": "RP 12/2025", "date_signalement": "10/03/2025", "source": "police",
     "transfrontalier": "oui", "victime_nom": "DIALLO", "victime_prenoms": "Mamadou",
     "victime_sexe": "M", "victime_age_estime": "11", "victime_nationalite": "GW",
     "victime_talibe": "oui", "forme_exploitation": "begging", "sous_type": "talibe_begging",
     "auteur_nom": "BA", "auteur_prenoms": "Oumar", "auteur_sexe": "M",
     "auteur_profession": "quranic_teacher", "infraction": "L2005-06-art3",
     "etape": "police_custody", "date_etape": "11/03/2025"},
    {"numero_parquet": "RP 12/2025", "date_signalement": "2025-03-10", "source": "police",
     "transfrontalier": "oui", "victime_nom": "BALDE", "victime_prenoms": "Saliou",
     "victime_sexe": "F", "victime_date_naissance": "02/05/2014", "victime_nationalite": "SN",
     "forme_exploitation": "begging", "auteur_nom": "Ba", "auteur_prenoms": "Oumar",
     "infraction": "L2005-06-art3", "etape": "judgment", "date_etape": "02/06/2025",
     "decision": "convicted", "peine_prison_mois": "24", "amende_fcfa": "500 000"},
    {"numero_parquet": "RP 40/2024", "date_signalement": "05/11/2024", "source": "ngo",
     "transfrontalier": "non", "victime_nom": "SOW", "victime_prenoms": "Aïssatou",
     "victime_sexe": "F", "victime_age_estime": "15", "victime_nationalite": "SN",
     "forme_exploitation": "forced_labour", "sous_type": "DomesticWork",
     "etape": "signalement", "date_etape": "05/11/2024"},
)
MODELS = [m for m in apps.get_models() if m._meta.app_label in {"cases", "people", "audit", "sync"}]


@pytest.fixture
def clerk_user() -> User:
    return make_user("clerk")[0]


def write_csv(path: Path, rows: Iterable[Mapping[str, str]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in MODELS}


def with_(row: Mapping[str, str], **changes: str) -> dict[str, str]:
    return {**row, **changes}


def test_a_valid_register_imports_its_cases_survivors_authors_and_steps(
        tmp_path: Path, clerk_user: User) -> None:
    report = register_import(path=write_csv(tmp_path / "r.csv", ROWS), actor=clerk_user)
    assert report.rejected == []
    assert (report.cases, report.survivors, report.traffickers, report.steps) == (2, 3, 1, 3)
    case = Case.objects.get(parquet_number="RP 12/2025")
    assert (case.survivor_links.count(), case.defendants.count(), case.stage) == (2, 1, "judged")
    charge = Charge.objects.get()
    assert (charge.offence, charge.survivors.count()) == ("L2005-06-art3", 2)
    judgment = ProcedureStep.objects.get(step="judgment")
    assert (judgment.prison_months, judgment.fine_fcfa, judgment.defendant_id) == (
        24, 500000, Defendant.objects.get().pk)


def test_imported_names_are_encrypted_at_rest(tmp_path: Path, clerk_user: User) -> None:
    register_import(path=write_csv(tmp_path / "r.csv", ROWS), actor=clerk_user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name, given_names FROM people_survivor "
                       "UNION ALL SELECT family_name, given_names FROM people_trafficker")
        stored = " ".join(v for row in cursor.fetchall() for v in row)
    assert stored and not any(n in stored for n in ("DIALLO", "Mamadou", "SOW", "Oumar"))
    assert {s.family_name for s in Survivor.objects.all()} == {"DIALLO", "BALDE", "SOW"}


def test_every_record_is_audited_with_the_importing_user(tmp_path: Path,
                                                         clerk_user: User) -> None:
    from node.audit.models import AuditEntry

    register_import(path=write_csv(tmp_path / "r.csv", ROWS), actor=clerk_user)
    entries = AuditEntry.objects.filter(actor_id=clerk_user.pk)
    assert entries.filter(target_type="survivor", action="create").count() == 3
    assert entries.filter(target_type="register", action="import").count() == 1


def test_a_register_age_is_the_age_at_the_report(tmp_path: Path, clerk_user: User) -> None:
    register_import(path=write_csv(tmp_path / "r.csv", ROWS[2:]), actor=clerk_user)
    survivor = Survivor.objects.get()
    assert (survivor.birth_year, survivor.age_is_estimated) == (2009, True)
    assert survivor.case_links.get().age_at_identification == 15


def test_the_xlsx_template_round_trips(tmp_path: Path, clerk_user: User) -> None:
    path = tmp_path / "registre.xlsx"
    template_write_xlsx(path, ROWS)
    report = register_import(path=path, actor=clerk_user)
    assert report.rejected == []
    assert (report.cases, report.survivors, report.steps) == (2, 3, 3)


def test_the_shipped_templates_have_every_column_and_no_example_line(tmp_path: Path,
                                                                     clerk_user: User) -> None:
    data = Path(__file__).parents[3] / "node" / "imports" / "data"
    for name in ("modele-registre.csv", "modele-registre.xlsx"):
        report = register_import(path=data / name, actor=clerk_user)
        assert (report.rows, report.rejected, report.imported) == (0, [], False)
    header = (data / "modele-registre.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(";") == list(COLUMN_NAMES)


def test_one_bad_line_writes_nothing_at_all(tmp_path: Path, clerk_user: User) -> None:
    rows = [*ROWS, with_(ROWS[2], numero_parquet="RP 41/2024", victime_sexe="X")]
    before = counts()
    report = register_import(path=write_csv(tmp_path / "r.csv", rows), actor=clerk_user)
    assert counts() == before
    assert report.imported is False and report.survivors == 0
    assert report.rejected == [RejectedRow(5, "victime_sexe",
                                           "Code inconnu « X » (liste gender).")]


def test_a_rule_of_the_services_rejects_the_line_and_the_whole_file(
        tmp_path: Path, clerk_user: User) -> None:
    # A step before the report: only the service, on the real case, knows it.
    rows = [*ROWS, with_(ROWS[2], etape="judgment", date_etape="01/01/2024",
                         auteur_nom="NDIAYE")]
    before = counts()
    report = register_import(path=write_csv(tmp_path / "r.csv", rows), actor=clerk_user)
    assert counts() == before
    assert report.rejected == [RejectedRow(
        5, "date_etape", "L'acte ne peut pas précéder le signalement de l'affaire.")]


def test_with_import_valid_rows_the_good_lines_land_and_the_bad_is_reported(
        tmp_path: Path, clerk_user: User) -> None:
    rows = [*ROWS, with_(ROWS[2], numero_parquet="RP 41/2024", date_signalement="31/02/2024")]
    report = register_import(path=write_csv(tmp_path / "r.csv", rows), actor=clerk_user,
                             import_valid_rows=True)
    assert report.imported and (report.cases, report.survivors) == (2, 3)
    assert [(r.line, r.field) for r in report.rejected] == [(5, "date_signalement")]
    assert report.rejected[0].message.startswith("Date invalide « 31/02/2024 »")
    assert not Case.objects.filter(parquet_number="RP 41/2024").exists()


def test_french_labels_are_read_as_codes(tmp_path: Path, clerk_user: User) -> None:
    row = with_(ROWS[0], source="Gendarmerie", victime_sexe="Masculin",
                victime_nationalite="guinée-bissau", forme_exploitation="Mendicité",
                sous_type="Mendicité des talibés (daara)",
                infraction="Exploitation de la mendicité d'autrui", etape="Garde à vue",
                auteur_profession="MAITRE CORANIQUE (marabout)")
    report = register_import(path=write_csv(tmp_path / "r.csv", [row]), actor=clerk_user)
    assert report.rejected == []
    survivor = Survivor.objects.get()
    assert (survivor.sex, survivor.nationality, survivor.talibe) == ("Male", "GW", True)
    assert (Exploitation.objects.get().form, Exploitation.objects.get().subtype) == (
        "begging", "talibe_begging")
    assert Trafficker.objects.get().occupation == "quranic_teacher"
    assert Case.objects.get().identification_source == "gendarmerie"


def test_an_ambiguous_label_is_refused_naming_the_candidates(tmp_path: Path,
                                                             clerk_user: User) -> None:
    # Begins two offence labels: with torture..., with aggravating circumstances.
    bad = with_(ROWS[0], infraction="Traite des personnes avec")
    report = register_import(path=write_csv(tmp_path / "r.csv", [bad]), actor=clerk_user)
    assert [r.field for r in report.rejected] == ["infraction"]
    assert report.rejected[0].message.startswith("Valeur ambiguë")


def test_a_semicolon_csv_with_a_bom_is_read(tmp_path: Path, clerk_user: User) -> None:
    path = write_csv(tmp_path / "r.csv", ROWS, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = register_import(path=path, actor=clerk_user)
    assert report.rejected == [] and report.cases == 2
    assert "Aïssatou" in {s.given_names for s in Survivor.objects.all()}


def test_the_template_csv_writer_output_is_importable(tmp_path: Path, clerk_user: User) -> None:
    path = tmp_path / "r.csv"
    template_write_csv(path, ROWS)
    assert register_import(path=path, actor=clerk_user).survivors == 3


def test_an_existing_case_is_completed_and_a_second_import_adds_nothing(
        tmp_path: Path, clerk_user: User) -> None:
    register_import(path=write_csv(tmp_path / "a.csv", ROWS[:1]), actor=clerk_user)
    report = register_import(path=write_csv(tmp_path / "b.csv", ROWS), actor=clerk_user)
    assert (report.cases, report.cases_reused, report.survivors, report.traffickers) == (
        1, 1, 2, 0)
    before = counts()
    again = register_import(path=write_csv(tmp_path / "c.csv", ROWS), actor=clerk_user)
    assert (again.cases, again.survivors, again.traffickers, again.steps) == (0, 0, 0, 0)
    assert {k: v for k, v in counts().items() if "audit" not in k.lower()} == {
        k: v for k, v in before.items() if "audit" not in k.lower()}


def test_lines_of_one_case_must_agree_on_the_case_columns(tmp_path: Path,
                                                          clerk_user: User) -> None:
    rows = [ROWS[0], with_(ROWS[1], source="ngo")]
    report = register_import(path=write_csv(tmp_path / "r.csv", rows), actor=clerk_user)
    assert [(r.line, r.field) for r in report.rejected] == [(3, "source")]
    assert Case.objects.count() == 0


def test_an_unknown_column_blocks_the_import(tmp_path: Path, clerk_user: User) -> None:
    path = tmp_path / "r.csv"
    path.write_text("numero_parquet,date_signalement,source,victime_sex\n"
                    "RP 1/2025,01/02/2025,police,M\n", encoding="utf-8")
    report = register_import(path=path, actor=clerk_user, import_valid_rows=True)
    assert report.rejected == [RejectedRow(1, "victime_sex", "Colonne inconnue (voir le modèle).")]
    assert Case.objects.count() == 0


def test_a_user_without_the_import_right_is_refused(tmp_path: Path) -> None:
    judge = make_user("judge")[0]
    with pytest.raises(ImportRefused):
        register_import(path=write_csv(tmp_path / "r.csv", ROWS), actor=judge)


# The command ------------------------------------------------------------------


def run_command(*args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        call_command("import", *args)
    return int(exited.value.code or 0)


def test_the_command_imports_and_exits_0(tmp_path: Path, clerk_user: User,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "r.csv", ROWS)
    assert run_command(str(path), "--user", clerk_user.username) == 0
    out = capsys.readouterr().out
    assert "Import terminé : 3 ligne(s) ; 2 affaire(s) créée(s)" in out
    assert Case.objects.count() == 2


def test_the_command_lists_rejected_lines_and_exits_1(tmp_path: Path, clerk_user: User,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*ROWS, with_(ROWS[2], numero_parquet="RP 41/2024", victime_sexe="X")]
    path = write_csv(tmp_path / "r.csv", rows)
    assert run_command(str(path), "--user", clerk_user.username) == 1
    out = capsys.readouterr().out
    assert "ligne 5, victime_sexe : Code inconnu « X » (liste gender)." in out
    assert "Rien n'a été importé : 1 ligne(s) rejetée(s) sur 4." in out
    assert Case.objects.count() == 0


def test_the_command_with_import_valid_rows_still_exits_1(
        tmp_path: Path, clerk_user: User, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*ROWS, with_(ROWS[2], numero_parquet="RP 41/2024", victime_sexe="X")]
    path = write_csv(tmp_path / "r.csv", rows)
    assert run_command(str(path), "--user", clerk_user.username, "--import-valid-rows") == 1
    assert "Import partiel" in capsys.readouterr().out
    assert Case.objects.count() == 2


@pytest.mark.parametrize("name", ["r.txt", "absent.csv"])
def test_the_command_exits_2_for_a_file_it_cannot_read(
        tmp_path: Path, clerk_user: User, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        write_csv(path, ROWS)
    assert run_command(str(path), "--user", clerk_user.username) == 2
    assert "Import impossible" in capsys.readouterr().err


def test_the_command_exits_2_for_an_unknown_user(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "r.csv", ROWS)
    assert run_command(str(path), "--user", "personne") == 2
    assert "Utilisateur inconnu : « personne »." in capsys.readouterr().err
    assert Case.objects.count() == 0


def test_the_documented_example_lines_import_without_a_rejection(
        tmp_path: Path, clerk_user: User) -> None:
    from node.imports.template import EXAMPLE_ROWS

    report = register_import(path=write_csv(tmp_path / "r.csv", EXAMPLE_ROWS), actor=clerk_user)
    assert report.rejected == []
    assert (report.cases, report.survivors, report.traffickers) == (1, 2, 1)


FULL = with_(ROWS[0], victime_region_origine="Kolda", victime_pere="Alpha",
             victime_mere="Kadiatou BARRY", victime_vulnerabilites="Talibé, orphan",
             moyens_controle="Violences physiques; Confiscation des gains",
             mode_recrutement="Par la famille", type_lieu="Daara",
             auteur_lien="Maître coranique", auteur_roles="Exploiteur + Recruteur")


def test_filiation_vulnerabilities_means_relationship_and_roles_are_imported(
        tmp_path: Path, clerk_user: User) -> None:
    report = register_import(path=write_csv(tmp_path / "r.csv", [FULL]), actor=clerk_user)
    assert report.rejected == []
    survivor = Survivor.objects.get()
    assert (survivor.father_given_name, survivor.mother_name, survivor.origin_region) == (
        "Alpha", "Kadiatou BARRY", "SN-KD")
    assert sorted(survivor.vulnerabilities.values_list("code", flat=True)) == [
        "orphan", "talibe"]
    exploitation = Exploitation.objects.get()
    assert (exploitation.recruitment_method, exploitation.site_type) == ("Familial", "daara")
    assert sorted(exploitation.means.values_list("code", flat=True)) == [
        "PhysicalAbuse", "TakesEarnings"]
    defendant = Defendant.objects.get()
    assert defendant.relationship == "QuranicTeacher"
    assert sorted(defendant.roles.values_list("code", flat=True)) == [
        "Exploiter", "RecruiterOrIntermediary"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT father_given_name || mother_name FROM people_survivor")
        assert "Kadiatou" not in cursor.fetchone()[0]


def test_a_known_author_on_another_line_gains_its_roles_and_keeps_its_relationship(
        tmp_path: Path, clerk_user: User) -> None:
    second = with_(ROWS[1], auteur_roles="Transporteur", auteur_lien="")
    report = register_import(path=write_csv(tmp_path / "r.csv", [FULL, second]),
                             actor=clerk_user)
    assert report.rejected == []
    defendant = Defendant.objects.get()
    assert defendant.relationship == "QuranicTeacher"
    assert sorted(defendant.roles.values_list("code", flat=True)) == [
        "Exploiter", "RecruiterOrIntermediary", "Transporter"]
    again = register_import(path=write_csv(tmp_path / "r.csv", [FULL, second]), actor=clerk_user)
    assert (again.rejected, again.survivors, again.traffickers, again.steps) == ([], 0, 0, 0)


def test_a_line_giving_another_relationship_for_the_same_author_is_refused(
        tmp_path: Path, clerk_user: User) -> None:
    before = counts()
    rows = [FULL, with_(ROWS[1], auteur_lien="Employeur")]
    report = register_import(path=write_csv(tmp_path / "r.csv", rows), actor=clerk_user)
    assert counts() == before
    assert [(r.line, r.field) for r in report.rejected] == [(3, "auteur_lien")]
    assert "Maître coranique" in report.rejected[0].message


@pytest.mark.parametrize(("column", "value"), [
    ("moyens_controle", "Menaces, Sortilège"),
    ("auteur_roles", "Exploiteur,Chef"),
    ("victime_vulnerabilites", "Orphelin|Inconnue"),
    ("victime_region_origine", "Casamance"),
    ("type_lieu", "Plage"),
])
def test_an_unknown_value_in_a_new_column_is_refused_naming_it(
        tmp_path: Path, clerk_user: User, column: str, value: str) -> None:
    report = register_import(path=write_csv(tmp_path / "r.csv", [with_(FULL, **{column: value})]),
                             actor=clerk_user)
    assert [r.field for r in report.rejected] == [column]
    assert Case.objects.count() == 0


def test_an_author_column_without_an_author_is_refused(tmp_path: Path,
                                                       clerk_user: User) -> None:
    row = with_(ROWS[2], auteur_roles="Exploiteur")
    report = register_import(path=write_csv(tmp_path / "r.csv", [row]), actor=clerk_user)
    assert [(r.line, r.field) for r in report.rejected] == [(2, "auteur_roles")]


def test_an_exploitation_column_without_a_form_is_refused_on_the_form(
        tmp_path: Path, clerk_user: User) -> None:
    row = with_(ROWS[2], forme_exploitation="", sous_type="", moyens_controle="Menaces")
    report = register_import(path=write_csv(tmp_path / "r.csv", [row]), actor=clerk_user)
    assert [(r.line, r.field) for r in report.rejected] == [(2, "forme_exploitation")]
