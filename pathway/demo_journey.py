"""The v2 values of a demo case (dataset.md "v2 additions"): delivery, the first days, the referral decision
and transport team, the structured MRI, discharge and safety, and the structured two-year follow-up.

Drawn after `pathway.demo` has made the v1 values, from a generator of their own (seeded from the demo's
seed and the case reference), so adding them leaves every v1 value, and so every v1 KPI figure, exactly as
it was. Each value agrees with the case's v1 values and the v2 rules (`pathway.rules`): a reason only for a
baby referred and not cooled, MRI details only with an MRI, follow-up items only with a completed follow-up,
nothing in the future of the snapshot.

Proportions follow domain.md §9 in spirit and published cooling cohorts (TOBY, TOBY follow-up, the UK
national cohort): most first scans have all four protocol sequences; injury patterns by grade (basal
ganglia–thalamus and near-total in severe HIE, watershed in moderate); about a quarter of cooled babies die
or have moderate or severe disability at two years. They are guesses where no source gives a figure [U].
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.timeutil import LONDON
from pathway import demo

TRANSPORT_SERVICE = "RGT-PANDR"  # PaNDR (formerly ANTS), based at the Rosie, Cambridge (domain.md §3.2)
TRANSPORT_BASE = "RGT01"
RADIOLOGISTS = ("Dr A Okafor", "Dr H Lindqvist", "Dr P Raman", "Dr S Whitcombe", "Dr M Grant")

DELIVERY_IN_LABOUR = {"spontaneous_vaginal": 40.0, "instrumental": 22.0, "emergency_caesarean": 36.0,
                      "unknown": 2.0}
DELIVERY_NO_LABOUR = {"prelabour_caesarean": 55.0, "emergency_caesarean": 42.0, "unknown": 3.0}
SENTINEL = {"none": 58.0, "placental_abruption": 10.0, "shoulder_dystocia": 8.0, "cord_prolapse": 6.0,
            "uterine_rupture": 3.0, "maternal_collapse": 3.0, "other": 8.0, "unknown": 4.0}
SEIZURES: dict[int, dict[str, float]] = {
    0: {"none": 92.0, "clinical": 4.0, "unknown": 4.0},
    1: {"none": 85.0, "clinical": 8.0, "electrographic": 3.0, "unknown": 4.0},
    2: {"none": 52.0, "clinical": 16.0, "electrographic": 15.0, "both": 14.0, "unknown": 3.0},
    3: {"none": 15.0, "clinical": 20.0, "electrographic": 20.0, "both": 42.0, "unknown": 3.0},
}
VENTILATION: dict[int, dict[str, float]] = {
    1: {"none": 65.0, "non_invasive": 25.0, "invasive": 10.0},
    2: {"none": 35.0, "non_invasive": 30.0, "invasive": 33.0, "unknown": 2.0},
    3: {"none": 8.0, "non_invasive": 20.0, "invasive": 70.0, "unknown": 2.0},
}
NOT_COOLED_DECISION = {"do_not_cool": 68.0, "observe": 27.0, "cool": 5.0}
NOT_COOLED_REASON: dict[int, dict[str, float]] = {
    0: {"no_or_mild_encephalopathy": 80.0, "criteria_a_not_met": 12.0, "improved": 8.0},
    1: {"no_or_mild_encephalopathy": 70.0, "improved": 18.0, "criteria_a_not_met": 12.0},
    2: {"over_6h": 30.0, "gestation_or_weight": 18.0, "criteria_a_not_met": 17.0, "improved": 20.0,
        "parents_declined": 5.0, "other": 10.0},
    3: {"palliative_care": 45.0, "major_anomaly": 20.0, "over_6h": 15.0, "parents_declined": 5.0, "other": 15.0},
}
# "cool" advised but not cooled (a data-quality warning): what happened after the call.
COOL_ADVISED_REASON = {"improved": 45.0, "parents_declined": 20.0, "palliative_care": 20.0, "other": 15.0}
INJURY: dict[int, dict[str, float]] = {
    0: {"normal": 90.0, "white_matter": 10.0},
    1: {"normal": 74.0, "white_matter": 14.0, "watershed": 10.0, "other": 2.0},
    2: {"normal": 46.0, "watershed": 25.0, "basal_ganglia_thalamus": 15.0, "white_matter": 9.0,
        "focal_stroke": 3.0, "other": 2.0},
    3: {"basal_ganglia_thalamus": 40.0, "near_total": 20.0, "watershed": 15.0, "normal": 14.0,
        "white_matter": 6.0, "other": 5.0},
}
SCORE_SYSTEM = {"nichd_nrn": 40.0, "barkovich": 20.0, "weeke": 22.0, "none": 13.0, "other": 5.0}
NICHD_NRN = {"normal": "0", "white_matter": "1A", "watershed": "1B", "focal_stroke": "1A",
             "basal_ganglia_thalamus": "2A", "near_total": "3", "other": "1A"}
BARKOVICH = {"normal": "BG/W 0", "white_matter": "W2", "watershed": "W3", "focal_stroke": "W1",
             "basal_ganglia_thalamus": "BG3", "near_total": "BG4", "other": "W1"}
WEEKE = {"normal": (0, 3), "white_matter": (4, 10), "watershed": (6, 14), "focal_stroke": (3, 9),
         "basal_ganglia_thalamus": (12, 28), "near_total": (30, 52), "other": (3, 12)}
SEVERE_PATTERNS = frozenset({"basal_ganglia_thalamus", "near_total"})
DESTINATION = {"home": 55.0, "local_unit": 38.0, "other_hospital": 5.0, "hospice": 2.0}
HISTOLOGY = {"normal": 30.0, "chorioamnionitis": 25.0, "infarction": 20.0, "other_abnormal": 15.0,
             "awaited": 10.0}
# Moderate or severe disability among children followed up at two years, by HIE grade (TOBY follow-up and
# the UK cohort: with ~10% deaths this gives about a quarter death or moderate/severe disability).
DISABLED_SHARE = {0: 0.02, 1: 0.03, 2: 0.07, 3: 0.30}
SEVERE_SHARE_OF_DISABLED = 0.45


def journey_seed(rng: random.Random) -> str:
    """A seed for the v2 values from the demo generator's state, read without drawing from it.

    A digest of the state's numbers, not `hash()`: the state holds None, whose hash differs from one
    process to the next, so the demo's v2 values (and the golden figures) would too."""
    version, words, _gauss = rng.getstate()
    return hashlib.sha256(repr((version, words)).encode()).hexdigest()[:8]


