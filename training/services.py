"""Every training write (sessions, establishments, key messages) and the training KPI computation.

Screens, the admin, the demo seeder and the tasks all call these. Each write validates first (a
ValidationError naming the field and the rule, nothing written), saves in one transaction with its audit
row, and queues the coverage KPI recompute for after the commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.exceptions import EditConflict
from core.models import AuditEvent
from kpis import engine
from kpis.aggregate import Figure
from kpis.definitions.base import Level
from kpis.models import KpiRun
from kpis.periods import Period, month_period, month_start, months_between, periods_for_months
from kpis.producers import Job, Producer, Written
from training import coverage
from training.models import (
    Attendance,
    Establishment,
    EstablishmentLine,
    KeyMessage,
    StaffRole,
    TrainingFormat,
    TrainingSession,
)
from units.access import UserLike
from units.models import Network, Unit, default_network_id

TRAINING = "training"  # this app's producer name (`kpis.producers`): KpiRun.producer, PendingRecompute.producer
KPI_CODE = "training_coverage_12m"
KPI_VERSION = 1
# AuditEvent.Action has no "delete" (cases are never deleted); a training session recorded by mistake can be.
DELETE = "delete"


# --- Sessions ---------------------------------------------------------------------------------------------


@dataclass
class SessionValues:
    """What a person records about a session (a form's cleaned data, or the demo seeder's)."""

    date: date
    trainer: str
    format: str
    headcounts: Mapping[str, int]  # StaffRole value → attendees (0 or missing: none of that role)
    key_messages: Sequence[KeyMessage] = ()
    named_attendees: str = ""
    notes: str = ""

    def names(self) -> list[str]:
        return [line.strip() for line in self.named_attendees.splitlines() if line.strip()]


def _validate_session(values: SessionValues) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    if values.date > timezone.localdate():
        errors["date"].append("Date of session cannot be in the future")
    if not values.trainer.strip():
        errors["trainer"].append("Enter the trainer's name")
    if values.format not in TrainingFormat.values:
        errors["format"].append("Choose the format of the session")
    for role, count in values.headcounts.items():
        if role not in StaffRole.values:
            errors["__all__"].append(f"Unknown staff role {role!r}")
        elif count < 0:
            errors[f"headcount_{role}"].append("Headcount cannot be negative")
    total = sum(max(count, 0) for count in values.headcounts.values())
    if total < 1:
        errors["__all__"].append("Attendees: enter the headcount of at least one staff role")
    if len(values.names()) > total:
        errors["named_attendees"].append(
            f"Named attendees: {len(values.names())} names but a headcount of {total}; "
            "names cannot outnumber the attendees")
    if errors:
        raise ValidationError(dict(errors))


def _validate_messages(unit: Unit, values: SessionValues) -> None:
    """A session covers key messages of its unit's network's list (each network keeps its own, issue 18)."""
    foreign = [m.text for m in values.key_messages if m.network_id != unit.network_id]
    if foreign:
        raise ValidationError({"key_messages": f"Key messages not on {unit.short_name}'s network's list: "
                                               f"{', '.join(sorted(foreign))}"})


def _session_state(session: TrainingSession) -> dict[str, Any]:
    """A session as the audit trail shows it (after save, with its messages and attendance)."""
    return {
        "unit": session.unit.ods_code,
        "date": session.date,
        "trainer": session.trainer,
        "format": session.format,
        "key_messages": sorted(m.text for m in session.key_messages.all()),
        "headcounts": {a.role: a.headcount for a in session.attendance.order_by("role")},
        "named_attendees": session.names,
        "notes": session.notes,
    }


def _apply_session(session: TrainingSession, values: SessionValues) -> None:
    session.date = values.date
    session.trainer = values.trainer.strip()
    session.format = values.format
    session.named_attendees = "\n".join(values.names())
    session.notes = values.notes.strip()
    session.save()
    session.key_messages.set(values.key_messages)
    session.attendance.all().delete()
    Attendance.objects.bulk_create(Attendance(session=session, role=role, headcount=count)
                                   for role, count in values.headcounts.items() if count > 0)


@transaction.atomic
def session_record(*, unit: Unit, values: SessionValues, by: UserLike) -> TrainingSession:
    _validate_session(values)
    _validate_messages(unit, values)
    session = TrainingSession(unit=unit, recorded_by=by if by.is_authenticated else None)
    _apply_session(session, values)
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type="training_session", object_id=session.pk,
                 summary=f"Recorded {session}", changes=audit.changes({}, _session_state(session)))
    queue_training_kpis(session.date, by=by)
    return session


def _conflict(session: TrainingSession) -> EditConflict:
    last = AuditEvent.objects.filter(object_type="training_session", object_id=str(session.pk)).select_related(
        "actor").first()
    who = (last.actor.get_full_name() or last.actor.username) if last and last.actor else "someone else"
    when = f" at {timezone.localtime(last.at):%H:%M on %d/%m/%Y}" if last else ""
    return EditConflict(f"This session was changed by {who}{when} (now version {session.version}) after you opened "
                        "it. Nothing was saved, so nothing of theirs was overwritten: reload it to see their changes, "
                        "then make yours again.")


@transaction.atomic
def session_update(*, session: TrainingSession, values: SessionValues, by: UserLike,
                   expected_version: int | None = None) -> TrainingSession:
    """Apply changes; refuse (EditConflict) a save made from an older version than the stored one.
    `expected_version=None` is for callers that have just read the session themselves (demo, tests)."""
    _validate_session(values)
    session = TrainingSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    if expected_version is not None and session.version != expected_version:
        raise _conflict(session)
    _validate_messages(session.unit, values)
    before = _session_state(session)
    session.version += 1
    _apply_session(session, values)
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type="training_session", object_id=session.pk,
                 summary=f"Changed {session}", changes=audit.changes(before, _session_state(session)))
    queue_training_kpis(session.date, by=by)
    return session


@transaction.atomic
def session_delete(*, session: TrainingSession, by: UserLike) -> None:
    """Remove a session recorded by mistake (it is not clinical data); the audit row keeps what it was."""
    before = _session_state(session)
    audit.record(actor=by, action=DELETE, object_type="training_session", object_id=session.pk,
                 summary=f"Deleted {session}", changes=audit.changes(before, {}))
    day = session.date
    session.delete()
    queue_training_kpis(day, by=by)


# --- Establishment --------------------------------------------------------------------------------------


def _validate_establishment(headcounts: Mapping[str, int]) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    for role, count in headcounts.items():
        if role not in StaffRole.values:
            errors["__all__"].append(f"Unknown staff role {role!r}")
        elif count < 0:
            errors[f"headcount_{role}"].append("Headcount cannot be negative")
    if sum(max(c, 0) for c in headcounts.values()) < 1:
        errors["__all__"].append("Establishment: enter the headcount of at least one staff role")
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def establishment_record(*, unit: Unit, effective_from: date, headcounts: Mapping[str, int],
                         by: UserLike) -> Establishment:
    """The unit's establishment from `effective_from` on. Earlier ones are kept (history); recording the
    same date again corrects that day's figures."""
    _validate_establishment(headcounts)
    establishment, created = Establishment.objects.select_for_update().get_or_create(
        unit=unit, effective_from=effective_from,
        defaults={"recorded_by": by if by.is_authenticated else None})
    before = {} if created else establishment.headcounts()
    establishment.lines.all().delete()
    EstablishmentLine.objects.bulk_create(EstablishmentLine(establishment=establishment, role=role, headcount=count)
                                          for role, count in headcounts.items() if count > 0)
    after = {role: count for role, count in headcounts.items() if count > 0}
    if not created:
        Establishment.objects.filter(pk=establishment.pk).update(
            recorded_by=by if by.is_authenticated else None, recorded_at=timezone.now())
    audit.record(actor=by, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                 object_type="training_establishment", object_id=establishment.pk,
                 summary=f"Establishment of {unit.short_name} from {effective_from:%d/%m/%Y}",
                 changes=audit.changes(before, after, StaffRole.values))
    queue_training_kpis(effective_from, by=by)
    return establishment


