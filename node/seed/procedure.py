"""The procedure of one synthetic case: dated steps from report to appeal judgment.

Why its own module: it is the part the hub's pipeline tables (stages, attrition,
durations, sentences) are computed from, so its rules are worth reading on
their own. Each step follows the one it depends on by a realistic delay (days
for custody and referral, months for an investigation or an appeal), about 30%
of cases are dropped (classement sans suite), and every step after ``today``
is cut, which leaves recent cases pending at the stage they have reached.
Sentences stay within the range of the principal offence charged, read from
the ``offence`` code list, so a corrected range changes the generator too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from shared.codes import code_list

DROP_RATE = 0.3
APPEAL_RATE = 0.25


@dataclass(frozen=True)
class ChargeSeed:
    offence: str
    charged_on: date


@dataclass(frozen=True)
class StepSeed:
    """One step; ``defendant`` is the index of the defendant in the case, or None."""

    step: str
    occurred_on: date
    defendant: int | None = None
    outcome: str = ""
    prison_months: int | None = None
    suspended_months: int | None = None
    fine_fcfa: int | None = None
    damages_fcfa: int | None = None
    court: str = ""


def _after(rng: random.Random, day: date, low: int, high: int) -> date:
    return day + timedelta(days=rng.randint(low, high))


def procedure_steps(
    rng: random.Random,
    *,
    reported_on: date,
    today: date,
    defendants: list[tuple[ChargeSeed, ...]],
    minors: bool,
    received_from: str,
    transfer_to: str,
) -> list[StepSeed]:
    """Every step of the case up to ``today``, in the order they happened.

    Sorted as ``case_stage_refresh`` sorts (date, then usual order), so steps
    written in this order get ids that keep the services' tie-break too.
    """
    first = "referral_in" if received_from else "signalement"
    steps = [StepSeed(first, reported_on, court=received_from)]
    day = _after(rng, reported_on, 0, 7)
    steps.append(StepSeed("preliminary_investigation", day))
    if rng.random() < 0.02:
        steps.append(StepSeed("transfer", _after(rng, day, 5, 60), court=transfer_to))
    elif not defendants or rng.random() < DROP_RATE:
        steps.append(StepSeed("classement_sans_suite", _after(rng, day, 20, 240)))
    else:
        steps.extend(_prosecuted(rng, day, defendants, minors))
    steps.sort(key=lambda s: (s.occurred_on, _order(s.step)))
    return [s for s in steps if s.occurred_on <= today]


def _order(step: str) -> int:
    return int(code_list("procedure_step").get(step).attrs.get("order", 0))


def _prosecuted(
    rng: random.Random, day: date, defendants: list[tuple[ChargeSeed, ...]], minors: bool
) -> list[StepSeed]:
    steps: list[StepSeed] = []
    deferred = day
    for index in range(len(defendants)):
        custody = _after(rng, day, 1, 30)
        deferred = max(deferred, _after(rng, custody, 1, 3))
        steps += [
            StepSeed("police_custody", custody, index),
            StepSeed("deferment", deferred, index),
        ]
    route = rng.random()
    if route < 0.35:
        steps += [
            StepSeed("prosecution_flagrant_delit", deferred, i) for i in range(len(defendants))
        ]
        trial = _after(rng, deferred, 7, 45)
    elif route < 0.5:
        steps += [
            StepSeed("prosecution_direct_summons", _after(rng, deferred, 1, 20), i)
            for i in range(len(defendants))
        ]
        trial = _after(rng, deferred, 30, 150)
    else:
        investigation, trial = _investigation(rng, deferred, len(defendants))
        steps += investigation
    return steps + _trial(rng, trial, defendants, minors)


def _investigation(rng: random.Random, opened: date, count: int) -> tuple[list[StepSeed], date]:
    """A judicial investigation: detention, some releases, committal months later."""
    steps = [StepSeed("judicial_investigation_opened", opened)]
    committal = _after(rng, opened, 150, 720)
    for index in range(count):
        if rng.random() < 0.8:
            steps.append(StepSeed("detention_order", opened, index))
            if rng.random() < 0.3:
                released = _after(rng, opened, 30, (committal - opened).days - 1)
                steps.append(StepSeed("provisional_release", released, index))
        steps.append(StepSeed("committal_for_trial", committal, index))
    return steps, _after(rng, committal, 30, 120)


def _trial(
    rng: random.Random, first_hearing: date, defendants: list[tuple[ChargeSeed, ...]], minors: bool
) -> list[StepSeed]:
    """Hearings (often adjourned), then a judgment per defendant, appeals and execution."""
    hearing = first_hearing
    steps = [StepSeed("hearing", hearing)]
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):  # renvois
        hearing = _after(rng, hearing, 14, 60)
        steps.append(StepSeed("hearing", hearing))
    judged = _after(rng, hearing, 0, 30)  # délibéré
    for index, charges in enumerate(defendants):
        steps += _judgment_and_after(rng, index, judged, charges, minors)
    return steps


def _judgment_and_after(
    rng: random.Random, index: int, judged: date, charges: tuple[ChargeSeed, ...], minors: bool
) -> list[StepSeed]:
    outcome = _outcome(
        rng, {"convicted": 0.7, "acquitted": 0.15, "requalified": 0.1, "dismissed": 0.05}
    )
    steps = [_decision(rng, "judgment", judged, index, outcome, charges, minors)]
    final, final_outcome = judged, outcome
    if rng.random() < APPEAL_RATE:
        appealed = _after(rng, judged, 2, 10)
        final = _after(rng, appealed, 120, 540)
        final_outcome = _outcome(rng, {"convicted": 0.65, "acquitted": 0.2, "requalified": 0.15})
        steps += [
            StepSeed("appeal", appealed, index),
            _decision(rng, "appeal_judgment", final, index, final_outcome, charges, minors),
        ]
        if rng.random() < 0.05:
            steps.append(StepSeed("cassation", _after(rng, final, 20, 60), index))
            return steps
    last = steps[-1]
    if final_outcome == "convicted" and last.prison_months and rng.random() < 0.6:
        steps.append(StepSeed("execution_of_sentence", _after(rng, final, 10, 45), index))
    return steps


def _outcome(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _decision(
    rng: random.Random,
    step: str,
    day: date,
    index: int,
    outcome: str,
    charges: tuple[ChargeSeed, ...],
    minors: bool,
) -> StepSeed:
    if outcome != "convicted":
        return StepSeed(step, day, index, outcome)
    prison, suspended, fine = sentence(rng, principal_offence(charges), minors)
    damages = rng.randrange(100_000, 3_000_001, 50_000) if rng.random() < 0.6 else None
    return StepSeed(step, day, index, outcome, prison, suspended, fine, damages)


def principal_offence(charges: tuple[ChargeSeed, ...]) -> str:
    """The most serious offence charged (longest maximum prison term), as the facts read it."""
    offences = code_list("offence")
    return max(
        (c.offence for c in charges),
        key=lambda o: (offences.get(o).attrs.get("max_prison_months") or 0, o),
    )


def sentence(rng: random.Random, offence: str, minors: bool) -> tuple[int, int, int | None]:
    """(firm months, suspended months, fine) within the offence's range.

    The firm and suspended parts together stay in the range; no suspended part
    when the law forbids it for a minor victim (art. 3); art. 2 means the maximum.
    """
    attrs = code_list("offence").get(offence).attrs
    low, high = attrs.get("min_prison_months", 1), attrs.get("max_prison_months", 60)
    total = high if attrs.get("maximum_penalty") else rng.randint(low, high)
    suspended = 0
    if (not minors or attrs.get("suspended_allowed_for_minor", True)) and rng.random() < 0.3:
        suspended = rng.randint(1, max(1, total // 2))
    fine = None
    if "min_fine_fcfa" in attrs:
        fine = rng.randrange(attrs["min_fine_fcfa"], attrs["max_fine_fcfa"] + 1, 50_000)
    return total - suspended, suspended, fine