def add_journey(values: dict[str, Any], *, seed: str, grade: int | None, snapshot: datetime, as_of: date) -> None:
    """Add the v2 values to one demo case's `values` (model field names, units as ODS codes)."""
    j = random.Random(f"{seed}:{values['case_ref']}")
    _birth(j, values, grade, snapshot)
    _referral(j, values, grade, snapshot)
    if values.get("mri_performed") == "yes":
        _mri(j, values, grade, snapshot)
    _discharge(j, values, grade, as_of)
    if values.get("followup_2y") == "completed":
        _follow_up(j, values, grade)


# --- helpers -------------------------------------------------------------------------------------


def _pick(j: random.Random, weights: Mapping[str, float]) -> str:
    return j.choices(list(weights), weights=list(weights.values()))[0]


def _before(moment: datetime, limit: datetime | None) -> bool:
    return limit is None or moment.astimezone(UTC) < limit.astimezone(UTC)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON).replace(second=0, microsecond=0)


def _end(values: Mapping[str, Any], snapshot: datetime) -> datetime:
    """Nothing is recorded after the snapshot or after death."""
    death = values.get("death_datetime")
    return min((t for t in (snapshot, death) if t is not None), key=lambda t: t.astimezone(UTC))


# --- around birth and the first days -----------------------------------------------------------------


def _birth(j: random.Random, values: dict[str, Any], grade: int | None, snapshot: datetime) -> None:
    values["mode_of_delivery"] = _pick(j, DELIVERY_NO_LABOUR if values.get("labour") == "no" else DELIVERY_IN_LABOUR)
    values["sentinel_event"] = _pick(j, SENTINEL)
    end = _end(values, snapshot)
    zero = values.get("postnatal_collapse_datetime") or values["birth_datetime"]
    if values.get("hie_grade") is not None:
        exam = zero.astimezone(UTC) + timedelta(minutes=demo._lognormal(j, 75, 0.5, 15, 360))
        if _before(exam, end):
            values["encephalopathy_exam_datetime"] = _local(exam)
    age_days = (end.astimezone(UTC) - values["birth_datetime"].astimezone(UTC)) / timedelta(days=1)
    if grade is None or age_days < 2:
        return  # too early to say
    seizures = _pick(j, SEIZURES[grade])
    values["seizures"] = seizures
    if seizures in ("clinical", "electrographic", "both"):
        values["anticonvulsant_count"] = int(_pick(j, {"1": 55.0, "2": 30.0, "3": 12.0, "4": 3.0}))
    elif seizures == "none":
        values["anticonvulsant_count"] = 0
    if values["therapeutic_hypothermia"] == "yes":
        values["ventilation"] = _pick(j, VENTILATION[max(grade, 1)])


# --- referral and transport ----------------------------------------------------------------------


