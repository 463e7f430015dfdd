"""Every write to a case goes through here: screens, API, CSV import and tasks call these functions.

Each service validates the whole record (field validators + `pathway.rules`), refuses to overwrite a
newer version, recomputes the stage and data-quality flags, and writes the audit row (who, when,
old → new) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.exceptions import EditConflict
from core.models import AuditEvent
from core.timeutil import format_local
from pathway import rules, temperatures
from pathway.dataset import FIELDS, UNIT_COLUMNS
from pathway.models import Case, TemperatureObservation
from pathway.signals import case_changed
from units.access import UserLike
from units.models import Unit

OBJECT_TYPE = "pathway.case"
UNIT_FIELDS = frozenset(UNIT_COLUMNS.values())
# Fields set by the system, never by the person entering data.
_SYSTEM_FIELDS = ["stage", "dq_flags", "entered_in_error", "entered_in_error_reason", "version",
                  "created_by", "updated_by"]


def case_values(case: Case) -> dict[str, Any]:
    """The dataset values of a case keyed by model field name (what rules and diffs look at)."""
    return {field: _value(case, field) for field in FIELDS}


def _value(case: Case, field: str) -> Any:
    # An unset foreign key raises on access; for validation it is simply empty.
    if field in UNIT_FIELDS and getattr(case, f"{field}_id") is None:
        return None
    return getattr(case, field)


def display_value(value: object) -> str:
    """How a value appears in the history (stable text, local times with their offset)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, Unit):
        return value.ods_code
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def _changed(old: object, new: object) -> bool:
    # 7.0 and 7.00 are the same pH: a numerically equal decimal is not a change to record.
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old != new
    return display_value(old) != display_value(new)


def diff_values(before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> dict[str, list[str]]:
    """{field: [old, new]} as audit text for the fields whose value changed (any dataset: HIE, POP)."""
    return {
        field: [display_value(before[field]), display_value(after[field])]
        for field in fields
        if _changed(before[field], after[field])
    }


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[str]]:
    return diff_values(before, after, FIELDS)


# What a case "was" before it was created: nothing, so the create audit lists every value entered
# (diffing against Case() would hide values equal to a model default, e.g. multiple_birth "no").
_NOTHING: dict[str, Any] = dict.fromkeys(FIELDS)


def _announce(case: Case, by: UserLike, *, previous_birth: datetime | None = None) -> None:
    """Tell listeners (the KPI engine) that the case changed; they act after commit."""
    case_changed.send(sender=Case, case=case, by=by, previous_birth=previous_birth)


def validate_record(record: Any, *, exclude: Iterable[str], values: Mapping[str, Any],
                    hard_violations: Callable[[Mapping[str, Any]], Iterable[rules.Violation]],
                    duplicate_nhs_number: bool, duplicate_message: str) -> None:
    """Raise one ValidationError holding every field error of a dataset record (HIE case or POP record):
    the model's own field checks, NHS number unique per baby, then the dataset's cross-field rules."""
    errors: dict[str, list[str]] = {}
    try:
        record.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    if duplicate_nhs_number:
        errors.setdefault("nhs_number", []).append(duplicate_message)
    # A field that failed its own validation still holds the raw input (text, wrong type): the
    # cross-field rules see it as empty, and do not call a value that was given "required".
    checked = {field: None if field in errors else value for field, value in values.items()}
    for violation in hard_violations(checked):
        if violation.rule == "required" and values[violation.field] not in (None, ""):
            continue
        messages = errors.setdefault(violation.field, [])
        if violation.message not in messages:
            messages.append(violation.message)
    if errors:
        raise ValidationError(errors)


def _validate(case: Case) -> None:
    duplicate = bool(case.nhs_number) and Case.objects.exclude(pk=case.pk).filter(
        nhs_number=case.nhs_number).exists()
    validate_record(case, exclude=_SYSTEM_FIELDS, values=case_values(case), hard_violations=rules.hard_violations,
                    duplicate_nhs_number=duplicate,
                    duplicate_message="Another case already has this NHS number (unique per baby)")


