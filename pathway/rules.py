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

from core.fields import concrete_field
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
    # v2 (dataset.md "v2 additions")
    ("encephalopathy_exam_datetime", "birth_datetime", False),
    ("transport_team_mobilised_datetime", "referral_datetime", False),
    ("transport_team_arrived_datetime", "transport_team_mobilised_datetime", False),
    ("depart_referring_datetime", "transport_team_arrived_datetime", False),
    ("mri2_datetime", "mri_datetime", True),
)

# (condition field, condition value, required field)
CONDITIONAL_REQUIRED: tuple[tuple[str, str, str], ...] = (
    ("therapeutic_hypothermia", c.YesNo.YES, "cooling_centre"),
    ("mri_performed", c.YesNoUnknown.YES, "mri_datetime"),
    ("outcome", c.Outcome.DIED, "death_datetime"),
    ("followup_2y", c.FollowUp.COMPLETED, "followup_2y_date"),
)

# v2: the structured parts that only exist when their gate says so ("Any of these set while ... is an error").
MRI_DETAIL_FIELDS: tuple[str, ...] = (
    "mri_sequences", "mri_score_system", "mri_score_value", "mri_injury_pattern", "mri_mrs_lactate_naa",
    "mri_reported_by", "mri2_datetime", "mri2_injury_pattern",
)
FOLLOWUP_DETAIL_FIELDS: tuple[str, ...] = (
    "followup_corrected_age_months", "bayley_version", "bayley_cognitive", "bayley_language", "bayley_motor",
    "cerebral_palsy", "gmfcs_level", "vision", "hearing", "epilepsy",
)
BAYLEY_COMPOSITES: tuple[str, ...] = ("bayley_cognitive", "bayley_language", "bayley_motor")
# (gate field, the value it must have, fields recorded only then, how the message words the gate)
GATED_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mri_performed", c.YesNoUnknown.YES, MRI_DETAIL_FIELDS),
    ("followup_2y", c.FollowUp.COMPLETED, FOLLOWUP_DETAIL_FIELDS),
    ("placenta_sent", c.PlacentaSent.YES, ("placenta_histology",)),
    ("mnsi_referred", c.YesNoUnknown.YES, ("mnsi_reference",)),
)
# Corrected age at the 2-year assessment: below the field's 18 months is an error, above this a warning.
FOLLOWUP_LATE_MONTHS = 30


def label(field: str) -> str:
    from pathway.models import Case

    return str(concrete_field(Case, field).verbose_name)


def choice_label(field: str, value: str) -> str:
    """A coded answer as the screens show it ("Died", not "died")."""
    from pathway.models import Case

    return str(dict(concrete_field(Case, field).flatchoices).get(value, value))


# --- Pieces `pop.rules` words its own rules with, so both datasets say the same thing the same way -------


