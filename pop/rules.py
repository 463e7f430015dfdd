"""Cross-field validation of a POP record, shared by the form, the CSV import and the services.

Sources: ../shared/spec/dataset.md "POP (preterm optimisation) dataset" (cohort < 34+0; times ≤ or ≥ birth)
and the shared columns' rules (required, birth not in the future); domain.md §8.2 (POP validation). Each
rule is a small function over a mapping of model field names to typed values, as in `pathway.rules`,
whose `Violation`, required-fields rule, birth-not-in-the-future rule and time helpers it reuses so every
interface reports both datasets the same way. The cohort, birth-order and steroid rules are POP's own.

Hard rules block the save. Soft rules (domain.md §8.2 "store invalid but flagged") save the record and
flag it for data quality.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from core.fields import concrete_field
from pathway.rules import Rule, Violation, birth_not_future, empty, instant, local_text, required_rule

Values = Mapping[str, Any]

REQUIRED = ("case_ref", "birth_datetime", "sex", "gestation_weeks", "gestation_days", "birth_weight_g",
            "birth_unit")
COHORT_WEEKS = 34  # dataset.md: "One row per baby born < 34+0 weeks"

# (field, "before" or "after" birth): dataset.md "datetime ≤ birth" / "datetime ≥ birth"; both inclusive.
BIRTH_ORDER: tuple[tuple[str, str], ...] = (
    ("steroids_last_dose_datetime", "before"),
    ("magnesium_start_datetime", "before"),
    ("antibiotics_start_datetime", "before"),
    ("first_temp_datetime", "after"),
    ("first_breast_milk_datetime", "after"),
)


def label(field: str) -> str:
    from pop.models import PopRecord

    return str(concrete_field(PopRecord, field).verbose_name)


_required = required_rule(REQUIRED, label)


def _cohort(values: Values) -> Iterator[Violation]:
    weeks = values.get("gestation_weeks")
    if weeks is not None and weeks >= COHORT_WEEKS:
        yield Violation("gestation_weeks", "cohort",
                        f"POP records are for babies born before {COHORT_WEEKS}+0 weeks; {weeks} weeks is not in "
                        "the cohort (record the baby as an HIE case if cooled)")


def _birth_order(values: Values) -> Iterator[Violation]:
    birth = instant(values, "birth_datetime")
    if birth is None:
        return
    for field, side in BIRTH_ORDER:
        moment = instant(values, field)
        if moment is None:
            continue
        if side == "before" and moment > birth:
            yield Violation(field, f"order.{field}", f"The {label(field)} ({local_text(moment)}) must be at or "
                                                     f"before the date and time of birth ({local_text(birth)})")
        if side == "after" and moment < birth:
            yield Violation(field, f"order.{field}", f"The {label(field)} ({local_text(moment)}) must be at or "
                                                     f"after the date and time of birth ({local_text(birth)})")


def _steroid_time_needs_dose(values: Values) -> Iterator[Violation]:
    # A last-dose time with "0 doses" contradicts itself: one of the two values is wrong (domain.md §8.2).
    if values.get("steroids_doses") == 0 and not empty(values.get("steroids_last_dose_datetime")):
        yield Violation("steroids_last_dose_datetime", "steroids_time_without_dose",
                        "A last steroid dose time is recorded but the number of doses is 0: correct one of them")


HARD_RULES: tuple[Rule, ...] = (
    _required, _cohort, birth_not_future, _birth_order, _steroid_time_needs_dose,
)


def hard_violations(values: Values) -> list[Violation]:
    """Every hard error of the record (all of them, not only the first)."""
    return [violation for rule in HARD_RULES for violation in rule(values)]


# Soft warnings: saved and flagged for data quality (domain.md §8.2).
SOFT_MESSAGES: dict[str, str] = {
    "magnesium_from_30_weeks": "Magnesium sulphate recorded at 30+0 weeks or more (the element counts below 30+0)",
    "magnesium_over_24h": "Magnesium sulphate started more than 24 hours before birth: check the date",
    "steroids_repeat_course": "More than 2 antenatal steroid doses (a repeat course): check the count",
    "steroids_dose_without_time": "Steroid doses recorded without the time of the last dose",
}
MAGNESIUM_WEEKS = 30
FULL_COURSE_DOSES = 2  # two doses 12–24 h apart (domain.md §5.1)


def soft_flags(values: Values) -> list[str]:
    flags: list[str] = []
    birth, magnesium = instant(values, "birth_datetime"), instant(values, "magnesium_start_datetime")
    weeks, doses = values.get("gestation_weeks"), values.get("steroids_doses")
    if magnesium is not None and weeks is not None and weeks >= MAGNESIUM_WEEKS:
        flags.append("magnesium_from_30_weeks")
    if magnesium is not None and birth is not None and birth - magnesium > timedelta(hours=24):
        flags.append("magnesium_over_24h")
    if doses is not None and doses > FULL_COURSE_DOSES:
        flags.append("steroids_repeat_course")
    if doses and empty(values.get("steroids_last_dose_datetime")):
        flags.append("steroids_dose_without_time")
    return flags
