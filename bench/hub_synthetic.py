"""Synthetic federations for the hub benchmarks: a judicial map with as many TGIs as
nodes, and each node's aggregate cells, pushed through the real signed ingest.

Why a generated map: the registry accepts one active node per TGI and the shipped
map has 16, so 60 or 600 nodes need more TGIs. ``judicial_map_install`` writes an
extended ``court.json`` to a directory and points ``SYSTRAITE_CODES_DIR`` (the
administrator override of shared/codes.py) at it; the other lists fall back to
the shipped ones. Synthetic TGIs hang under the six real cours d'appel and are
spread over the fourteen regions, so geography cuts look like the real ones.
It must run before anything reads the court list (the lists are cached per
process), hence before ``django_setup``.

Why the real ingest to load cells: every cell then passed the same signature,
schema and code checks a node's push does, and lands in the rows the ingest
writes (Cell, TableMonthState, the node's sequence and last success), with no
second writer to keep in step. It costs about a COPY of the same rows
(bench/hub_ingest.py), a few seconds per 100,000 cells.

The cells are drawn per node and month from Senegal-like distributions (the
orders of magnitude of docs/synthetic-data.md: forced begging of talibé boys
first, then domestic servitude and sexual exploitation; mostly Senegalese,
then Bissau-Guinean, Guinean, Malian and Gambian survivors; more children than
adults). Survivor tables are cut from one drawn person each, so their margins
agree as real aggregates do; the other tables draw each dimension on its own.
"""

from __future__ import annotations

import atexit
import gzip
import json
import math
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

Key = tuple[str, ...]
Parts = dict[tuple[str, str], dict[Key, int]]
SUBMISSIONS = "/api/v1/submissions/"
YEARS = 10

# --- the judicial map -------------------------------------------------------------------


def judicial_map_install(directory: Path, tgis: int) -> None:
    """An override ``court.json`` with ``tgis`` TGIs in all (the shipped ones first)."""
    from importlib import resources

    shipped = json.loads(resources.files("shared").joinpath("data", "codes", "court.json")
                         .read_text(encoding="utf-8"))
    courts = shipped["codes"]
    appeal_of_region = {c["region"]: c["parent"] for c in courts if c.get("kind") == "tgi"}
    regions = sorted(appeal_of_region)
    existing = sum(1 for c in courts if c.get("kind") == "tgi")
    for number in range(max(tgis - existing, 0)):
        region = regions[number % len(regions)]
        courts.append({
            "code": f"SN-TGI-X{number + 1:03d}",
            "fr": f"Tribunal de grande instance synthétique {number + 1}",
            "en": f"Synthetic high court {number + 1}",
            "parent": appeal_of_region[region],
            "kind": "tgi", "region": region, "pilot": False, "verify": True,
            "synthetic": True,
        })
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "court.json").write_text(json.dumps(shipped, ensure_ascii=False),
                                          encoding="utf-8")
    os.environ["SYSTRAITE_CODES_DIR"] = str(directory)


def judicial_map_temporary(tgis: int) -> None:
    """``judicial_map_install`` in a directory removed when the process exits."""
    directory = Path(tempfile.mkdtemp(prefix="bench-codes-"))
    atexit.register(shutil.rmtree, directory, True)
    judicial_map_install(directory, tgis)


# --- distributions ---------------------------------------------------------------------

# Weights of the code lists where Senegal's cases are far from uniform; any code not
# named gets the weight of the smallest one named. Other lists: a Zipf law in file order.
WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "gender": {"Male": 0.55, "Female": 0.43, "TransgenderNonConforming": 0.002,
               "Unknown": 0.018},
    "age_band": {"0-8": 0.22, "9-17": 0.45, "18-20": 0.08, "21-23": 0.06, "24-26": 0.05,
                 "27-29": 0.04, "30-38": 0.05, "39-47": 0.02, "48+": 0.01, "unknown": 0.02},
    "exploitation_form": {"begging": 0.5, "forced_labour": 0.17, "sexual_exploitation": 0.15,
                          "forced_marriage": 0.04, "forced_criminality": 0.03, "mixed": 0.04,
                          "other": 0.03, "organ_removal": 0.001, "unknown": 0.03},
    "country": {"SN": 0.7, "GW": 0.1, "GN": 0.06, "ML": 0.05, "GM": 0.04, "NG": 0.02,
                "BF": 0.01, "SL": 0.005, "CI": 0.005, "MR": 0.005, "XX": 0.01,
                "CN": 0.001, "FR": 0.001},
}


@dataclass(frozen=True)
class Draw:
    codes: tuple[str, ...]
    cumulative: tuple[float, ...]

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.codes, cum_weights=self.cumulative)[0]


def _draw(list_name: str) -> Draw:
    from shared.codes import code_list

    codes = code_list(list_name).codes()
    named = WEIGHTS.get(list_name)
    if named:
        floor = min(named.values()) / 10
        weights = [named.get(code, floor) for code in codes]
    else:
        weights = [1 / (rank + 1) for rank in range(len(codes))]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return Draw(codes, tuple(cumulative))


# Units of each table per survivor identified (cases hold ~2.5 survivors, ~1.2 defendants).
PER_SURVIVOR = {"traffickers": 0.5, "cases": 0.4, "charges": 0.6, "decisions": 0.25,
                "procedure_events": 1.2, "referrals": 1.0}
# Tables counting one row per case for several rows (transitions, durations).
PER_CASE_TABLE = {"case_stage_transitions": 2.0, "durations": 0.6, "case_closure_lag": 1.0,
                  "sentences_offence_prison_fine": 0.5}


