"""The register template: its columns, an example, and the CSV and XLSX files.

One row is one survivor in one case; the case's columns are repeated on each of
its rows, as in a parquet's paper register. ``docs/import-template.md`` explains
the columns to greffiers; the files in ``data/`` are regenerated with
``python -m node.imports.template`` so that they never drift from ``COLUMNS``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
TEMPLATE_NAME = "modele-registre"


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("numero_parquet", "Numéro du registre du parquet (ex. RP 12/2025)", True),
    Column("date_signalement", "Date du signalement : JJ/MM/AAAA ou AAAA-MM-JJ", True),
    Column("source", "Source du signalement (liste identification_source)", True),
    Column("transfrontalier", "Affaire transfrontalière : oui ou non"),
    Column("victime_nom", "Nom de famille de la victime"),
    Column("victime_prenoms", "Prénom(s) de la victime"),
    Column("victime_sexe", "M, F, ou libellé de la liste gender (Masculin, Féminin...)"),
    Column("victime_date_naissance", "Date de naissance (sinon âge estimé)"),
    Column("victime_age_estime", "Âge estimé en années (si pas de date de naissance)"),
    Column("victime_nationalite", "Code ISO à 2 lettres ou nom du pays (liste country)"),
    Column("victime_pays_origine", "Pays d'origine : code ISO ou nom du pays"),
    Column("victime_region_origine", "Région d'origine au Sénégal (liste region)"),
    Column("victime_pere", "Prénom du père de la victime (filiation)"),
    Column("victime_mere", "Prénom et nom de la mère de la victime (filiation)"),
    Column("victime_talibe", "Enfant talibé : oui ou non"),
    Column(
        "victime_vulnerabilites", "Vulnérabilités, séparées par des virgules (liste vulnerability)"
    ),
    Column("forme_exploitation", "Forme d'exploitation (liste exploitation_form)"),
    Column("sous_type", "Sous-type (liste exploitation_subtype)"),
    Column(
        "moyens_controle", "Moyens de contrôle, séparés par des virgules (liste means_of_control)"
    ),
    Column("mode_recrutement", "Mode de recrutement (liste recruitment_method)"),
    Column("type_lieu", "Type de lieu d'exploitation (liste site_type)"),
    Column("auteur_nom", "Nom de famille de l'auteur présumé"),
    Column("auteur_prenoms", "Prénom(s) de l'auteur présumé"),
    Column("auteur_sexe", "Sexe de l'auteur"),
    Column("auteur_profession", "Profession de l'auteur (liste occupation)"),
    Column("auteur_lien", "Lien de l'auteur avec la victime (liste recruiter_relationship)"),
    Column("auteur_roles", "Rôles de l'auteur, séparés par des virgules (liste perpetrator_role)"),
    Column("infraction", "Infraction reprochée à l'auteur (liste offence, ex. L2005-06-art3)"),
    Column("etape", "Étape de la procédure (liste procedure_step)"),
    Column("date_etape", "Date de l'étape : JJ/MM/AAAA ou AAAA-MM-JJ"),
    Column("decision", "Décision de l'étape (liste outcome : Condamné, Relaxé...)"),
    Column("peine_prison_mois", "Peine d'emprisonnement ferme, en mois"),
    Column("amende_fcfa", "Amende en francs CFA"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = frozenset(c.name for c in COLUMNS if c.required)

EXAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {
        "numero_parquet": "RP 12/2025",
        "date_signalement": "10/03/2025",
        "source": "Police",
        "transfrontalier": "oui",
        "victime_nom": "DIALLO",
        "victime_prenoms": "Mamadou",
        "victime_sexe": "M",
        "victime_age_estime": "11",
        "victime_nationalite": "Guinée-Bissau",
        "victime_pays_origine": "GW",
        "victime_pere": "Alpha",
        "victime_mere": "Kadiatou BARRY",
        "victime_talibe": "oui",
        "victime_vulnerabilites": "Talibé, Mineur non accompagné",
        "forme_exploitation": "Mendicité",
        "sous_type": "talibe_begging",
        "moyens_controle": "Violences physiques, Confiscation des gains",
        "mode_recrutement": "Par la famille",
        "type_lieu": "Daara",
        "auteur_nom": "BA",
        "auteur_prenoms": "Oumar",
        "auteur_sexe": "M",
        "auteur_profession": "quranic_teacher",
        "auteur_lien": "Maître coranique",
        "auteur_roles": "Recruteur ou intermédiaire, Exploiteur",
        "infraction": "L2005-06-art3",
        "etape": "Garde à vue",
        "date_etape": "11/03/2025",
    },
    {
        "numero_parquet": "RP 12/2025",
        "date_signalement": "10/03/2025",
        "source": "Police",
        "transfrontalier": "oui",
        "victime_nom": "BALDÉ",
        "victime_prenoms": "Saliou",
        "victime_sexe": "Masculin",
        "victime_date_naissance": "2014-05-02",
        "victime_nationalite": "GW",
        "victime_talibe": "oui",
        "forme_exploitation": "begging",
        "auteur_nom": "BA",
        "auteur_prenoms": "Oumar",
        "auteur_sexe": "M",
        "infraction": "L2005-06-art3",
        "etape": "judgment",
        "date_etape": "02/06/2025",
        "decision": "Condamné",
        "peine_prison_mois": "24",
        "amende_fcfa": "500 000",
    },
)


def template_write_csv(path: Path, rows: Iterable[Mapping[str, str]] = ()) -> None:
    """UTF-8 with BOM and ";": what Excel in French opens correctly by double-click.

    The shipped template has no example row: a forgotten example would be
    imported as a real case of the parquet. The example is in the docs.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def template_write_xlsx(path: Path, rows: Iterable[Mapping[str, str]] = ()) -> None:
    """The register sheet (read by the import), then help and example sheets (ignored by it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Registre"
    _append_rows(sheet, rows)
    notes = book.create_sheet("Colonnes")
    notes.append(["colonne", "obligatoire", "contenu"])
    for column in COLUMNS:
        notes.append([column.name, "oui" if column.required else "non", column.help])
    _append_rows(book.create_sheet("Exemple"), EXAMPLE_ROWS)
    book.save(path)


def _append_rows(sheet: Any, rows: Iterable[Mapping[str, str]]) -> None:
    from openpyxl.styles import Font

    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMN_NAMES])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


if __name__ == "__main__":
    template_write_csv(DATA_DIR / f"{TEMPLATE_NAME}.csv")
    template_write_xlsx(DATA_DIR / f"{TEMPLATE_NAME}.xlsx")