def _referral(j: random.Random, values: dict[str, Any], grade: int | None, snapshot: datetime) -> None:
    if values.get("referral_datetime") is None:
        return
    cooled = values["therapeutic_hypothermia"] == "yes"
    if cooled:
        values["referral_decision"] = "cool" if demo._chance(j, 0.96) else "observe"
    elif not demo._chance(j, 0.05):  # 5% of calls have no decision recorded (a worklist item)
        decision = _pick(j, NOT_COOLED_DECISION)
        values["referral_decision"] = decision
        reasons = COOL_ADVISED_REASON if decision == "cool" else NOT_COOLED_REASON[grade if grade is not None else 1]
        values["not_cooled_reason"] = _pick(j, reasons)
    arrived = values.get("transport_team_arrived_datetime")
    if arrived is None:
        return
    values["transport_service"] = TRANSPORT_SERVICE
    referral = values["referral_datetime"].astimezone(UTC)
    # The team leaves Cambridge after the call: about an hour's road for every 60 km, then the cot at the bedside.
    travel = (10 + 1.3 * demo._km(TRANSPORT_BASE, values["birth_unit"])) * j.uniform(0.9, 1.2)
    mobilised = max(referral + timedelta(minutes=j.uniform(5, 20)), arrived.astimezone(UTC) - timedelta(minutes=travel))
    values["transport_team_mobilised_datetime"] = _local(min(mobilised, arrived.astimezone(UTC)))


# --- MRI -----------------------------------------------------------------------------------------------


def _sequences(j: random.Random, q: float) -> list[str]:
    """Most first scans have the protocol's four sequences (more as the network improves), many with SWI."""
    draw = j.random()
    if draw < 0.02:
        return []  # not recorded
    if draw < 0.05:
        return ["t1", "t2"]  # no diffusion: a data-quality warning
    if draw < 0.05 + demo._lerp(0.22, 0.06, q):
        return ["t1", "t2", "dwi"]  # no spectroscopy
    return ["t1", "t2", "dwi", "mrs", "swi"] if demo._chance(j, 0.4) else ["t1", "t2", "dwi", "mrs"]


def _score(j: random.Random, system: str, pattern: str) -> str:
    if system == "nichd_nrn":
        return NICHD_NRN[pattern]
    if system == "barkovich":
        return BARKOVICH[pattern]
    if system == "weeke":
        low, high = WEEKE[pattern]
        return str(j.randint(low, high))
    return ""


def _lactate_naa(j: random.Random, pattern: str) -> Decimal:
    """Thalamic Lac/NAA: below ~0.3 after a good outcome, well above it with deep grey matter injury."""
    ratio = j.gauss(0.75, 0.35) if pattern in SEVERE_PATTERNS else j.gauss(0.16, 0.06)
    return Decimal(f"{min(5.0, max(0.04, ratio)):.2f}")


def _mri(j: random.Random, values: dict[str, Any], grade: int | None, snapshot: datetime) -> None:
    year = values["birth_datetime"].year
    q = min(1.0, max(0.0, (year - 2018) / 8))
    sequences = _sequences(j, q)
    values["mri_sequences"] = sequences
    pattern = _pick(j, INJURY[grade if grade is not None else 2])
    if not demo._chance(j, 0.04):  # a few reports not yet structured (a worklist item)
        system = _pick(j, SCORE_SYSTEM)
        values["mri_score_system"] = system
        values["mri_score_value"] = _score(j, system, pattern)
        values["mri_injury_pattern"] = pattern
        if demo._chance(j, 0.92):
            values["mri_reported_by"] = j.choice(RADIOLOGISTS)
    if "mrs" in sequences:
        values["mri_mrs_lactate_naa"] = _lactate_naa(j, pattern)
    first = values.get("mri_datetime")
    if first is not None and pattern != "normal" and demo._chance(j, 0.12):
        second = first.astimezone(UTC) + timedelta(days=j.uniform(20, 120))
        if _before(second, _end(values, snapshot)):
            values["mri2_datetime"] = _local(second)
            values["mri2_injury_pattern"] = pattern if demo._chance(j, 0.8) else "other"


# --- discharge, safety and placenta -------------------------------------------------------------------


def _discharge(j: random.Random, values: dict[str, Any], grade: int | None, as_of: date) -> None:
    if values.get("outcome") == "died":
        values["discharge_destination"] = "not_applicable"
    elif values.get("outcome") == "alive" and values.get("discharge_datetime") is not None:
        values["discharge_destination"] = _pick(j, DESTINATION)
    if values.get("placenta_sent") == "yes":
        values["placenta_histology"] = _pick(j, HISTOLOGY)
    if values.get("mnsi_referred") == "yes" and demo._chance(j, 0.9):
        values["mnsi_reference"] = f"MI-0{j.randint(10000, 99999)}"
    born = values["birth_datetime"].astimezone(LONDON).date()
    if values["therapeutic_hypothermia"] == "yes" and (grade or 0) >= 2 and demo._chance(j, 0.7):
        notified = born + timedelta(days=j.randint(1, 30))
        if notified <= as_of:
            values["ens_notified_date"] = notified


