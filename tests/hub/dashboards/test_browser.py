"""The dashboards in a real browser: Debian's chromium, driven by Playwright, against
the live server, with aggregates seeded for two nodes (tests/hub/dashboards/support.py).

Each expected figure below is added up by hand from ``SEED``: an analyst reads it
exactly; a partner reads rounded or withheld figures; French and English render.
Screenshots go to var/test-output/screenshots/hub/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.hub.dashboards.support import EXPECTED_FORM_SEX, YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READ_TABLE = """(caption) => {
  const table = [...document.querySelectorAll("table")]
    .find((t) => t.caption && t.caption.textContent.trim() === caption);
  if (!table) { return null; }
  const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent.trim());
  const out = {};
  for (const row of table.tBodies[0].rows) {
    const cells = [...row.cells];
    const values = {};
    cells.slice(1).forEach((c, i) => { values[heads[i + 1]] = c.childNodes[0]
      ? c.childNodes[0].textContent.trim() : ""; });
    out[cells[0].textContent.trim()] = values;
  }
  return out;
}"""

# (dashboard path, table caption, row, column, the analyst's exact figure)
ANALYST_FIGURES = [
    ("vue-ensemble", "Victimes identifiées par région", "Kédougou", "Victimes", "39"),
    (
        "odd-16-2-2",
        "Victimes pour 100 000 habitants, par forme d'exploitation",
        "Mendicité forcée",
        "Victimes",
        "60",
    ),
    (
        "glotip",
        "Infractions retenues par article et sexe du prévenu",
        "Exploitation de la mendicité d'autrui",
        "Masculin",
        "14",
    ),
    (
        "glotip",
        "Personnes mises en cause, poursuivies et condamnées, par sexe",
        "Mis en cause",
        "Masculin",
        "14",
    ),
    ("chaine-penale", "Décisions par issue et instance", "Condamné", "Première instance", "5"),
    (
        "mendicite",
        "Victimes de la mendicité forcée par pays d'origine (talibés ou non)",
        "Total",
        "Oui",
        "39",
    ),
    (
        "controle-recrutement",
        "Moyens de contrôle par groupe d'âge",
        "Menaces",
        "Enfant (moins de 18 ans)",
        "33",
    ),
    ("orientations", "Orientations par type de service et statut", "Hébergement", "Total", "15"),
]


def _open(page: Any, live_server: Any, path: str, **params: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
    response = page.goto(f"{live_server.url}/tableaux/{path}/?{query}")
    assert response.status == 200, path
    page.wait_for_load_state("load")


def _table(page: Any, caption: str) -> dict[str, dict[str, str]]:
    table = page.evaluate(READ_TABLE, caption)
    assert table is not None, f"no table captioned {caption!r}"
    return table  # type: ignore[no-any-return]


def _charts_drawn(page: Any) -> int:
    return page.evaluate("() => window.Chart ? Object.keys(window.Chart.instances).length : 0")


def test_an_analyst_reads_exact_figures_on_every_dashboard(
    seeded: None,
    browser_login: Callable[[str], Any],
    live_server: Any,
    screenshot: Callable[[str], Path],
) -> None:
    page = browser_login("analyst")
    _open(page, live_server, "vue-ensemble")
    table = _table(page, "Victimes par forme d'exploitation et sexe")
    for row, expected in EXPECTED_FORM_SEX.items():
        assert {col: table[row][col] for col in expected} == expected, row
    assert page.get_by_text("Chiffres exacts, réservés aux analystes").is_visible()
    assert _charts_drawn(page) >= 2
    screenshot("analyst-overview-fr")
    for path, caption, row, column, expected in ANALYST_FIGURES:
        _open(page, live_server, path)
        assert _table(page, caption)[row][column] == expected, (path, caption, row, column)
        screenshot(f"analyst-{path}-fr")


def test_an_analyst_reads_the_pipeline_and_quality_headlines(
    seeded: None,
    browser_login: Callable[[str], Any],
    live_server: Any,
    screenshot: Callable[[str], Path],
) -> None:
    page = browser_login("analyst")
    _open(page, live_server, "chaine-penale")
    rate = page.locator(".kpi", has_text="Taux de condamnation").locator(".big").inner_text()
    assert rate == "71,4\u00a0%"  # 5 convicted / (5 + 2) at first instance
    _open(page, live_server, "qualite")
    rows = _table(page, "Fraîcheur et qualité des données par juridiction")
    assert set(rows) == {
        "Tribunal de grande instance de Kédougou (sn-tgi-ked)",
        "Tribunal de grande instance de Saint-Louis (sn-tgi-stl)",
    }
    screenshot("analyst-qualite-fr")


def test_a_partner_sees_rounded_and_withheld_figures_with_one_symbol(
    seeded: None,
    browser_login: Callable[[str], Any],
    live_server: Any,
    screenshot: Callable[[str], Path],
) -> None:
    page = browser_login("partner")
    _open(page, live_server, "vue-ensemble")
    table = _table(page, "Victimes par forme d'exploitation et sexe")
    assert table["Mendicité forcée"]["Masculin"] == "55"  # 54 rounded to base 5
    shown = [v for row in table.values() for v in row.values()]
    assert "—" in shown
    assert all(v == "—" or int(v) % 5 == 0 for v in shown), shown
    assert page.get_by_text("Chiffres protégés (secret statistique).").is_visible()
    assert page.locator("text=< 10").count() == 0  # one symbol, whatever the reason
    screenshot("partner-overview-fr")
    _open(page, live_server, "mendicite")
    shown = [
        v
        for row in _table(
            page, "Victimes de la mendicité forcée par pays d'origine (talibés ou non)"
        ).values()
        for v in row.values()
    ]
    assert "39" not in shown and "22" not in shown and "17" not in shown
    screenshot("partner-mendicite-fr")


def test_the_english_version_renders(
    seeded: None,
    browser_login: Callable[[str], Any],
    live_server: Any,
    screenshot: Callable[[str], Path],
) -> None:
    page = browser_login("analyst")
    _open(page, live_server, "vue-ensemble")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Overview"
    table = _table(page, "Survivors by form of exploitation and sex")
    assert table["Forced begging"]["Male"] == "54"
    assert re.search(r"Period: January 2024 to December 2024", page.content())
    screenshot("analyst-overview-en")
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Vue d'ensemble"


def test_the_filters_are_usable_with_the_keyboard(
    seeded: None,
    browser_login: Callable[[str], Any],
    live_server: Any,
) -> None:
    page = browser_login("analyst")
    _open(page, live_server, "vue-ensemble")
    page.get_by_label("Région", exact=True).select_option("SN-KE")
    page.get_by_label("Région", exact=True).press("Tab")
    page.get_by_role("button", name="Afficher").press("Enter")
    page.wait_for_url(re.compile(r"region=SN-KE"))
    table = _table(page, "Victimes par forme d'exploitation et sexe")
    assert table["Total"]["Total"] == "39"


PAGE_BUDGET = 300_000  # bytes, uncompressed, the page and every asset it loads


def test_a_dashboard_loads_nothing_from_outside_and_stays_small(
    seeded: None, browser_login: Callable[[str], Any], live_server: Any,
) -> None:
    page = browser_login("analyst")
    loaded: dict[str, int] = {}
    page.on("response", lambda r: loaded.__setitem__(r.url, len(r.body())))
    _open(page, live_server, "vue-ensemble")
    page.wait_for_load_state("networkidle")
    outside = [url for url in loaded if not url.startswith(live_server.url)]
    assert outside == []
    weight = sum(loaded.values())
    print(f"overview page weight: {weight} bytes in {len(loaded)} responses: {loaded}")
    assert weight < PAGE_BUDGET
