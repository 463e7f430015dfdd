"""Synthetic demo cases for the regional HIE pathway (domain.md §9 "Synthetic data realism").

Pure functions over a `random.Random`: the same seed and as-of date give the same cases, value for value,
so a demo, a screenshot and a test all look at one dataset. Nothing here touches the database. Units are
ODS codes until `resolve_units` swaps in `Unit` rows; the `seed_demo` command then writes every case
through `pathway.services.case_create`, so each one is validated and audited like real data.

How a case is made: the baby's event times are drawn in pathway order as minutes after birth (birth →
referral → transport team → departure → arrival; cooling start → target → rewarming; MRI → discharge),
then cut at death and at the snapshot, then a few optional values are blanked. The v2 values (structured
MRI, follow-up, referral decisions) are added last by `pathway.demo_journey`, from a generator of their
own. Everything is computed on UTC instants and shown in Europe/London, so cases born on a clock-change
night keep their true intervals.

The network improves across the window: the oldest year sits near the 2009 East of England baseline,
the newest near the pathway's 2012 figures (kpis.md "Published East of England pathway figures").
Numbers marked [U] in domain.md §9 are guesses, and so are the notional birth counts below.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from core.timeutil import LONDON
from pathway.nhs_number import is_valid_nhs_number
from units.reference import UNITS

HOUR = 60.0
DAY = 24 * HOUR

# Notional births a year, used only to weight where demo babies are born. Watford (~5,400) and Southend
# and Ipswich (~3,500) are from domain.md §3.3; the rest are round guesses [U] that keep Watford largest.
REFERRING_BIRTHS: dict[str, int] = {
    "RWG02": 5400, "RWH01": 4900, "RQ8L0": 4500, "RAJ12": 4200, "RGN80": 4200, "RQWG0": 3900,
    "RDEE4": 3700, "RAJ01": 3500, "RDE03": 3500, "RC979": 3000, "RGR50": 2600, "RCX70": 2300,
    "RGP75": 2100, "RGN90": 1600,
}
CENTRE_BIRTHS: dict[str, int] = {"RGT01": 5600, "RM102": 6000, "RC971": 5000}

OUTBORN_SHARE = 0.65  # of cooled babies (EoE 2009–10: 68%)
# Nobody is born in the last 12 hours before the snapshot: a case enters the tracker at referral.
LAST_BIRTH_GAP = timedelta(hours=12)
# Recent births (days before the snapshot), so the demo always shows babies mid-pathway: cooling,
# rewarming, awaiting MRI, awaiting discharge.
IN_PROGRESS_DAYS = (0.8, 1.7, 3.4, 6.0, 9.0)
MISSING_RATE = 0.03  # per optional value (domain.md §9: "inject 2–5% missing")
NHS_NUMBER_SHARE = 1 / 3
TEMPERATURE_SAMPLE = 12  # recent cooled outborn cases that get a temperature series

# Optional values that may be left unrecorded. Not the cooling starts: blanking one can move "earliest
# cooling start" past the target time, which is a hard ordering error rather than a missing value.
MISSABLE: tuple[str, ...] = (
    "labour", "apgar_10", "resus_at_10min", "lowest_ph_60min", "base_deficit_60min", "hie_grade", "aeeg",
    "referral_datetime", "core_monitoring_start", "target_temp_reached", "lowest_temp_before_arrival_c",
    "transport_cooling", "depart_referring_datetime", "arrive_centre_datetime", "arrival_temp_c",
    "rewarming_start", "rewarming_end", "parent_consultation_datetime", "placenta_sent", "mnsi_referred",
    "discharge_datetime", "family_booklet_given",
)


# --- small random helpers -------------------------------------------------------------------------


def _lerp(old: float, new: float, q: float) -> float:
    """`old` at the start of the window (q=0), `new` at its end (q=1)."""
    return old + (new - old) * q


def _toward(old: float, new: float, q: float) -> float:
    """Like `_lerp`, on a log scale: for median times, where halving is the same step at any size."""
    return math.exp(_lerp(math.log(old), math.log(new), q))


def _improvement(position: float) -> float:
    """How far the network has improved (0 → 1) at `position` (0 → 1) through the window: most of the
    gain comes early, as in the EoE project (baseline 2009 → pathway figures by 2012)."""
    return 1 - (1 - position) ** 2


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return _clamp(median * math.exp(rng.gauss(0.0, sigma)), low, high)


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _dec(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


# --- calendar -------------------------------------------------------------------------------------


def snapshot_instant(as_of: date) -> datetime:
    """The moment the demo data describe: 00:00 UK time on the as-of date.

    Midnight, not "now", so the same --seed and --as-of give the same data at any time of day, and with
    the default as-of (today) nothing is ever in the future. UK clocks change at 01:00, so midnight exists.
    """
    return datetime.combine(as_of, time(0), tzinfo=LONDON)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def months_before(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def network_years(as_of: date, years: int) -> list[tuple[datetime, datetime]]:
    """[start, end) of each network year ending at the snapshot, oldest first."""
    bounds = [snapshot_instant(years_before(as_of, k)) for k in range(years, -1, -1)]
    return list(pairwise(bounds))


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - 6) % 7)


def clock_changes(start: datetime, end: datetime) -> list[datetime]:
    """UK clock changes in [start, end): 01:00 UTC on the last Sunday of March and of October."""
    changes = [datetime.combine(_last_sunday(y, m), time(1), tzinfo=UTC)
               for y in range(start.year, end.year + 1) for m in (3, 10)]
    return [c for c in changes if start <= c < end]


# --- geography ------------------------------------------------------------------------------------

_COORDS: dict[str, tuple[float, float]] = {
    u["ods"]: (u["lat"], u["lon"]) for u in UNITS if u["lat"] is not None and u["lon"] is not None
}


def _km(a: str, b: str) -> float:
    (lat1, lon1), (lat2, lon2) = _COORDS[a], _COORDS[b]
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(_clamp(cos_angle, -1.0, 1.0))


def _centres_by_distance(ods: str) -> list[str]:
    return sorted(CENTRE_BIRTHS, key=lambda centre: _km(ods, centre))


def _transit_minutes(rng: random.Random, birth_unit: str, centre: str) -> float:
    # Road ≈ 1.3 × straight line, at about 60 km/h, plus loading at each end.
    return (10 + 1.3 * _km(birth_unit, centre)) * rng.uniform(0.9, 1.3)


# --- one baby -------------------------------------------------------------------------------------


@dataclass
class Draft:
    """One baby while being generated.

    `times` are minutes after birth. `facts` are coded values, each with the minute it became known
    (`known_at`), so a case still in progress at the snapshot does not already know its outcome.
    """

    birth: datetime  # UTC, whole minute
    cooled: bool
    q: float  # 0 at the start of the window, 1 at the snapshot: how far the network has improved
    birth_unit: str = ""
    centre: str | None = None
    zero: float = 0.0  # time zero: birth, or the postnatal collapse
    times: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    known_at: dict[str, float] = field(default_factory=dict)

    def know(self, name: str, value: Any, at: float = 0.0) -> None:
        self.facts[name] = value
        self.known_at[name] = at

    @property
    def outborn(self) -> bool:
        return self.centre is not None and self.centre != self.birth_unit


def _place(rng: random.Random, d: Draft) -> None:
    """Outborn babies are born at a referring unit and go to (usually) the nearest cooling centre;
    inborn babies are born at a cooling centre, which cools them too."""
    if _chance(rng, OUTBORN_SHARE):
        d.birth_unit = _pick(rng, REFERRING_BIRTHS)
        nearest, second, _ = _centres_by_distance(d.birth_unit)
        d.centre = nearest if _chance(rng, 0.85) else second  # the nearest cot is sometimes full
    else:
        d.birth_unit = _pick(rng, CENTRE_BIRTHS)
        d.centre = d.birth_unit
    if not d.cooled and _chance(rng, 0.3):
        d.centre = None  # advice only: no cooling centre recorded for a baby who was not cooled


def _baby(rng: random.Random, d: Draft) -> None:
    """Sex, gestation, birth weight, multiplicity, labour (domain.md §9)."""
    d.know("sex", _pick(rng, {"male": 65.0, "female": 34.6, "indeterminate": 0.2, "unknown": 0.2}))
    if _chance(rng, 0.04):  # late preterm, cooled case by case (domain.md §2.1, S10)
        days = rng.randint(34 * 7, 35 * 7 + 6)
        weight = _clamp(rng.gauss(2450, 320), 1800, 3600)
    else:
        # Centred a little high: the late-preterm 4% and the cut at 36+0 bring the mean back to ~39.5.
        days = round(_clamp(rng.gauss(39.7 * 7, 1.5 * 7), 36 * 7, 42 * 7 + 6))
        weight = _clamp(rng.gauss(3350 + 110 * (days / 7 - 39.7), 400), 400, 6500)
    d.know("gestation_weeks", days // 7)
    d.know("gestation_days", days % 7)
    d.know("birth_weight_g", round(weight))
    d.know("multiple_birth", "yes" if _chance(rng, 0.02) else "no")
    d.know("labour", _pick(rng, {"yes": 88.0, "no": 9.0, "unknown": 3.0}))


COOLED_GRADES = {1: 11.0, 2: 56.0, 3: 33.0}
NOT_COOLED_GRADES = {0: 20.0, 1: 55.0, 2: 15.0, 3: 10.0}
# Apgar at 10 minutes: median 7, IQR 4–8 (domain.md §9); shifted by grade.
APGAR_10 = {0: 2, 1: 3, 2: 4, 3: 6, 4: 10, 5: 10, 6: 13, 7: 17, 8: 18, 9: 10, 10: 7}
APGAR_SHIFT = {0: 3, 1: 1, 2: 0, 3: -1}
PH_SHIFT = {0: 0.15, 1: 0.06, 2: 0.0, 3: -0.06}
AEEG: dict[int, dict[str, float]] = {
    0: {"normal": 60, "not_done": 40},
    1: {"normal": 30, "moderately_abnormal": 55, "seizures": 5, "not_done": 10},
    2: {"normal": 4, "moderately_abnormal": 84, "severely_abnormal": 6, "seizures": 3, "not_done": 3},
    3: {"moderately_abnormal": 45, "severely_abnormal": 42, "seizures": 10, "not_done": 3},
}


PH_MAX = 7.60  # dataset.md range 6.50–7.60


def _criteria(rng: random.Random, d: Draft, grade: int) -> None:
    """TOBY criterion A values and the encephalopathy grade and aEEG (domain.md §2.1, §9)."""
    ph = _clamp(rng.gauss(6.99 + PH_SHIFT[grade], 0.16), 6.50, PH_MAX)
    # More acidotic babies have the larger base deficit (BE −13, SD 6 overall).
    deficit = _clamp(rng.gauss(13 + (6.99 - ph) * 20, 4.5), 0, 35)
    apgar = int(_clamp(_pick(rng, APGAR_10) + APGAR_SHIFT[grade], 0, 10))
    resus = 0.82 if d.cooled else 0.45
    d.know("lowest_ph_60min", _dec(ph, 2))
    d.know("base_deficit_60min", _dec(deficit, 1))
    d.know("apgar_10", apgar)
    d.know("resus_at_10min", _pick(rng, {"yes": resus, "no": 0.98 - resus, "unknown": 0.02}))
    d.know("hie_grade", grade, 6 * HOUR)
    d.know("aeeg", _pick(rng, AEEG[grade]), 6 * HOUR)


def _collapse(rng: random.Random, d: Draft) -> None:
    """A few cooled babies were well at birth and collapsed later: that collapse is time zero."""
    d.zero = rng.uniform(20, 300)
    d.times["postnatal_collapse_datetime"] = d.zero
    d.know("apgar_10", rng.randint(9, 10))
    d.know("resus_at_10min", "no")
    d.know("lowest_ph_60min", _dec(_clamp(rng.gauss(7.26, 0.05), 6.5, PH_MAX), 2))
    d.know("base_deficit_60min", _dec(_clamp(rng.gauss(5, 2), 0, 35), 1))


# --- cooling: referral and transfer, cooling start and target ----------------------------------


def _transfer(rng: random.Random, d: Draft) -> float:
    """Referral call, transport team, departure and arrival; returns the team's arrival (minutes)."""
    assert d.centre is not None
    q = d.q
    referral = d.zero + _lognormal(rng, _toward(122, 72, q), 0.45, 10, 600)
    if _chance(rng, 0.03):  # encephalopathy recognised late: cooled outside the 6-hour window
        referral = d.zero + rng.uniform(4.5, 10) * HOUR
    team = referral + _lognormal(rng, _lerp(80, 55, q), 0.35, 20, 300)
    depart = team + _lognormal(rng, 70, 0.35, 30, 240)
    d.times["referral_datetime"] = referral
    d.times["transport_team_arrived_datetime"] = team  # v2 column; kept without a draw, so v1 values stay put
    d.times["depart_referring_datetime"] = depart
    d.times["arrive_centre_datetime"] = depart + _transit_minutes(rng, d.birth_unit, d.centre)
    return team


