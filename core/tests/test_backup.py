"""backup_data / restore_data: a round trip loses nothing; a damaged or foreign file changes nothing."""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import _models
from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import services as kpi_services
from kpis.models import KpiAggregate
from pathway import services
from pathway.models import Case


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every backed-up model, as plain values, in primary-key order."""
    return {m._meta.label_lower: [tuple(r.values()) for r in m._default_manager.order_by("pk").values()]
            for m in _models()}


@pytest.fixture
def data(people: Personas) -> Personas:
    case = services.case_create(values=cooled_case_values(case_ref="RT-1", nhs_number="9434765919"), by=people.nurse)
    services.temperature_add(case=case, observed_at=case.birth_datetime + timedelta(hours=2),
                             temp_c=Decimal("33.4"), site="rectal", by=people.nurse)
    services.case_create(values=cooled_case_values(case_ref="RT-2"), by=people.nurse)
    kpi_services.compute(as_of=date(2024, 12, 31))
    return people


@pytest.mark.django_db
def test_round_trip_restores_every_row(data: Personas, tmp_path: Path) -> None:
    file = tmp_path / "backup.jsonl.gz"
    call_command("backup_data", file)
    before = _snapshot()

    Case.objects.filter(case_ref="RT-2").update(case_ref="CHANGED")
    KpiAggregate.objects.all().delete()
    call_command("restore_data", file, "--yes")

    after = _snapshot()
    restored = after["core.auditevent"].pop()  # the restore is audited after it
    assert after == before
    assert "restore" in restored
    assert AuditEvent.objects.filter(object_type="database").count() == 2  # the backup's own record survived


@pytest.mark.django_db
def test_new_rows_after_restore_get_fresh_ids(data: Personas, tmp_path: Path) -> None:
    file = tmp_path / "b.jsonl.gz"
    call_command("backup_data", file)
    call_command("restore_data", file, "--yes")
    case = services.case_create(values=cooled_case_values(case_ref="RT-3"), by=data.nurse)
    newest_before = Case.objects.exclude(pk=case.pk).order_by("-pk").first()
    assert newest_before is not None and case.pk > newest_before.pk


@pytest.mark.django_db
def test_damaged_file_is_refused_and_nothing_changes(data: Personas, tmp_path: Path) -> None:
    file = tmp_path / "b.jsonl.gz"
    call_command("backup_data", file)
    with gzip.open(file, "rt") as source:
        lines = source.read().splitlines()
    damaged = tmp_path / "damaged.jsonl.gz"
    with gzip.open(damaged, "wt") as out:
        out.write("\n".join(lines[:-1]) + "\n")  # the last object is missing
    before = _snapshot()

    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("restore_data", damaged, "--yes")
    with pytest.raises(CommandError, match="not a readable backup"):
        (tmp_path / "junk.gz").write_bytes(b"not gzip")
        call_command("restore_data", tmp_path / "junk.gz", "--yes")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_data", file)
    assert _snapshot() == before