def _apply(case: Case, values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not case fields: {sorted(unknown)}")
    for field, value in values.items():
        setattr(case, field, value)


def _finish(case: Case, by: UserLike) -> None:
    case.dq_flags = rules.soft_flags(case_values(case))
    case.stage = case.derive_stage()
    case.updated_by = by if by.is_authenticated else None  # type: ignore[assignment]


def _latest_change(case: Case) -> AuditEvent | None:
    return AuditEvent.objects.filter(object_type=OBJECT_TYPE, object_id=str(case.pk)).select_related(
        "actor").first()


def _conflict(case: Case) -> EditConflict:
    last = _latest_change(case)
    who = last.actor.get_full_name() or last.actor.username if last and last.actor else "someone else"
    when = f" at {timezone.localtime(last.at):%H:%M on %d/%m/%Y}" if last else ""
    return EditConflict(
        f"{case.case_ref} was changed by {who}{when} after you opened it. Your changes have not been "
        "saved, so nothing of theirs was overwritten: reload the case, check their changes and enter "
        "yours again."
    )


@transaction.atomic
def case_create(*, values: Mapping[str, Any], by: UserLike, action: str = AuditEvent.Action.CREATE) -> Case:
    case = Case()
    _apply(case, values)
    _validate(case)
    _finish(case, by)
    case.created_by = case.updated_by
    case.save()
    audit.record(actor=by, action=action, object_type=OBJECT_TYPE, object_id=case.pk,
                 summary=f"Created {case.case_ref}", changes=_diff(_NOTHING, case_values(case)))
    _announce(case, by)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    values: Mapping[str, Any],
    expected_version: int | None,
    by: UserLike,
    action: str = AuditEvent.Action.UPDATE,
) -> Case:
    """Apply changes; refuse with EditConflict when the case moved on since `expected_version`.

    `expected_version=None` means "latest wins", used only by the import (same case_ref = update).
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(locked)
    before = case_values(locked)
    _apply(locked, values)
    _validate(locked)
    changes = _diff(before, case_values(locked))
    if not changes:
        return locked
    _finish(locked, by)
    locked.version += 1
    locked.save()
    audit.record(actor=by, action=action, object_type=OBJECT_TYPE, object_id=locked.pk,
                 summary=f"Changed {', '.join(changes)}", changes=changes)
    _announce(locked, by, previous_birth=before["birth_datetime"])
    return locked


@transaction.atomic
def case_mark_entered_in_error(*, case: Case, reason: str, expected_version: int | None, by: UserLike) -> Case:
    """Clinical users never delete a case: it is kept, hidden from counts, and marked with a reason."""
    if not reason.strip():
        raise ValidationError({"entered_in_error_reason": ["Give the reason the case was entered in error"]})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(locked)
    locked.entered_in_error = True
    locked.entered_in_error_reason = reason.strip()[:255]
    _finish(locked, by)
    locked.version += 1
    locked.save()
    audit.record(actor=by, action=AuditEvent.Action.ENTERED_IN_ERROR, object_type=OBJECT_TYPE,
                 object_id=locked.pk, summary=f"Entered in error: {locked.entered_in_error_reason}")
    _announce(locked, by)
    return locked


def _derived_temperatures(case: Case) -> dict[str, Any]:
    # From the saved row and series, not the caller's object (it may be stale or have prefetched readings).
    case = Case.objects.get(pk=case.pk)
    readings = list(case.temperatures.all())
    # In UTC: "arrival + 1 hour" on a Europe/London value is wall-clock arithmetic (wrong at a clock change).
    arrived = case.arrive_centre_datetime.astimezone(UTC) if case.arrive_centre_datetime else None
    derived: dict[str, Any] = {}
    lowest = temperatures.lowest_before_arrival(readings, arrived)
    if lowest is not None:
        derived["lowest_temp_before_arrival_c"] = lowest
    arrival = temperatures.arrival_temperature(readings, arrived)
    if arrival is not None:
        derived["arrival_temp_c"] = arrival
    # A recorded target time is the clinician's; the series only fills it when it is empty.
    if case.target_temp_reached is None:
        target = temperatures.first_in_target(readings, case.cooling_start)
        if target is not None:
            derived["target_temp_reached"] = target
    return derived


@transaction.atomic
def temperature_add(
    *, case: Case, observed_at: datetime, temp_c: Decimal, site: str, by: UserLike
) -> TemperatureObservation:
    observation = TemperatureObservation(case=case, observed_at=observed_at, temp_c=temp_c, site=site,
                                         recorded_by=by if by.is_authenticated else None)
    observation.full_clean(exclude=["case", "recorded_by"])
    if observed_at < case.birth_datetime:
        raise ValidationError({"observed_at": ["The temperature time must be at or after birth"]})
    observation.save()
    audit.record(actor=by, action=AuditEvent.Action.TEMPERATURE_ADD, object_type=OBJECT_TYPE,
                 object_id=case.pk, summary=f"Temperature {observation}")
    case_update(case=case, values=_derived_temperatures(case), expected_version=None, by=by)
    _announce(case, by)
    return observation


@transaction.atomic
def temperature_remove(*, observation: TemperatureObservation, by: UserLike) -> None:
    case = observation.case
    text = str(observation)
    observation.delete()
    audit.record(actor=by, action=AuditEvent.Action.TEMPERATURE_REMOVE, object_type=OBJECT_TYPE,
                 object_id=case.pk, summary=f"Removed temperature {text}")
    case_update(case=case, values=_derived_temperatures(case), expected_version=None, by=by)
    _announce(case, by)


def case_history(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=OBJECT_TYPE, object_id=str(case.pk))
                .select_related("actor"))
