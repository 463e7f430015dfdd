"""Every write to a case goes through here: screens, API, CSV import and tasks call these functions.

Each service validates the whole record (field validators + `pathway.rules`), refuses to overwrite a
newer version, recomputes the stage and data-quality flags, and writes the audit row (who, when,
old → new) in the same transaction. Those steps are `RecordWrites`, which POP records share (`pop.services`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst

from core import audit
from core.exceptions import EditConflict, EnteredInError
from core.models import AuditEvent
from core.timeutil import format_uk
from pathway import rules, temperatures
from pathway.dataset import FIELDS, UNIT_COLUMNS
from pathway.models import BabyRecord, Case, TemperatureObservation
from pathway.sections import field_label
from pathway.signals import case_changed
from units.access import UserLike

OBJECT_TYPE = "pathway.case"
UNIT_FIELDS = frozenset(UNIT_COLUMNS.values())


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


R = TypeVar("R", bound=BabyRecord)


class RecordWrites(Generic[R]):
    """The writes of a dataset record of one baby: HIE cases (below) and POP records (`pop.services`).

    Each write validates the whole record (field validators + the dataset's rules, NHS number unique per
    baby), refuses to overwrite a newer version, stores the soft data-quality flags and writes the audit row
    (who, when, old → new) in the same transaction, then `announce`s the change to the record's listeners.
    A dataset subclasses it to name its model, fields, rules and wording; its service functions call these.
    """

    model: type[R]
    object_type: str  # AuditEvent.object_type of the record's history
    fields: tuple[str, ...]  # the dataset's model field names, in column order
    unit_fields: frozenset[str]
    # Fields set by the system, never by the person entering data.
    system_fields: tuple[str, ...] = ("dq_flags", "entered_in_error", "entered_in_error_reason", "version",
                                      "created_by", "updated_by")
    noun: str  # how the messages to the person editing name a record: "reload the case"
    created_summary: str  # the create audit's summary, with {ref}
    duplicate_message: str  # when another record already has the NHS number
    hard_violations: Callable[[Mapping[str, Any]], Iterable[rules.Violation]]
    soft_flags: Callable[[Mapping[str, Any]], list[str]]

    def announce(self, record: R, by: UserLike, *, previous_birth: datetime | None = None) -> None:
        """Tell the record's listeners (the KPI engines) that it changed; they act after commit."""
        raise NotImplementedError

    def values(self, record: R) -> dict[str, Any]:
        """The dataset values of a record keyed by model field name (what rules and diffs look at)."""
        return {name: self._value(record, name) for name in self.fields}

    def _value(self, record: R, name: str) -> Any:
        # An unset foreign key raises on access; for validation it is simply empty.
        if name in self.unit_fields and getattr(record, f"{name}_id") is None:
            return None
        return getattr(record, name)

    def _diff(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[str]]:
        return audit.changes(before, after, self.fields)

    def _validate(self, record: R) -> None:
        duplicate = bool(record.nhs_number) and self.model._default_manager.exclude(pk=record.pk).filter(
            nhs_number=record.nhs_number).exists()
        validate_record(record, exclude=self.system_fields, values=self.values(record),
                        hard_violations=self.hard_violations, duplicate_nhs_number=duplicate,
                        duplicate_message=self.duplicate_message)

    def _apply(self, record: R, values: Mapping[str, Any]) -> None:
        unknown = set(values) - set(self.fields)
        if unknown:
            raise ValueError(f"Not {self.model._meta.verbose_name} fields: {sorted(unknown)}")
        for name, value in values.items():
            setattr(record, name, value)

    def finish(self, record: R, by: UserLike) -> None:
        """What the system sets on every write: the data-quality flags and who saved it."""
        record.dq_flags = self.soft_flags(self.values(record))
        record.updated_by = by if by.is_authenticated else None

    def history(self, record: R) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(object_type=self.object_type, object_id=str(record.pk))
                    .select_related("actor"))

    def _conflict(self, record: R) -> EditConflict:
        last = AuditEvent.objects.filter(object_type=self.object_type, object_id=str(record.pk)).select_related(
            "actor").first()
        who = (last.actor.get_full_name() or last.actor.username) if last and last.actor else "someone else"
        when = f" at {timezone.localtime(last.at):%H:%M on %d/%m/%Y}" if last else ""
        return EditConflict(
            f"{record.case_ref} was changed by {who}{when} after you opened it. Your changes have not been saved, "
            f"so nothing of theirs was overwritten: reload the {self.noun}, check their changes and enter yours "
            "again."
        )

    def _locked(self, record: R, expected_version: int | None) -> R:
        locked = self.model._default_manager.select_for_update().get(pk=record.pk)
        if expected_version is not None and locked.version != expected_version:
            raise self._conflict(locked)
        refuse_if_entered_in_error(locked)
        return locked

    def _clash(self, record: R, error: IntegrityError) -> ValidationError:
        """What a unique index refused: another record saved the same case_ref or NHS number between this
        write's checks and its INSERT/UPDATE (two people, or a person and an import, at the same moment).

        Named from the constraint PostgreSQL reports: the transaction is aborted, so nothing can be looked up,
        and a savepoint per save to allow it would cost every import row two more statements."""
        constraint = str(getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or "")
        if "nhs" in constraint:
            return ValidationError({"nhs_number": [self.duplicate_message]})
        if "case_ref" in constraint:
            name = capfirst(self.model._meta.verbose_name)
            return ValidationError({"case_ref": [f"{name} with this case reference already exists ({record.case_ref}, "
                                                 "saved by someone else a moment ago)"]})
        return ValidationError({"case_ref": [f"{record.case_ref} clashes with a {self.noun} saved at the same "
                                             "moment: save again"]})

    def _save(self, record: R, by: UserLike, *, action: str, summary: str,
              changes: dict[str, Any] | None = None) -> None:
        self.finish(record, by)
        if record.pk is None:  # created now: its creator saved it; a saved record moves to its next version
            record.created_by = record.updated_by
        else:
            record.version += 1
        try:
            record.save()
        except IntegrityError as exc:  # the write's own atomic block rolls back; the caller's stays usable
            raise self._clash(record, exc) from None
        audit.record(actor=by, action=action, object_type=self.object_type, object_id=record.pk, summary=summary,
                     changes=changes)

    @transaction.atomic
    def create(self, *, values: Mapping[str, Any], by: UserLike, action: str) -> R:
        record = self.model()
        self._apply(record, values)
        self._validate(record)
        # What a record "was" before it was created: nothing, so the create audit lists every value entered
        # (diffing against a new model would hide values equal to a default, e.g. multiple_birth "no").
        changes = self._diff(dict.fromkeys(self.fields), self.values(record))
        self._save(record, by, action=action, summary=self.created_summary.format(ref=record.case_ref),
                   changes=changes)
        self.announce(record, by)
        return record

    @transaction.atomic
    def update(self, *, record: R, values: Mapping[str, Any], expected_version: int | None, by: UserLike,
               action: str, summary: str = "") -> R:
        """Apply changes; refuse with EditConflict when the record moved on since `expected_version`.

        `expected_version=None` means "latest wins", used only by the import (same case_ref = update). A save
        that changes nothing writes nothing (no new version, no audit row).
        """
        locked = self._locked(record, expected_version)
        before = self.values(locked)
        self._apply(locked, values)
        self._validate(locked)
        changes = self._diff(before, self.values(locked))
        if not changes:
            return locked
        self._save(locked, by, action=action,
                   summary=summary or f"Changed {audit.field_names(self.model, changes)}", changes=changes)
        self.announce(locked, by, previous_birth=before["birth_datetime"])
        return locked

    @transaction.atomic
    def mark_entered_in_error(self, *, record: R, reason: str, expected_version: int | None, by: UserLike) -> R:
        """Clinical users never delete a record: it is kept, left out of lists and counts, and carries a reason."""
        if not reason.strip():
            message = f"Give the reason the {self.noun} was entered in error"
            raise ValidationError({"entered_in_error_reason": [message]})
        locked = self._locked(record, expected_version)
        locked.entered_in_error = True
        locked.entered_in_error_reason = reason.strip()[:255]
        self._save(locked, by, action=AuditEvent.Action.ENTERED_IN_ERROR,
                   summary=f"Entered in error: {locked.entered_in_error_reason}")
        self.announce(locked, by)
        return locked