def _target(rng: random.Random, d: Draft, passive: float | None, active: float, settle: float) -> float:
    """First core temperature in 33–34 °C: sometimes during passive cooling, else `settle` minutes
    (median) after active cooling starts."""
    if passive is not None and _chance(rng, 0.5):
        during_passive = passive + _lognormal(rng, _toward(180, 100, d.q), 0.5, 20, 600)
        if during_passive < active:
            return during_passive
    return active + _lognormal(rng, settle, 0.5, 10, 300)


def _cooling_outborn(rng: random.Random, d: Draft) -> None:
    q, t = d.q, d.times
    team = _transfer(rng, d)
    passive: float | None = None
    if t["referral_datetime"] - d.zero > 4 * HOUR:  # late recognition: passive cooling on the call's advice
        passive = t["referral_datetime"] + _lognormal(rng, 20, 0.5, 5, 90)
    elif _chance(rng, _lerp(0.8, 0.97, q)):
        passive = d.zero + _lognormal(rng, _toward(120, 20, q), 0.6, 5, 600)
    servo = _chance(rng, _lerp(0.55, 0.85, q))  # servo transport: UK 30% (2011) → 62% (2014), rising
    if servo:  # the team starts servo cooling at the bedside; target comes in about an hour (S4, S13)
        active = team + _lognormal(rng, 15, 0.5, 3, 90)
        settle = _toward(110, 55, q)
        d.know("transport_cooling", "servo", t["depart_referring_datetime"])
    else:
        active = t["arrive_centre_datetime"] + _lognormal(rng, 20, 0.5, 5, 120)
        settle = _toward(150, 80, q)
        d.know("transport_cooling", "passive" if passive is not None else "none", t["depart_referring_datetime"])
    _set_starts(rng, d, passive, active, settle)
    # Core monitoring at the birth hospital: 0% → 100% in the EoE project (kpis.md).
    if _chance(rng, _lerp(0.55, 0.98, q)):
        start = min(s for s in (passive, active) if s is not None)
        t["core_monitoring_start"] = min(start + _lognormal(rng, 12, 0.6, 1, 90), t["target_temp_reached"],
                                         t["depart_referring_datetime"])
    else:
        t["core_monitoring_start"] = t["arrive_centre_datetime"] + _lognormal(rng, 10, 0.5, 2, 60)
    _transfer_temperatures(rng, d)


