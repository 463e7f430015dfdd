"""Which expected fields of a case are still empty, given where the baby is on the pathway and the time.

Pure: reads one Case's own fields, never the database, so the worklist can run it over many cases at once.
A field is "expected" once the pathway has reached the point where it should have been recorded: at once
for what happens around referral and transfer, after the 6-hour clock for the target temperature, after
cooling and rewarming for the rewarming times, and at discharge for the outcome fields. The fields and their
reasons follow the KPI table in ../shared/spec/kpis.md: each one is what a KPI needs to be decided, so a gap
here is a case the nightly KPIs will count as `missing`.

Every interval is computed on UTC instants: a Case built in memory may hold Europe/London datetimes, and
Python adds to and compares two datetimes that share a tzinfo on the wall clock (an hour out across a
clock change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pathway import choices as c
from pathway import standards as s
from pathway.models import Case
from pathway.rules import label as field_label

# The thresholds (6 hours, 80 h to rewarming, 12 h of rewarming, 24 h to the parents' consultation, the
# MNSI gestation) are pathway.standards', the one home the KPI definitions read too.
PARENT_CONSULTATION = timedelta(minutes=s.PARENT_CONSULTATION_MIN)
# "Unknown" decides nothing: the KPIs count it as missing, so the worklist chases it like an empty field.
_UNDECIDED = ("", None, c.YesNoUnknown.UNKNOWN)


@dataclass(frozen=True)
class Missing:
    field: str  # model field name, or "cooling_start" for the pair passive/active
    label: str
    why: str


# --- Case facts on instants (shared with pathway.timeline and pathway.worklist) ---------------------------


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def time_zero(case: Case) -> datetime:
    """Postnatal collapse when recorded, else birth (kpis.md "Conventions")."""
    return (case.postnatal_collapse_datetime or case.birth_datetime).astimezone(UTC)


def cooling_start(case: Case) -> datetime | None:
    """The earliest of passive and active cooling start, compared as instants."""
    starts = [t.astimezone(UTC) for t in (case.passive_cooling_start, case.active_cooling_start) if t]
    return min(starts) if starts else None


def has_died(case: Case) -> bool:
    return case.outcome == c.Outcome.DIED or case.death_datetime is not None


def admission(case: Case) -> datetime | None:
    """Admission to the cooling centre: arrival for an outborn baby, birth for an inborn one (kpis.md)."""
    if case.is_outborn:
        return utc(case.arrive_centre_datetime)
    return case.birth_datetime.astimezone(UTC)


def is_discharged(case: Case, as_of: datetime) -> bool:
    discharge = utc(case.discharge_datetime)
    return discharge is not None and discharge <= as_of


def _at_least(case: Case, gestation: tuple[int, int]) -> bool:
    """Gestation ≥ weeks+days, in completed weeks and days."""
    return (case.gestation_weeks, case.gestation_days) >= gestation


def mnsi_eligible(case: Case) -> bool:
    """kpis.md `mnsi_referral` cohort: ≥ 37+0 weeks, in labour, actively cooled."""
    return (case.is_cooled and _at_least(case, s.MNSI_MIN_GESTATION) and case.labour == c.YesNoUnknown.YES
            and case.active_cooling_start is not None)


# --- The rules ---------------------------------------------------------------------------------------------

Rule = Callable[[Case, datetime], Missing | None]


def _label(field: str) -> str:
    text = field_label(field)
    return text[:1].upper() + text[1:]


def _empty(case: Case, field: str, *, unknown_is_missing: bool = False) -> bool:
    value = getattr(case, field)
    if unknown_is_missing:
        return value in _UNDECIDED
    return value is None or value == ""


def _need(case: Case, field: str, why: str, *, unknown_is_missing: bool = False) -> Missing | None:
    if not _empty(case, field, unknown_is_missing=unknown_is_missing):
        return None
    if getattr(case, field) == c.YesNoUnknown.UNKNOWN:
        why = f"Recorded as unknown. {why}"
    return Missing(field, _label(field), why)


def _hie_grade(case: Case, as_of: datetime) -> Missing | None:
    why = ("Needed to judge whether cooling was within criteria" if case.is_cooled
           else "Needed to record why the baby was not cooled")
    return _need(case, "hie_grade", why)


def _referral(case: Case, as_of: datetime) -> Missing | None:
    if not case.is_outborn:
        return None
    return _need(case, "referral_datetime", "Needed for the age at referral (outborn baby)")


def _cooling_start(case: Case, as_of: datetime) -> Missing | None:
    if cooling_start(case) is not None:
        return None
    return Missing("cooling_start", "Cooling start (passive or active)",
                   "Needed for 'cooling started within 6 hours'")


_TRANSFER_FIELDS: tuple[tuple[str, str], ...] = (
    ("core_monitoring_start", "Needed for 'core monitoring before transfer'"),
    ("depart_referring_datetime", "Needed for 'core monitoring before transfer'"),
    ("arrive_centre_datetime", "Needed for the parent consultation clock (admission of an outborn baby)"),
    ("lowest_temp_before_arrival_c", "Needed for 'overcooling before the cooling centre'"),
    ("arrival_temp_c", "Needed for 'arrival temperature in range'"),
    ("transport_cooling", "Needed for 'servo cooling in transport'"),
)


def _transfer(field: str, why: str) -> Rule:
    def rule(case: Case, as_of: datetime) -> Missing | None:
        return _need(case, field, why) if case.is_outborn else None

    rule.__name__ = f"_transfer_{field}"
    return rule


def _target(case: Case, as_of: datetime) -> Missing | None:
    # A baby who died before reaching target is outside the KPI cohort (kpis.md `target_temp_6h`).
    if case.outcome == c.Outcome.DIED or as_of <= time_zero(case) + s.SIX_HOURS:
        return None
    return _need(case, "target_temp_reached", "Should be reached within 6 hours of time zero")


def _cooling_due_to_end(case: Case, as_of: datetime) -> bool:
    anchor = utc(case.target_temp_reached) or cooling_start(case)
    return (not case.early_stop_reason and not has_died(case) and anchor is not None
            and as_of >= anchor + s.REWARMING_DUE_AFTER_TARGET)


def _rewarming_start(case: Case, as_of: datetime) -> Missing | None:
    if not _cooling_due_to_end(case, as_of):
        return None
    why = f"Cooling runs {s.COOLING_HOURS} hours from target temperature, then rewarming starts"
    return _need(case, "rewarming_start", why)


def _rewarming_end(case: Case, as_of: datetime) -> Missing | None:
    started = utc(case.rewarming_start)
    due = (started is not None and as_of >= started + s.REWARMING_LONGEST) or _cooling_due_to_end(case, as_of)
    if not due or has_died(case):
        return None
    return _need(case, "rewarming_end", "Needed for 'controlled rewarming' (at least 6 hours)")


def _parent_consultation(case: Case, as_of: datetime) -> Missing | None:
    since = admission(case) or case.birth_datetime.astimezone(UTC)
    if as_of <= since + PARENT_CONSULTATION:
        return None
    return _need(case, "parent_consultation_datetime", "Should take place within 24 hours of admission")


def _placenta(case: Case, as_of: datetime) -> Missing | None:
    return _need(case, "placenta_sent", "Needed for 'placenta sent for histology'", unknown_is_missing=True)


def _labour(case: Case, as_of: datetime) -> Missing | None:
    if not _at_least(case, s.MNSI_MIN_GESTATION) or case.active_cooling_start is None:
        return None
    return _need(case, "labour", "Needed to decide whether an MNSI referral is due", unknown_is_missing=True)


def _mnsi(case: Case, as_of: datetime) -> Missing | None:
    if not mnsi_eligible(case):
        return None
    return _need(case, "mnsi_referred", "MNSI criteria met (≥ 37+0 weeks, in labour, actively cooled)",
                 unknown_is_missing=True)


def _at_discharge(field: str, why: str, *, unless_died: bool = False) -> Rule:
    def rule(case: Case, as_of: datetime) -> Missing | None:
        if not is_discharged(case, as_of) or (unless_died and has_died(case)):
            return None
        return _need(case, field, why, unknown_is_missing=True)

    rule.__name__ = f"_at_discharge_{field}"
    return rule


_outcome = _at_discharge("outcome", "Should be recorded at discharge")

COOLED_RULES: tuple[Rule, ...] = (
    _hie_grade, _referral, _cooling_start,
    *(_transfer(field, why) for field, why in _TRANSFER_FIELDS),
    _target, _rewarming_start, _rewarming_end, _parent_consultation, _placenta, _labour, _mnsi,
    _outcome,
    _at_discharge("mri_performed", "Every cooled baby should have a brain MRI before discharge",
                  unless_died=True),
    _at_discharge("family_booklet_given", "Should be given to the family by discharge"),
)

# A baby referred but not cooled has no cooling, transfer or MRI standards to meet.
NOT_COOLED_RULES: tuple[Rule, ...] = (_hie_grade, _outcome)


def missing_fields(case: Case, as_of: datetime) -> list[Missing]:
    """Every expected field that is still empty at `as_of`, in pathway order."""
    if case.entered_in_error:
        return []
    as_of = as_of.astimezone(UTC)
    rules = COOLED_RULES if case.is_cooled else NOT_COOLED_RULES
    return [found for rule in rules if (found := rule(case, as_of)) is not None]