# --- Key messages ---------------------------------------------------------------------------------------


@transaction.atomic
def key_message_save(*, message: KeyMessage | None, text: str, active: bool, order: int,
                     by: UserLike, network: Network | None = None) -> KeyMessage:
    """Add a key message to a network's list (message=None; `network`, else the deployment's first) or change
    one. Messages are retired (active=False), not deleted, so past sessions keep what they covered."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the key message"})
    network_id = message.network_id if message is not None else (network.pk if network else default_network_id())
    clash = KeyMessage.objects.filter(Q(network_id=network_id), text__iexact=text)
    if message is not None:
        clash = clash.exclude(pk=message.pk)
    if clash.exists():
        raise ValidationError({"text": f"Key message “{text}” is already on the list"})
    created = message is None
    message = message or KeyMessage(network_id=network_id)
    before = {} if created else {"text": message.text, "active": message.active, "order": message.order}
    message.text, message.active, message.order = text, active, order
    message.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                 object_type="training_key_message", object_id=message.pk, summary=f"Key message “{text}”",
                 changes=audit.changes(before, {"text": text, "active": active, "order": order}))
    # Per-message refreshers read the list live; coverage KPIs do not depend on it.
    return message


# --- Coverage KPI (kpis engine rows) --------------------------------------------------------------------


def queue_training_kpis(day: date, *, by: UserLike | None = None) -> None:
    """Recompute the coverage KPI once the current transaction commits (`kpis.engine.queue`: one recompute per
    transaction, so a demo seed of hundreds of sessions recomputes once, and one delayed run however many
    saves). `day` is the date whose training changed: its month is marked pending, and the drain recomputes
    every period (coverage on any later day may change), as the nightly run does.

    The save stands whatever happens to the recompute (a failed run is recorded and the nightly job catches
    up); the person recording training does not see an error page.
    """
    engine.queue(PRODUCER, [month_period(month_start(day)).key], by=by)


@dataclass
class _UnitHistory:
    """Everything coverage needs about one unit, read once for every period."""

    attendance: list[tuple[date, str, int]] = field(default_factory=list)
    establishments: list[tuple[date, dict[str, int]]] = field(default_factory=list)

    def first_day(self) -> date:
        return min([d for d, _, _ in self.attendance] + [d for d, _ in self.establishments])

    def coverage_on(self, day: date) -> coverage.Coverage:
        return coverage.coverage(coverage.trained_by_role(self.attendance, day),
                                 coverage.in_force(self.establishments, day))


def _histories(as_of: date) -> dict[Unit, _UnitHistory]:
    """Two queries: every attendance row up to the run date, and every establishment with its lines."""
    histories: dict[int, _UnitHistory] = defaultdict(_UnitHistory)
    units: dict[int, Unit] = {}
    attendance = Attendance.objects.filter(session__date__lte=as_of).select_related("session__unit")
    for row in attendance:
        units[row.session.unit_id] = row.session.unit
        histories[row.session.unit_id].attendance.append((row.session.date, row.role, row.headcount))
    for establishment in Establishment.objects.select_related("unit").prefetch_related("lines"):
        units[establishment.unit_id] = establishment.unit
        histories[establishment.unit_id].establishments.append(
            (establishment.effective_from, establishment.headcounts()))
    return {units[pk]: history for pk, history in histories.items()}


def _periods(first: date, as_of: date) -> list[Period]:
    """Every year, quarter, month and rolling 12 months from the first month with data to the run date."""
    return periods_for_months(months_between(first, as_of), as_of) if first <= as_of else []


def _rows(unit: Unit, history: _UnitHistory, as_of: date) -> list[Figure]:
    """One figure per period: coverage on the period's last day, or on the run date if that is earlier.

    No establishment on that day: denominator 0 and rate null (the page says "no establishment recorded").
    """
    rows = []
    for period in _periods(history.first_day(), as_of):
        coverage_then = history.coverage_on(min(period.end, as_of))
        rows.append(Figure(kpi=KPI_CODE, level=Level.BIRTH_UNIT, org_code=unit.ods_code, period=period,
                           version=KPI_VERSION, numerator=coverage_then.trained,
                           denominator=coverage_then.establishment))
    return rows


class _Training(Producer[None]):
    """Coverage figures (`training_coverage_12m`): every unit's, for every period from its first data."""

    name = TRAINING
    title = "training coverage"
    lock_key = 0x54524E47  # "TRNG" in ASCII
    partial = False  # coverage on a day depends on the 12 months before it: every run computes every period

    def versions(self) -> dict[str, int]:
        return {KPI_CODE: KPI_VERSION}

    def read(self, job: Job) -> None:
        return None

    def write(self, job: Job, read: None) -> Written:
        histories = _histories(job.as_of)
        rows = [row for unit, history in histories.items() for row in _rows(unit, history, job.as_of)]
        return Written(rows=job.replace(rows), evaluated=len(histories))


PRODUCER = _Training()  # registered with the KPI engine by training.apps


def compute_training_kpis(as_of: date | None = None, *, trigger: str = KpiRun.Trigger.MANUAL) -> KpiRun:
    """Replace every `training_coverage_12m` row (and no other code's) in one transaction; returns the run
    (`kpis.engine.compute`: on failure nothing is replaced, the run is marked failed and the error re-raised)."""
    return engine.compute(PRODUCER, as_of=as_of, trigger=trigger)