def _cooling_inborn(rng: random.Random, d: Draft) -> None:
    passive: float | None = None
    if _chance(rng, _lerp(0.5, 0.8, d.q)):
        passive = d.zero + _lognormal(rng, _toward(60, 20, d.q), 0.6, 5, 400)
    active = d.zero + _lognormal(rng, _toward(160, 85, d.q), 0.45, 20, 700)
    _set_starts(rng, d, passive, active, _toward(130, 70, d.q))
    start = min(s for s in (passive, active) if s is not None)
    d.times["core_monitoring_start"] = min(start + _lognormal(rng, 10, 0.6, 1, 90), d.times["target_temp_reached"])


def _set_starts(rng: random.Random, d: Draft, passive: float | None, active: float, settle: float) -> None:
    if passive is not None and passive >= active:
        passive = None  # active cooling came first: there was no passive phase
    if passive is not None:
        d.times["passive_cooling_start"] = passive
    d.times["active_cooling_start"] = active
    d.times["target_temp_reached"] = _target(rng, d, passive, active, settle)


def _transfer_temperatures(rng: random.Random, d: Draft) -> None:
    """Lowest core temperature before arrival and the arrival temperature, consistent with the target
    time: a baby who reached 33–34 °C before arrival may have overshot below 33 (overcooling)."""
    q, t = d.q, d.times
    arrive = t["arrive_centre_datetime"]
    if t["target_temp_reached"] <= arrive:
        overcooled = _chance(rng, _lerp(0.45, 0.05, q))  # overcooling: 45% (2009) → 10–15% nationally
        lowest = rng.uniform(31.4, 32.9) if overcooled else rng.uniform(33.0, 33.9)
        if overcooled and _chance(rng, 0.3):
            arrival = rng.uniform(max(lowest, 32.4), 32.9)
        elif _chance(rng, 0.93):
            arrival = rng.uniform(max(lowest, 33.0), 34.0)
        else:
            arrival = rng.uniform(34.1, 34.6)
    else:
        lowest = rng.uniform(34.1, 35.6)
        arrival = rng.uniform(max(lowest, 34.1), 35.8)
    d.know("lowest_temp_before_arrival_c", _dec(lowest, 1), arrive)
    d.know("arrival_temp_c", _dec(arrival, 1), arrive)


