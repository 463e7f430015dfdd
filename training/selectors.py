"""Read models for the training pages and the reminder email: coverage and refreshers per unit.

Each builder runs a fixed number of queries whatever the number of units, sessions or messages (tested).
Coverage is read live, not from the KPI rows: it is a few sums over small tables, and the person who just
recorded a session sees it counted at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Max, Sum

from training import coverage
from training.coverage import Coverage, UnitRefresher
from training.models import Attendance, Establishment, KeyMessage, StaffRole, TrainingSession
from units.models import Unit


@dataclass(frozen=True)
class UnitCoverage:
    unit: Unit
    coverage: Coverage
    establishment: Establishment | None  # the one in force today
    refresher: UnitRefresher
    today: date

    @property
    def role_rows(self) -> list[tuple[str, int, int]]:
        """(role label, capped trained, establishment) in the order of StaffRole."""
        by_role = self.coverage.by_role
        return [(role.label, *by_role[role.value]) for role in StaffRole if role.value in by_role]


def refresher_days() -> int:
    return int(settings.TRAINING_REFRESHER_DAYS)


def _establishments_in_force(today: date, unit_ids: set[int] | None) -> dict[int, Establishment]:
    found = Establishment.objects.filter(effective_from__lte=today).prefetch_related("lines")
    if unit_ids is not None:
        found = found.filter(unit_id__in=unit_ids)
    current: dict[int, Establishment] = {}
    for establishment in found.order_by("effective_from"):
        current[establishment.unit_id] = establishment  # later dates overwrite earlier ones
    return current


def _trained(today: date, unit_ids: set[int] | None) -> dict[int, dict[str, int]]:
    rows = Attendance.objects.filter(session__date__gte=coverage.window_start(today), session__date__lte=today)
    if unit_ids is not None:
        rows = rows.filter(session__unit_id__in=unit_ids)
    trained: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows.values("session__unit_id", "role").annotate(total=Sum("headcount")).order_by():
        trained[row["session__unit_id"]][row["role"]] = row["total"]
    return trained


def _last_sessions(today: date, unit_ids: set[int] | None) -> dict[int, date]:
    rows = TrainingSession.objects.filter(date__lte=today)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    return dict(rows.values("unit_id").annotate(last=Max("date")).order_by().values_list("unit_id", "last"))


def _messages_last(today: date, unit_ids: set[int] | None) -> dict[tuple[int, int], date]:
    """(unit id, key message id) → the last date that message was covered at that unit."""
    through = TrainingSession.key_messages.through.objects.filter(trainingsession__date__lte=today)
    if unit_ids is not None:
        through = through.filter(trainingsession__unit_id__in=unit_ids)
    rows = (through.values("trainingsession__unit_id", "keymessage_id")
            .annotate(last=Max("trainingsession__date")).order_by())
    return {(row["trainingsession__unit_id"], row["keymessage_id"]): row["last"] for row in rows}


def coverage_rows(today: date, units: Iterable[Unit] | None = None) -> list[UnitCoverage]:
    """Coverage and refreshers of the given units (default: every active unit), in six queries."""
    units = list(units) if units is not None else list(Unit.objects.active().order_by("short_name"))
    unit_ids = {unit.pk for unit in units}
    establishments = _establishments_in_force(today, unit_ids)
    trained = _trained(today, unit_ids)
    last_sessions = _last_sessions(today, unit_ids)
    messages_last = _messages_last(today, unit_ids)
    messages_of: dict[int | None, list[KeyMessage]] = {}
    for message in KeyMessage.objects.active():  # each network's own list (issue 18)
        messages_of.setdefault(message.network_id, []).append(message)
    rows = []
    for unit in units:
        establishment = establishments.get(unit.pk)
        figure = coverage.coverage(trained.get(unit.pk, {}), establishment.headcounts() if establishment else None)
        refresher = coverage.unit_refresher(
            last_session=last_sessions.get(unit.pk), interval_days=refresher_days(), today=today,
            message_last={m.text: messages_last.get((unit.pk, m.pk)) for m in messages_of.get(unit.network_id, [])})
        rows.append(UnitCoverage(unit, figure, establishment, refresher, today))
    return rows


def units_due(today: date) -> list[UnitCoverage]:
    return [row for row in coverage_rows(today) if row.refresher.is_due]
