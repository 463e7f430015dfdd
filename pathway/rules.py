"""Cross-field validation of a case, shared by forms, the CSV import, the API and services.

Source: ../shared/spec/dataset.md "Columns" (ordering and conditional requirements → hard errors)
and "Soft warnings" (→ data-quality flags). Per-field type and range rules are model field validators.
Each rule is a small function over a mapping of model field names to typed values, so a form can check
a half-filled record and an import can check a row before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from pathway import choices as c
from pathway import standards as s

Values = Mapping[str, Any]


@dataclass(frozen=True)
class Violation:
    field: str  # model field name
    rule: str  # stable code, e.g. "order.rewarming_end"
    message: str


REQUIRED = ("case_ref", "birth_datetime", "sex", "gestation_weeks", "gestation_days", "birth_weight_g",
            "birth_unit", "therapeutic_hypothermia")

# (later field, earlier field, strict): later must be ≥ earlier (or > when strict). dataset.md "Columns".
ORDER_RULES: tuple[tuple[str, str, bool], ...] = (
    ("postnatal_collapse_datetime", "birth_datetime", False),
    ("referral_datetime", "birth_datetime", False),
    ("passive_cooling_start", "birth_datetime", False),
    ("active_cooling_start", "birth_datetime", False),
    ("core_monitoring_start", "birth_datetime", False),
    ("depart_referring_datetime", "referral_datetime", False),
    ("arrive_centre_datetime", "depart_referring_datetime", False),
    ("rewarming_start", "target_temp_reached", False),
    ("rewarming_end", "rewarming_start", False),
    ("mri_datetime", "birth_datetime", True),
    ("death_datetime", "birth_datetime", False),
    ("discharge_datetime", "birth_datetime", False),
)

# (condition field, condition value, required field)
CONDITIONAL_REQUIRED: tuple[tuple[str, str, str], ...] = (
    ("therapeutic_hypothermia", c.YesNo.YES, "cooling_centre"),
    ("mri_performed", c.YesNoUnknown.YES, "mri_datetime"),
    ("outcome", c.Outcome.DIED, "death_datetime"),
    ("followup_2y", c.FollowUp.COMPLETED, "followup_2y_date"),
)


def label(field: str) -> str:
    from pathway.models import Case

    return str(Case._meta.get_field(field).verbose_name)


def choice_label(field: str, value: str) -> str:
    """A coded answer as the screens show it ("Died", not "died")."""
    from pathway.models import Case

    return str(dict(Case._meta.get_field(field).flatchoices).get(value, value))


# --- Pieces `pop.rules` words its own rules with, so both datasets say the same thing the same way -------


def local_text(value: datetime) -> str:
    """A time as the messages show it: UK local time, dd/mm/yyyy hh:mm."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def instant(values: Values, field: str) -> datetime | None:
    """The field's instant in UTC. Comparing or subtracting two datetimes that share a tzinfo (both
    Europe/London, as forms and the import give them) uses the wall clock, an hour out across a clock change."""
    value = values.get(field)
    return None if empty(value) else value.astimezone(UTC)


def empty(value: object) -> bool:
    return value is None or value == ""


Rule = Callable[[Values], Iterator[Violation]]


def required_rule(fields: tuple[str, ...], label_of: Callable[[str], str]) -> Rule:
    """The rule that each of `fields` has a value, naming a missing one by `label_of` (its model's verbose
    name)."""
    def required(values: Values) -> Iterator[Violation]:
        for field in fields:
            if empty(values.get(field)):
                yield Violation(field, "required", f"Enter the {label_of(field)} (required)")
    return required


def birth_not_future(values: Values) -> Iterator[Violation]:
    birth = instant(values, "birth_datetime")
    if birth is not None and birth > timezone.now():
        yield Violation("birth_datetime", "not_future", "The date and time of birth cannot be in the future")


# --- The HIE case's own rules ------------------------------------------------------------------------------