def local_text(value: datetime) -> str:
    """A time as the messages show it: UK local time, dd/mm/yyyy hh:mm."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def instant(values: Values, field: str) -> datetime | None:
    """The field's instant in UTC. Comparing or subtracting two datetimes that share a tzinfo (both
    Europe/London, as forms and the import give them) uses the wall clock, an hour out across a clock change."""
    value = values.get(field)
    return None if value is None or empty(value) else value.astimezone(UTC)


def empty(value: object) -> bool:
    return value is None or value == "" or value == []


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


# --- v2 rules (dataset.md "v2 additions") ----------------------------------------------------------------


def _transport_service_designation(values: Values) -> Iterator[Violation]:
    service = values.get("transport_service")
    if service is not None and not service.is_transport_service:
        yield Violation("transport_service", "transport_service_designation",
                        f"{service} is not a neonatal transport service: choose a unit with designation "
                        "TRANSPORT")


def _delivery_and_labour(values: Values) -> Iterator[Violation]:
    if (values.get("mode_of_delivery") == c.ModeOfDelivery.PRELABOUR_CAESAREAN
            and values.get("labour") == c.YesNoUnknown.YES):
        yield Violation("mode_of_delivery", "prelabour_caesarean_with_labour",
                        "A pre-labour caesarean cannot follow labour: the labour field says 'yes'")


def _not_cooled_reason(values: Values) -> Iterator[Violation]:
    reason, cooled = values.get("not_cooled_reason"), values.get("therapeutic_hypothermia")
    if cooled == c.YesNo.YES and not empty(reason):
        yield Violation("not_cooled_reason", "not_cooled_reason_when_cooled",
                        "A reason not cooled is only for babies not cooled: therapeutic hypothermia is 'yes'")
    if cooled == c.YesNo.NO and not empty(values.get("referral_decision")) and empty(reason):
        yield Violation("not_cooled_reason", "required_when.referral_decision",
                        "Enter the reason not cooled: it is required when the baby was referred "
                        "(a decision on the call is recorded) and not cooled")


def _gated(values: Values) -> Iterator[Violation]:
    for gate, needed, fields in GATED_FIELDS:
        if values.get(gate) == needed:
            continue
        for field in fields:
            if not empty(values.get(field)):
                yield Violation(field, f"only_when.{gate}",
                                f"The {label(field)} can only be recorded when {label(gate)} is '{needed}'")


def _discharge_destination(values: Values) -> Iterator[Violation]:
    destination, died = values.get("discharge_destination"), values.get("outcome") == c.Outcome.DIED
    if empty(destination):
        return
    if died != (destination == c.DischargeDestination.NOT_APPLICABLE):
        yield Violation("discharge_destination", "discharge_destination_not_applicable",
                        "The discharge destination is 'not_applicable' exactly when the outcome at discharge "
                        "is 'died'")


def _ens_after_birth(values: Values) -> Iterator[Violation]:
    notified, birth = values.get("ens_notified_date"), instant(values, "birth_datetime")
    if notified is None or notified == "" or birth is None:
        return
    birth_date = timezone.localtime(birth).date()
    if notified < birth_date:
        yield Violation("ens_notified_date", "order.ens_notified_date",
                        f"The {label('ens_notified_date')} ({notified:%d/%m/%Y}) must be on or after the date of "
                        f"birth ({birth_date:%d/%m/%Y})")


def _structured_followup(values: Values) -> Iterator[Violation]:
    """Bayley composites need a version that has them; GMFCS goes with a type of cerebral palsy."""
    if values.get("bayley_version") not in (c.BayleyVersion.III, c.BayleyVersion.IV):
        for field in BAYLEY_COMPOSITES:
            if not empty(values.get(field)):
                yield Violation(field, "bayley_composite_needs_version",
                                f"The {label(field)} needs the Bayley version 'iii' or 'iv'")
    palsy, gmfcs = values.get("cerebral_palsy"), values.get("gmfcs_level")
    if palsy in c.CEREBRAL_PALSY_TYPES and empty(gmfcs):
        yield Violation("gmfcs_level", "required_when.cerebral_palsy",
                        "Enter the GMFCS level: it is required when a type of cerebral palsy is recorded")
    if palsy == c.CerebralPalsy.NONE and not empty(gmfcs):
        yield Violation("gmfcs_level", "gmfcs_without_cerebral_palsy",
                        "A GMFCS level is only for a child with cerebral palsy: cerebral palsy is 'none'")


def _followup_age(values: Values) -> Iterator[Violation]:
    """The corrected age is required with a completed assessment once any structured follow-up item is
    recorded. A follow-up completed before v2 (no structured item at all) stays valid, so every v1 file
    imports unchanged and an exported v1-era record reads back identically; the follow-up screen asks for
    the age outright (`followup_age_missing`)."""
    if values.get("followup_2y") != c.FollowUp.COMPLETED or not empty(values.get("followup_corrected_age_months")):
        return
    if any(not empty(values.get(f)) for f in FOLLOWUP_DETAIL_FIELDS):
        yield followup_age_missing()


def followup_age_missing() -> Violation:
    return Violation("followup_corrected_age_months", "required_when.followup_2y",
                     f"Enter the {label('followup_corrected_age_months')}: it is required when "
                     f"{label('followup_2y')} is 'completed'")


HARD_RULES: tuple[Rule, ...] = (
    _required, _conditional, birth_not_future, _ordering, _target_after_cooling, _cooling_centre_flag,
    _transport_service_designation, _delivery_and_labour, _not_cooled_reason, _gated, _discharge_destination,
    _ens_after_birth, _structured_followup, _followup_age,
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
    # v2
    "cool_advised_not_cooled": "The referral call advised cooling but the baby was not cooled",
    "mri_without_dwi": "MRI sequences recorded without diffusion (DWI)",
    "followup_after_30_months": f"2-year assessment after {FOLLOWUP_LATE_MONTHS} months corrected age",
}


def soft_flags(values: Values) -> list[str]:
    return _cooling_flags(values) + _journey_flags(values)


def _journey_flags(values: Values) -> list[str]:
    """v2 warnings, for every referral, cooled or not."""
    flags: list[str] = []
    if (values.get("referral_decision") == c.ReferralDecision.COOL
            and values.get("therapeutic_hypothermia") == c.YesNo.NO):
        flags.append("cool_advised_not_cooled")
    sequences = values.get("mri_sequences") or []
    if sequences and c.MriSequence.DWI not in sequences:
        flags.append("mri_without_dwi")
    age = values.get("followup_corrected_age_months")
    if age is not None and age > FOLLOWUP_LATE_MONTHS:
        flags.append("followup_after_30_months")
    return flags


def _cooling_flags(values: Values) -> list[str]:
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
