"""`apply_retention [--dry-run]`: cases past CASE_RETENTION_YEARS go, with their history, family support log and
stored exports, in one audited run; the rest stay untouched (issue 12)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from families import services as family_services
from families.models import FamilySupportLog, SupportContact
from pathway import retention, services
from pathway.models import Case, TemperatureObservation
from reporting.models import ExportJob

pytestmark = pytest.mark.django_db


def case_with_history(people: Personas, ref: str, birth: datetime, nhs_number: str = "") -> Case:
    """A cooled case with a temperature, a family support log and a contact (so with history of each)."""
    case = services.case_create(values=cooled_case_values(case_ref=ref, birth=birth, nhs_number=nhs_number),
                                by=people.nurse)
    services.temperature_add(case=case, observed_at=birth + timedelta(minutes=100), temp_c=Decimal("34.0"),
                             site="rectal", by=people.nurse)
    family_services.support_log_update(case=case, values={"consent_given_on": birth.date() + timedelta(days=3),
                                                          "consent_given_by": "Sister Jones"},
                                       expected_version=None, by=people.nurse)
    family_services.contact_add(case=case, contacted_on=birth.date() + timedelta(days=4), by_name="Sister Jones",
                                mode="phone", by=people.nurse)
    return case


@pytest.fixture
def world(people: Personas, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.CASE_RETENTION_YEARS = 25
    today = timezone.localdate()
    old = case_with_history(people, "OLD-1", datetime(today.year - 26, 3, 1, 10, 0, tzinfo=LONDON))
    kept = case_with_history(people, "KEPT-1", datetime(today.year - 1, 3, 1, 10, 0, tzinfo=LONDON))
    job = ExportJob.objects.create(kind="cases_csv", created_by=people.nurse, status="succeeded",
                                   expires_at=timezone.now() + timedelta(hours=24))
    job.file.save("cases.csv", ContentFile(b"case_ref\r\nOLD-1\r\nKEPT-1\r\n"))
    return {"old": old, "kept": kept, "job": job, "file": tmp_path / job.file.name}


def _history(case: Case) -> int:
    return AuditEvent.objects.filter(object_type__in=retention.HISTORY_TYPES, object_id=str(case.pk)).count()


def test_a_dry_run_counts_and_changes_nothing(world: dict[str, Any]) -> None:
    before = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    old_history = _history(world["old"])
    assert out.getvalue().startswith("Would delete 1 case born before ")
    assert f"1 temperatures, 1 family support logs, {old_history} history rows, 1 stored case exports" in out.getvalue()
    assert Case.objects.count() == 2 and world["file"].exists() and AuditEvent.objects.count() == before


def test_the_run_deletes_the_case_its_history_log_and_exports(world: dict[str, Any], people: Personas) -> None:
    old, kept = world["old"], world["kept"]
    kept_history = _history(kept)
    out = io.StringIO()
    call_command("apply_retention", "--user", people.admin_user.username, stdout=out)
    assert out.getvalue().startswith("Deleted 1 case born before ")

    assert list(Case.objects.values_list("case_ref", flat=True)) == ["KEPT-1"]
    assert not TemperatureObservation.objects.filter(case_id=old.pk).exists()
    assert list(FamilySupportLog.objects.values_list("case_id", flat=True)) == [kept.pk]
    assert SupportContact.objects.count() == 1
    assert _history(old) == 0 and _history(kept) == kept_history
    assert not world["file"].exists()
    assert ExportJob.objects.get().file.name == ""

    event = AuditEvent.objects.get(object_type=retention.OBJECT_TYPE)
    assert event.actor == people.admin_user and event.action == "delete"
    assert event.changes["cases"] == 1 and event.changes["temperatures"] == 1
    assert "OLD-1" not in str(event.changes) + event.summary
    assert event.summary.startswith("Retention: deleted 1 case born before ")


def test_nothing_due_deletes_nothing(world: dict[str, Any], settings: Any) -> None:
    settings.CASE_RETENTION_YEARS = 30
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().startswith("Deleted 0 cases")
    assert Case.objects.count() == 2 and world["file"].exists()
    assert AuditEvent.objects.get(object_type=retention.OBJECT_TYPE).changes["cases"] == 0


def test_the_cutoff_is_the_uk_birth_date_years_ago() -> None:
    assert retention.cutoff(date(2026, 12, 4), 25) == date(2001, 12, 4)
    assert retention.cutoff(date(2028, 2, 29), 25) == date(2003, 2, 28)