# --- cooling course, death, MRI and discharge -----------------------------------------------------

# Early stop and death by grade (domain.md §9: ~5–10% stopped early; ~9% die, more if severe).
FATES: dict[int, dict[str, float]] = {
    1: {"complete": 97.0, "clinical_decision": 3.0},
    2: {"complete": 95.5, "died": 1.0, "redirection_of_care": 1.0, "clinical_decision": 1.0, "late_death": 1.5},
    3: {"complete": 77.5, "died": 10.0, "redirection_of_care": 8.5, "clinical_decision": 1.0, "late_death": 3.0},
}


def _cooling_course(rng: random.Random, d: Draft, grade: int) -> None:
    """72 h at target then 7–12 h rewarming, unless cooling stopped early."""
    t = d.times
    target = t["target_temp_reached"]
    fate = _pick(rng, FATES[grade])
    if fate == "died":  # died during cooling: no rewarming
        t["death_datetime"] = target + rng.uniform(6, 60) * HOUR
        d.know("early_stop_reason", "died", t["death_datetime"])
        return
    if fate in ("redirection_of_care", "clinical_decision"):
        start = target + rng.uniform(12, 60) * HOUR
        d.know("early_stop_reason", fate, start)
    elif _chance(rng, 0.015):  # off the 72 h protocol with no reason given: a data-quality flag
        start = target + (72 + rng.choice((-1, 1)) * rng.uniform(2.5, 4)) * HOUR
    else:
        start = target + 72 * HOUR + _clamp(rng.gauss(0, 25), -100, 100)
    t["rewarming_start"] = start
    fast = _chance(rng, 0.03)  # too fast: the controlled-rewarming KPI needs ≥ 6 h
    t["rewarming_end"] = start + (rng.uniform(4.5, 5.9) if fast else rng.uniform(7, 12)) * HOUR
    if fate == "redirection_of_care":
        t["death_datetime"] = start + rng.uniform(4, 48) * HOUR
    elif fate == "late_death":
        t["death_datetime"] = t["rewarming_end"] + rng.uniform(1, 10) * DAY