def refuse_if_entered_in_error(record: BabyRecord) -> None:
    """Every write to a record marked entered in error is refused (its sections, temperatures, family log,
    API, import rows): it is kept as it was, for the record. Raises `core.exceptions.EnteredInError`."""
    if record.entered_in_error:
        raise EnteredInError(f"{record.case_ref} was marked as entered in error: it can no longer be changed")


def locked_case(case: Case) -> Case:
    """The case's row, locked for this transaction, refused if it was marked entered in error meanwhile
    (for writes of what hangs off a case: temperatures, the family support log)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    refuse_if_entered_in_error(locked)
    return locked


class _CaseWrites(RecordWrites[Case]):
    model = Case
    object_type = OBJECT_TYPE
    fields = FIELDS
    unit_fields = UNIT_FIELDS
    system_fields = ("stage", *RecordWrites.system_fields)
    noun = "case"
    created_summary = "Created {ref}"
    duplicate_message = "Another case already has this NHS number (unique per baby)"
    hard_violations = staticmethod(rules.hard_violations)
    soft_flags = staticmethod(rules.soft_flags)

    def announce(self, record: Case, by: UserLike, *, previous_birth: datetime | None = None) -> None:
        _announce(record, by, previous_birth=previous_birth)

    def finish(self, record: Case, by: UserLike) -> None:
        super().finish(record, by)
        record.stage = record.derive_stage()


_CASES = _CaseWrites()


def case_values(case: Case) -> dict[str, Any]:
    """The dataset values of a case keyed by model field name (what rules and diffs look at)."""
    return _CASES.values(case)


def case_create(*, values: Mapping[str, Any], by: UserLike, action: str = AuditEvent.Action.CREATE) -> Case:
    return _CASES.create(values=values, by=by, action=action)


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
    return _CASES.update(record=case, values=values, expected_version=expected_version, by=by, action=action)


def case_mark_entered_in_error(*, case: Case, reason: str, expected_version: int | None, by: UserLike) -> Case:
    """Clinical users never delete a case: it is kept, hidden from counts, and marked with a reason."""
    return _CASES.mark_entered_in_error(record=case, reason=reason, expected_version=expected_version, by=by)


# --- One truth per value (issue 13) ------------------------------------------------------------------------
# The lowest temperature before arrival, the arrival temperature and the target time are summary fields the
# temperature readings also give. Neither overwrites the other silently: a field follows the readings while
# it holds what they gave (or is empty), a value typed on a screen, imported or written through the API is
# kept, and where the readings give something else the case shows both, with "use the value from the
# readings" (`case_use_readings`, audited).


def _from_readings(case: Case) -> dict[str, temperatures.SeriesValue]:
    # From the saved row and series, not the caller's object (it may be stale or have prefetched readings).
    # In UTC: "arrival + 1 hour" on a Europe/London value is wall-clock arithmetic (wrong at a clock change).
    arrived = case.arrive_centre_datetime.astimezone(UTC) if case.arrive_centre_datetime else None
    return temperatures.implied(TemperatureObservation.objects.filter(case_id=case.pk), arrived=arrived,
                                cooling_start=case.cooling_start)


def _recorded(case: Case) -> dict[str, temperatures.SeriesValue]:
    return {field: getattr(case, field) for field in temperatures.SERIES_FIELDS}


@dataclass(frozen=True)
class ReadingDisagreement:
    """A summary field whose recorded value differs from what the temperature readings give."""

    field: str
    label: str
    recorded: str
    from_readings: str


def reading_disagreements(case: Case) -> list[ReadingDisagreement]:
    """Where the case's summary fields and its readings disagree, both as people read them."""
    given = _from_readings(case)
    return [ReadingDisagreement(field, field_label(field),
                                _shown(getattr(case, field)), _shown(given[field]))
            for field in temperatures.disagreements(_recorded(case), given)]