def _cooling_starts(values: Values) -> list[datetime]:
    starts = (instant(values, f) for f in ("passive_cooling_start", "active_cooling_start"))
    return [start for start in starts if start is not None]


_required = required_rule(REQUIRED, label)


def _conditional(values: Values) -> Iterator[Violation]:
    for cond_field, cond_value, field in CONDITIONAL_REQUIRED:
        if values.get(cond_field) == cond_value and empty(values.get(field)):
            yield Violation(field, f"required_when.{cond_field}",
                            f"Enter the {label(field)}: it is required when {label(cond_field)} is "
                            f"'{choice_label(cond_field, cond_value)}'")


def _ordering(values: Values) -> Iterator[Violation]:
    for later, earlier, strict in ORDER_RULES:
        a, b = instant(values, later), instant(values, earlier)
        if a is None or b is None:
            continue
        if a < b or (strict and a == b):
            relation = "after" if strict else "at or after"
            yield Violation(later, f"order.{later}",
                            f"The {label(later)} ({local_text(a)}) must be {relation} the {label(earlier)} "
                            f"({local_text(b)})")


def _target_after_cooling(values: Values) -> Iterator[Violation]:
    target = instant(values, "target_temp_reached")
    starts = _cooling_starts(values)
    if target is not None and starts and target < min(starts):
        yield Violation("target_temp_reached", "order.target_temp_reached",
                        f"The {label('target_temp_reached')} ({local_text(target)}) must be at or after the "
                        f"earliest cooling start ({local_text(min(starts))})")


def _cooling_centre_flag(values: Values) -> Iterator[Violation]:
    centre = values.get("cooling_centre")
    if centre is not None and not centre.is_cooling_centre:
        yield Violation("cooling_centre", "cooling_centre_flag",
                        f"{centre} is not a cooling centre: choose a unit flagged as a cooling centre")


HARD_RULES: tuple[Rule, ...] = (
    _required, _conditional, birth_not_future, _ordering, _target_after_cooling, _cooling_centre_flag,
)


def hard_violations(values: Values) -> list[Violation]:
    """Every hard error of the record (all of them, not only the first)."""
    return [v for rule in HARD_RULES for v in rule(values)]


# Soft warnings: the case is saved and flagged for data quality (dataset.md "Soft warnings").
SOFT_MESSAGES: dict[str, str] = {
    "cooling_after_6h": "Cooling started more than 6 hours after time zero",
    "preterm_cooled": "Cooled at a gestation below 36+0 weeks",
    "mild_or_no_hie_cooled": "Cooled with HIE grade 0 or 1",
    "cooling_duration": f"Cooling (target to rewarming) outside {s.COOLING_SHORTEST_H}–{s.COOLING_LONGEST_H} "
    "hours with no early-stop reason",
}


def soft_flags(values: Values) -> list[str]:
    if values.get("therapeutic_hypothermia") != c.YesNo.YES:
        return []
    flags: list[str] = []
    zero = instant(values, "postnatal_collapse_datetime") or instant(values, "birth_datetime")
    starts = _cooling_starts(values)
    if zero is not None and starts and min(starts) - zero > s.SIX_HOURS:
        flags.append("cooling_after_6h")
    weeks = values.get("gestation_weeks")
    if weeks is not None and (weeks, values.get("gestation_days") or 0) < s.COOLING_MIN_GESTATION:
        flags.append("preterm_cooled")
    grade = values.get("hie_grade")
    if grade is not None and grade <= s.MILD_HIE_GRADE_MAX:
        flags.append("mild_or_no_hie_cooled")
    target, rewarm = instant(values, "target_temp_reached"), instant(values, "rewarming_start")
    early_stop = values.get("early_stop_reason")
    if target is not None and rewarm is not None and not early_stop and not s.cooling_duration_ok(
        (rewarm - target) / timedelta(minutes=1)
    ):
        flags.append("cooling_duration")
    return flags