def _mri_day(rng: random.Random, d: Draft, earliest: float) -> float:
    """First MRI: median day of life 7 (range 4–14), on a weekday list between 09:00 and 17:00 UK time,
    and not before `earliest` (minutes after birth; the scan waits until rewarming is over)."""
    day = d.birth.astimezone(LONDON).date() + timedelta(days=int(_clamp(round(rng.gauss(7, 2)), 4, 14)))
    if day.weekday() >= 5:  # no routine lists at weekends: the Monday after
        day += timedelta(days=7 - day.weekday())
    slot = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), tzinfo=LONDON)
    when = (slot - d.birth) / timedelta(minutes=1)
    return when if when >= earliest else earliest + rng.uniform(12, 36) * HOUR


def _outcome(rng: random.Random, d: Draft, mri_rate: float) -> None:
    """Death, or MRI then discharge at day 10–20 (MRI before discharge for ~95% of survivors)."""
    t = d.times
    after_cooling = t.get("rewarming_end", t.get("rewarming_start", 0.0)) + 12 * HOUR
    death = t.get("death_datetime")
    if death is not None:
        d.know("outcome", "died", death)
        earliest = max(4 * DAY, after_cooling - 12 * HOUR)
        if death > max(earliest, 5 * DAY) and _chance(rng, 0.5):
            t["mri_datetime"] = rng.uniform(earliest, death)
            d.know("mri_performed", "yes", t["mri_datetime"])
        else:
            d.know("mri_performed", "no", death)
        return
    discharge = rng.uniform(10, 20) * DAY
    if _chance(rng, mri_rate):
        t["mri_datetime"] = _mri_day(rng, d, after_cooling)
        discharge = max(discharge, t["mri_datetime"] + rng.uniform(1, 3) * DAY)
        d.know("mri_performed", "yes", t["mri_datetime"])
    else:
        d.know("mri_performed", "no", discharge)
    t["discharge_datetime"] = discharge
    d.know("outcome", "alive", discharge)


def _consultation(rng: random.Random, d: Draft) -> None:
    admission = d.times.get("arrive_centre_datetime", d.zero) if d.outborn else d.zero
    d.times["parent_consultation_datetime"] = admission + _lognormal(rng, _lerp(8, 3, d.q), 0.8, 0.3, 72) * HOUR


def _governance(rng: random.Random, d: Draft, as_of: date) -> None:
    """Placenta, MNSI referral, family booklet and 2-year follow-up."""
    q = d.q
    yes = _lerp(0.2, 0.5, q) if d.cooled else 0.15  # placenta sent: ~30% baseline, improving
    d.know("placenta_sent", _pick(rng, {"yes": yes, "no": 0.9 - yes, "not_available": 0.07, "unknown": 0.03}),
           2 * DAY)
    d.know("mnsi_referred", _mnsi(rng, d), 3 * DAY)
    booklet = _lerp(0.75, 0.95, q) if d.cooled else 0.3
    d.know("family_booklet_given", _pick(rng, {"yes": booklet, "no": 0.97 - booklet, "unknown": 0.03}),
           d.zero + 2 * DAY)
    if d.cooled:
        _follow_up(rng, d, as_of)


def _mnsi(rng: random.Random, d: Draft) -> str:
    # Eligible (domain.md §2.5): ≥37+0, born after labour, actively cooled; or grade III HIE.
    eligible = (d.facts["gestation_weeks"] >= 37 and d.facts["labour"] == "yes"
                and "active_cooling_start" in d.times) or d.facts["hie_grade"] == 3
    if not eligible:
        return "no"
    yes = _lerp(0.7, 0.95, d.q) if d.cooled else 0.5
    return _pick(rng, {"yes": yes, "no": 0.97 - yes, "unknown": 0.03})


def _follow_up(rng: random.Random, d: Draft, as_of: date) -> None:
    """Only survivors born ≥ 30 months before the as-of date have a 2-year follow-up status (kpis.md)."""
    born = d.birth.astimezone(LONDON).date()
    if d.facts.get("outcome") != "alive" or born > months_before(as_of, 30):
        return
    status = _pick(rng, {"completed": 70.0, "not_done": 17.0, "moved_out": 7.0, "unknown": 6.0})
    seen = rng.randint(540, 880)  # an 18–30-month assessment
    d.know("followup_2y", status, seen * DAY)
    if status == "completed":
        d.know("followup_2y_date", born + timedelta(days=seen), seen * DAY)


# --- babies referred but not cooled -------------------------------------------------------------