def _shown(value: temperatures.SeriesValue) -> str:
    if value is None:
        return "Not recorded"
    if isinstance(value, datetime):
        return format_uk(value)
    return f"{value:f} °C"


@transaction.atomic
def case_use_readings(*, case: Case, field: str, expected_version: int | None, by: UserLike) -> Case:
    """Replace one summary field by what the readings give (the one-click action beside a disagreement)."""
    if field not in temperatures.SERIES_FIELDS:
        raise ValidationError({field: ["This value does not come from the temperature readings"]})
    value = _from_readings(Case.objects.get(pk=case.pk))[field]
    label = field_label(field)
    if value is None:
        raise ValidationError({field: [f"{label}: the temperature readings do not give a value"]})
    return _CASES.update(record=case, values={field: value}, expected_version=expected_version, by=by,
                         action=AuditEvent.Action.UPDATE,
                         summary=f"{label}: used the value from the temperature readings ({_shown(value)})")


def _follow_readings(case: Case, before: Mapping[str, temperatures.SeriesValue], by: UserLike) -> None:
    """After the series changed: move the summary fields that were following it, keep the typed ones."""
    fresh = Case.objects.get(pk=case.pk)
    moved = temperatures.following(_recorded(fresh), before, _from_readings(fresh))
    if moved:
        case_update(case=fresh, values=moved, expected_version=None, by=by)


@transaction.atomic
def temperature_add(
    *, case: Case, observed_at: datetime, temp_c: Decimal, site: str, by: UserLike
) -> TemperatureObservation:
    locked_case(case)
    observation = TemperatureObservation(case=case, observed_at=observed_at, temp_c=temp_c, site=site,
                                         recorded_by=by if by.is_authenticated else None)
    observation.full_clean(exclude=["case", "recorded_by"])
    if observed_at < case.birth_datetime:
        raise ValidationError({"observed_at": ["The temperature time must be at or after birth"]})
    before = _from_readings(Case.objects.get(pk=case.pk))
    observation.save()
    _readings_changed(case, before, by, AuditEvent.Action.TEMPERATURE_ADD, f"Temperature {observation}")
    return observation


@transaction.atomic
def temperature_remove(*, observation: TemperatureObservation, by: UserLike) -> None:
    case = locked_case(observation.case)
    text = str(observation)
    before = _from_readings(Case.objects.get(pk=case.pk))
    observation.delete()
    _readings_changed(case, before, by, AuditEvent.Action.TEMPERATURE_REMOVE, f"Removed temperature {text}")


def _readings_changed(case: Case, before: Mapping[str, temperatures.SeriesValue], by: UserLike, action: str,
                      summary: str) -> None:
    """After a reading is added or removed: the case's history, its summary fields, and its announcement."""
    audit.record(actor=by, action=action, object_type=OBJECT_TYPE, object_id=case.pk, summary=summary)
    _follow_readings(case, before, by)
    _announce(case, by)


def case_history(case: Case) -> list[AuditEvent]:
    return _CASES.history(case)