# --- two-year follow-up --------------------------------------------------------------------------------


def _corrected_months(values: Mapping[str, Any]) -> int:
    """Age at the assessment, corrected for gestation below 40 weeks, in whole months (18–42)."""
    born = values["birth_datetime"].astimezone(LONDON).date()
    days = (values["followup_2y_date"] - born).days
    early = max(0, 40 * 7 - (values["gestation_weeks"] * 7 + values["gestation_days"]))
    return int(min(42, max(18, math.floor((days - early) / 30.4375))))


def _follow_up(j: random.Random, values: dict[str, Any], grade: int | None) -> None:
    values["followup_corrected_age_months"] = _corrected_months(values)
    disabled = demo._chance(j, DISABLED_SHARE[grade if grade is not None else 2])
    level = ("severe" if demo._chance(j, SEVERE_SHARE_OF_DISABLED) else "moderate") if disabled else "none"
    bayley_done = not demo._chance(j, 0.08)
    year = values["birth_datetime"].year
    values["bayley_version"] = ("iv" if year >= 2021 else "iii") if bayley_done else "not_done"
    items = {"severe": _severe, "moderate": _moderate, "none": _no_disability}[level](j, bayley_done)
    values.update(items)
    if bayley_done:
        cognitive = values["bayley_cognitive"]
        values["bayley_language"] = int(min(160, max(40, round(j.gauss(cognitive, 8)))))
        motor_drop = 25 if values["cerebral_palsy"] not in ("none", "unknown") else 0
        values["bayley_motor"] = int(min(160, max(40, round(j.gauss(cognitive - motor_drop, 8)))))
    for name in ("vision", "hearing"):  # a few items still unknown at the assessment (structured KPI)
        if demo._chance(j, 0.04):
            values[name] = "unknown"


def _cognitive(j: random.Random, low: int, high: int, mean: float) -> int:
    return int(min(high, max(low, round(j.gauss(mean, 8)))))


def _severe(j: random.Random, bayley_done: bool) -> dict[str, Any]:
    items: dict[str, Any] = {"cerebral_palsy": "none", "gmfcs_level": None, "vision": "normal", "hearing": "normal",
                             "epilepsy": "yes" if demo._chance(j, 0.35) else "no"}
    palsy = demo._chance(j, 0.55) or not bayley_done
    if palsy:
        items.update(cerebral_palsy=_pick(j, {"bilateral_spastic": 70.0, "dyskinetic": 25.0, "other": 5.0}),
                     gmfcs_level=j.randint(3, 5))
    if bayley_done:
        items["bayley_cognitive"] = _cognitive(j, 40, 69, 58) if demo._chance(j, 0.75) or not palsy else \
            _cognitive(j, 70, 95, 80)
    if demo._chance(j, 0.15):
        items["vision"] = "no_useful_vision"
    if demo._chance(j, 0.1):
        items["hearing"] = "aided"
    return items


def _moderate(j: random.Random, bayley_done: bool) -> dict[str, Any]:
    items: dict[str, Any] = {"cerebral_palsy": "none", "gmfcs_level": None, "vision": "normal", "hearing": "normal",
                             "epilepsy": "no"}
    finding = _pick(j, {"cognitive": 60.0 if bayley_done else 0.0, "palsy": 25.0, "hearing": 8.0, "epilepsy": 7.0})
    if finding == "palsy":
        items.update(cerebral_palsy=_pick(j, {"unilateral_spastic": 60.0, "bilateral_spastic": 40.0}), gmfcs_level=2)
    elif finding == "hearing":
        items["hearing"] = "aided"
    elif finding == "epilepsy":
        items["epilepsy"] = "yes"
    if bayley_done:
        items["bayley_cognitive"] = _cognitive(j, 70, 84, 78) if finding == "cognitive" else _cognitive(j, 85, 120, 92)
    return items


def _no_disability(j: random.Random, bayley_done: bool) -> dict[str, Any]:
    items: dict[str, Any] = {"cerebral_palsy": "none", "gmfcs_level": None,
                             "vision": "impaired" if demo._chance(j, 0.04) else "normal", "hearing": "normal",
                             "epilepsy": "no"}
    if demo._chance(j, 0.04):  # mild unilateral cerebral palsy, walking independently
        items.update(cerebral_palsy="unilateral_spastic", gmfcs_level=1)
    if bayley_done:
        items["bayley_cognitive"] = _cognitive(j, 85, 140, 101)
    return items