def _not_cooled(rng: random.Random, d: Draft, grade: int) -> None:
    """Mild on review, redirection of care, or died: referred (outborn) or assessed, never cooled."""
    t = d.times
    if d.birth_unit in REFERRING_BIRTHS:
        t["referral_datetime"] = _lognormal(rng, 95, 0.5, 15, 900)
    if _chance(rng, 0.3):  # passive cooling begun on advice, stopped after review
        t["passive_cooling_start"] = _lognormal(rng, 40, 0.6, 5, 400)
        if _chance(rng, 0.6):
            t["core_monitoring_start"] = t["passive_cooling_start"] + _lognormal(rng, 10, 0.6, 1, 90)
    if _chance(rng, {3: 0.6, 2: 0.1}.get(grade, 0.0)):
        t["death_datetime"] = _lognormal(rng, 36 * HOUR, 0.8, 2 * HOUR, 10 * DAY)
    _outcome(rng, d, mri_rate=0.7 if grade >= 2 else 0.1)
    t["parent_consultation_datetime"] = _lognormal(rng, 6 * HOUR, 0.8, 20, 72 * HOUR)


# --- whole case -----------------------------------------------------------------------------------


def _draft(rng: random.Random, birth: datetime, cooled: bool, q: float, as_of: date) -> Draft:
    d = Draft(birth=birth, cooled=cooled, q=q)
    _place(rng, d)
    _baby(rng, d)
    grade = _pick(rng, COOLED_GRADES if cooled else NOT_COOLED_GRADES)
    _criteria(rng, d, grade)
    d.know("therapeutic_hypothermia", "yes" if cooled else "no")
    if cooled:
        if _chance(rng, 0.02):
            _collapse(rng, d)
        if d.outborn:
            _cooling_outborn(rng, d)
        else:
            _cooling_inborn(rng, d)
        _cooling_course(rng, d, grade)
        _outcome(rng, d, mri_rate=0.94)
        _consultation(rng, d)
    else:
        _not_cooled(rng, d, grade)
    _governance(rng, d, as_of)
    return d


def _cut(d: Draft, limit: float, *, facts: bool) -> None:
    """Forget every event after `limit` minutes (and, with `facts`, every fact known after it)."""
    for name in [n for n, at in d.times.items() if at > limit]:
        del d.times[name]
    if facts:
        for name in [n for n, at in d.known_at.items() if at > limit]:
            del d.facts[name], d.known_at[name]


def _blank_some(rng: random.Random, values: dict[str, Any]) -> None:
    for name in MISSABLE:
        if values.get(name) not in (None, "") and _chance(rng, MISSING_RATE):
            del values[name]


def _values(d: Draft) -> dict[str, Any]:
    values: dict[str, Any] = {"birth_datetime": d.birth.astimezone(LONDON), "birth_unit": d.birth_unit}
    if d.centre is not None:
        values["cooling_centre"] = d.centre
    for name, minutes in d.times.items():
        # Rounding is monotonic, so whole minutes keep every "at or after" ordering of the draft.
        values[name] = (d.birth + timedelta(minutes=round(minutes))).astimezone(LONDON)
    values.update(d.facts)
    return values


def _finish(rng: random.Random, d: Draft, snapshot: datetime) -> dict[str, Any]:
    if "death_datetime" in d.times:
        _cut(d, d.times["death_datetime"], facts=False)  # death is terminal (MNSI may still follow)
    _cut(d, (snapshot - d.birth) / timedelta(minutes=1), facts=True)
    values = _values(d)
    _blank_some(rng, values)
    return values


# --- births and the whole network ----------------------------------------------------------------


def _year_size(rng: random.Random, q: float) -> tuple[int, int]:
    """Cooled babies (60–110 a network-year, rising a little) and babies referred but not cooled (10–25%)."""
    cooled = int(_clamp(round(rng.gauss(_lerp(72, 92, q), 7)), 62, 106))
    share_not_cooled = rng.uniform(0.13, 0.22)
    return cooled, round(cooled * share_not_cooled / (1 - share_not_cooled))


def _births(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """`n` births spread evenly over [start, end); one in each clock-change night of the period."""
    # In UTC: adding to a Europe/London datetime is wall-clock arithmetic, wrong across a clock change.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    span = (end - start) / timedelta(seconds=1)
    births = [start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n)]
    nights = clock_changes(start, end)
    for slot, change in zip(rng.sample(range(n), min(n, len(nights))), nights, strict=False):
        # Within 75 minutes of 01:00 UTC: the missing or the repeated local hour, and either side of it.
        births[slot] = _clamp_instant(change + timedelta(minutes=rng.uniform(-75, 75)), start, end)
    return [b.astimezone(UTC).replace(second=0, microsecond=0) for b in births]


def _clamp_instant(moment: datetime, start: datetime, end: datetime) -> datetime:
    return min(max(moment, start), end - timedelta(minutes=1))