class CellMaker:
    """Cells of one node, month by month, from one seeded random stream."""

    def __init__(self, seed: str, survivors_per_month: float) -> None:
        from shared.catalogue import catalogue

        self.rng = random.Random(seed)
        self.mean = survivors_per_month
        self.tables = list(catalogue().values())
        lists = {d.code_list for t in self.tables for d in t.dimensions}
        self.draws: dict[str, Draw] = {name: _draw(name) for name in lists}

    def month(self, month: str) -> Parts:
        """Every non-empty (table, month) of this node's month."""
        survivors = [self._person() for _ in range(_poisson(self.rng, self.mean))]
        parts: Parts = {}
        for table in self.tables:
            cells: dict[Key, int] = {}
            if table.unit == "survivors":
                for person in survivors:
                    for key in _keys(table.dimension_names, person):
                        cells[key] = cells.get(key, 0) + 1
            else:
                ratio = PER_CASE_TABLE.get(table.name, PER_SURVIVOR.get(table.unit, 0.5))
                for _ in range(_poisson(self.rng, len(survivors) * ratio)):
                    key = tuple(self.draws[d.code_list](self.rng) for d in table.dimensions)
                    cells[key] = cells.get(key, 0) + 1
            if cells:
                parts[(table.name, month)] = cells
        return parts

    def _person(self) -> dict[str, Any]:
        from shared.codes import code_list, flow_type_for

        rng, draw = self.rng, self.draws
        form = draw["exploitation_form"](rng)
        band = draw["age_band"](rng)
        if form == "begging" and rng.random() < 0.9:  # talibé and street children
            band = rng.choice(("0-8", "9-17"))
        attrs = code_list("age_band").get(band).attrs
        group = "unknown" if "max" not in attrs else ("child" if attrs["max"] < 18 else "adult")
        sex = "Male" if form == "begging" and rng.random() < 0.9 else draw["gender"](rng)
        origin = draw["country"](rng)
        return {
            "sex": sex, "age_band": band, "age_group": group, "form": form,
            "citizenship": origin if rng.random() < 0.95 else draw["country"](rng),
            "origin_country": origin, "flow": flow_type_for(origin),
            "talibe": "yes" if form == "begging" and rng.random() < 0.85 else "no",
            "means_of_control": _several(rng, draw["means_of_control"]),
            "recruitment": _several(rng, draw["recruitment_method"]),
            "relationship": _several(rng, draw["recruiter_relationship"]),
        }


def _several(rng: random.Random, draw: Callable[[random.Random], str]) -> tuple[str, ...]:
    """One to three values of a multi-valued attribute."""
    return tuple(sorted({draw(rng) for _ in range(rng.choice((1, 1, 2, 3)))}))


def _keys(names: tuple[str, ...], person: Mapping[str, Any]) -> Iterable[Key]:
    """The cells one person counts in: one per value of each multi-valued attribute."""
    options = [person[n] if isinstance(person[n], tuple) else (person[n],) for n in names]
    keys: list[Key] = [()]
    for values in options:
        keys = [(*key, value) for key in keys for value in values]
    return keys


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (means here are small)."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def months_back(count: int, *, last: date) -> list[str]:
    """``count`` months ending with ``last``'s month, oldest first, as YYYY-MM."""
    index = last.year * 12 + last.month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def node_size(rng: random.Random) -> float:
    """A jurisdiction's weight: log-normal, Dakar-like courts several times the median."""
    return min(rng.lognormvariate(0, 0.6), 5.0)


# --- nodes and pushes -------------------------------------------------------------------


@dataclass
class SimNode:
    node_id: str
    jurisdiction: str
    key: Any
    sequence: int = 0

    def body(self, parts: Parts, *, full: bool = False) -> bytes:
        """A signed, gzipped payload carrying ``parts``, as a node's sync would send it."""
        from shared import signing
        from shared.payload import CONTRACT_VERSION, Payload, encode_table_month

        self.sequence += 1
        payload = Payload(contract=CONTRACT_VERSION, node_id=self.node_id,
                          jurisdiction=self.jurisdiction, sequence=self.sequence,
                          built_at=datetime.now(UTC), key_id=signing.key_id(self.key.public_key()),
                          full=full, tables=[encode_table_month(t, m, c)
                                             for (t, m), c in sorted(parts.items())])
        envelope = signing.sign_document(payload.document(), self.key)
        return gzip.compress(json.dumps(envelope, separators=(",", ":")).encode())


def nodes_register(count: int, *, first: int = 0) -> list[SimNode]:
    """Register nodes for the TGIs ``first`` to ``count - 1`` of the (generated) map."""
    from hub.registry.services import node_register
    from shared import signing
    from shared.codes import jurisdictions

    courts = jurisdictions()
    if len(courts) < count:
        raise RuntimeError(f"the judicial map has {len(courts)} TGIs, {count} nodes asked")
    nodes = []
    for court in courts[first:count]:
        key = signing.generate_private_key()
        node = node_register(jurisdiction=court.code,
                             public_key_pem=signing.public_key_to_pem(key.public_key())).node
        nodes.append(SimNode(node.node_id, court.code, key))
    return nodes


def push(client: Any, body: bytes) -> None:
    """POST a payload to the real ingest API; anything but 201 stops the benchmark."""
    response = client.post(SUBMISSIONS, data=body, content_type="application/json",
                           HTTP_CONTENT_ENCODING="gzip")
    if response.status_code != 201:
        raise RuntimeError(f"ingest answered {response.status_code}: {response.content[:300]!r}")