def _plan(rng: random.Random, as_of: date, years: int) -> list[tuple[datetime, bool]]:
    """(birth instant, cooled) for every demo baby, in birth order."""
    snapshot = snapshot_instant(as_of).astimezone(UTC)
    plan: list[tuple[datetime, bool]] = []
    windows = network_years(as_of, years)
    for index, (start, end) in enumerate(windows):
        n_cooled, n_not = _year_size(rng, index / (years - 1) if years > 1 else 1.0)
        recent: list[datetime] = []
        if end == snapshot:
            recent = [(snapshot - timedelta(days=days)).replace(second=0, microsecond=0)
                      for days in IN_PROGRESS_DAYS]
            end = snapshot - LAST_BIRTH_GAP
        flags = [True] * (n_cooled - len(recent)) + [False] * n_not
        rng.shuffle(flags)
        plan += zip(_births(rng, start, end, len(flags)), flags, strict=True)
        plan += [(birth, True) for birth in recent]
    return sorted(plan, key=lambda item: item[0])


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number from the 999 range, which the NHS reserves for test data (never a real baby)."""
    while True:
        candidate = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        total = sum(int(digit) * weight for digit, weight in zip(candidate, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:  # 10 means no valid number has these nine digits
            number = candidate + str(check)
            assert is_valid_nhs_number(number)
            return number


@dataclass
class Identities:
    """Names demo records as they are generated, oldest first (HIE cases and POP records alike): PREFIX-YEAR-NNNN,
    numbered within the year of birth, and for a share of babies an NHS number no other record has."""

    prefix: str
    per_year: dict[int, int] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)

    def stamp(self, rng: random.Random, values: dict[str, Any], year: int) -> None:
        """Set `case_ref` and `nhs_number` ("" when the baby has none) on `values`."""
        self.per_year[year] = self.per_year.get(year, 0) + 1
        values["case_ref"] = f"{self.prefix}-{year}-{self.per_year[year]:04d}"
        values["nhs_number"] = ""
        if _chance(rng, NHS_NUMBER_SHARE):
            number = nhs_number(rng)
            while number in self.numbers:
                number = nhs_number(rng)
            self.numbers.add(number)
            values["nhs_number"] = number


@dataclass(frozen=True)
class DemoNetwork:
    """Another network's demo cases (issue 18): the East of England generator's babies, a `share` of them, put
    on this network's units. Each East of England cooling centre stands for one of this network's sub-areas:
    its babies are cooled at one of `centres[centre]` and born there (inborn) or at one of `referring[centre]`;
    a `visitor_share` of the outborn ones are born at a unit of another network (`visitors[centre]`) and
    cooled here, the cross-boundary babies both networks see. With no transport service of its own in the
    reference data, the cases carry no transport team times."""

    prefix: str
    share: float
    centres: Mapping[str, tuple[str, ...]]
    referring: Mapping[str, tuple[str, ...]]
    visitors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    visitor_share: float = 0.0

    def place(self, rng: random.Random, values: dict[str, Any]) -> None:
        birth, centre = values["birth_unit"], values.get("cooling_centre")
        area = centre or (birth if birth in CENTRE_BIRTHS else _centres_by_distance(birth)[0])
        new_centre = rng.choice(self.centres[area])
        if birth in CENTRE_BIRTHS and (centre is None or centre == birth):
            values["birth_unit"] = new_centre  # inborn: born where the baby is cooled
        elif self.visitors.get(area) and _chance(rng, self.visitor_share):
            values["birth_unit"] = rng.choice(self.visitors[area])
        else:
            values["birth_unit"] = rng.choice(self.referring[area])
        if centre is not None:
            values["cooling_centre"] = values["birth_unit"] if centre == birth else new_centre
        for name in ("transport_service", "transport_team_mobilised_datetime", "transport_team_arrived_datetime"):
            values.pop(name, None)


# The London region's three networks (units/reference/organisations/london.csv): Addenbrooke's babies become
# North Central and East London's, Norwich's North West London's and Luton's South London's. Harlow and
# Watford (East of England) send a few babies to London centres, as they do.
LONDON_REGION = DemoNetwork(
    prefix="LDN", share=0.3,
    centres={"RGT01": ("RRV03", "RQXM1", "R1H12"), "RM102": ("RYJ01", "RYJ04", "RQM01"),
             "RC971": ("RJ122", "RJZ01", "RJ701")},
    referring={"RGT01": ("R1HKH", "R1HNH", "RF4QH", "RAPNM", "RAL26", "RAL01", "RKEQ4"),
               "RM102": ("RQM91", "R1K01", "RAS01"),
               "RC971": ("RJZ30", "RJ224", "RJ231", "RJ611", "RAX01", "RVR05", "RVR50")},
    visitors={"RGT01": ("RQWG0",), "RM102": ("RWG02",)}, visitor_share=0.1,
)


def generate(rng: random.Random, *, as_of: date, years: int = 5,
             network: DemoNetwork | None = None) -> list[dict[str, Any]]:
    """Every demo case, oldest first, as model-field values (units as ODS codes; see `resolve_units`): the
    East of England's, or with `network` a share of them moved onto that network's units (`DemoNetwork`)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    # Imported here: the v2 values build on this module's helpers.
    from pathway.demo_journey import add_journey, journey_seed

    snapshot = snapshot_instant(as_of).astimezone(UTC)
    seed = journey_seed(rng)  # before any draw: the v2 values never move the v1 ones
    plan = _plan(rng, as_of, years)
    first, span = plan[0][0], max(snapshot - plan[0][0], timedelta(minutes=1))
    cases: list[dict[str, Any]] = []
    identities = Identities(network.prefix if network else "EOE")
    # Its own generator for the placing, so the East of England's cases draw exactly as before.
    placing = random.Random(f"{network.prefix}:{as_of.isoformat()}") if network else None
    for birth, cooled in plan:
        draft = _draft(rng, birth, cooled, _improvement((birth - first) / span), as_of)
        values = _finish(rng, draft, snapshot)
        if network is not None and placing is not None and placing.random() >= network.share:
            continue
        identities.stamp(rng, values, values["birth_datetime"].year)
        add_journey(values, seed=seed, grade=draft.facts.get("hie_grade"), snapshot=snapshot, as_of=as_of)
        if network is not None and placing is not None:
            network.place(placing, values)
        cases.append(values)
    return cases


def resolve_units(values: Mapping[str, Any], units: Mapping[str, Any]) -> dict[str, Any]:
    """The case values with `Unit` rows (looked up by ODS code) in place of the codes."""
    resolved = dict(values)
    for name in ("birth_unit", "cooling_centre", "transport_service"):
        if name in resolved:
            resolved[name] = units[resolved[name]]
    return resolved


# --- temperature series for a sample of recent cases ----------------------------------------------

Reading = tuple[datetime, Decimal, str]


def temperature_sample(cases: Sequence[Mapping[str, Any]], limit: int = TEMPERATURE_SAMPLE) -> list[str]:
    """Case refs of the most recent cooled outborn babies with their transfer temperatures recorded."""
    fields = ("target_temp_reached", "arrive_centre_datetime", "lowest_temp_before_arrival_c", "arrival_temp_c")
    eligible = [c for c in cases if c["therapeutic_hypothermia"] == "yes" and c.get("cooling_centre")
                and c["cooling_centre"] != c["birth_unit"] and all(c.get(f) is not None for f in fields)]
    eligible.sort(key=lambda c: c["birth_datetime"], reverse=True)
    return [c["case_ref"] for c in eligible[:limit]]


def temperature_series(rng: random.Random, case: Mapping[str, Any], snapshot: datetime) -> list[Reading]:
    """A plausible temperature chart for one case (from `temperature_sample`), in the order to enter it.

    The chart agrees with the recorded values: its lowest core reading before arrival is
    `lowest_temp_before_arrival_c` and its first core reading within an hour of arrival is
    `arrival_temp_c`. Those two readings come first, so each `services.temperature_add` derives the values
    the case already holds and the history shows no spurious changes.
    """
    moments = {name: value.astimezone(UTC) for name, value in case.items() if isinstance(value, datetime)}
    birth, arrive, target = moments["birth_datetime"], moments["arrive_centre_datetime"], moments["target_temp_reached"]
    lowest: Decimal = case["lowest_temp_before_arrival_c"]
    if target < arrive and lowest <= Decimal("34.0"):  # reached 33–34 °C, then the lowest point, before arrival
        low_at = target + (arrive - target) * rng.uniform(0.3, 0.9)
        others = [(target, max(lowest, Decimal("33.8")), "rectal")]
    else:
        low_at, others = arrive - timedelta(minutes=20), []
    key = [(max(low_at, birth), lowest, "rectal"), (arrive + timedelta(minutes=5), case["arrival_temp_c"], "rectal")]
    others.append((birth + timedelta(minutes=20), _dec(rng.uniform(36.4, 36.9), 1), "axilla"))
    core = moments.get("core_monitoring_start")
    if core is not None and core < min(arrive, target):
        others.append((core, max(lowest, _dec(rng.uniform(35.0, 36.5), 1)), "rectal"))
    others += _maintenance_readings(rng, moments, arrive)
    end = min(t for t in (snapshot, moments.get("death_datetime")) if t is not None)
    return [r for r in [*key, *sorted(others)] if birth <= r[0] <= end]


def _maintenance_readings(rng: random.Random, moments: Mapping[str, datetime], arrive: datetime) -> list[Reading]:
    """Twelve-hourly readings at 33.5 °C during cooling, then the rewarming climb to ≥ 36.5 °C."""
    rewarm, rewarmed = moments.get("rewarming_start"), moments.get("rewarming_end")
    readings: list[Reading] = []
    moment = arrive + timedelta(hours=2)
    stop = rewarm or arrive + timedelta(hours=72)
    while moment < stop:
        readings.append((moment, _dec(rng.uniform(33.3, 33.7), 1), "rectal"))
        moment += timedelta(hours=12)
    if rewarm is not None:
        readings.append((rewarm + timedelta(hours=3), _dec(rng.uniform(34.8, 35.3), 1), "rectal"))
    if rewarmed is not None:
        readings.append((rewarmed, _dec(rng.uniform(36.5, 36.9), 1), "rectal"))
    return readings
