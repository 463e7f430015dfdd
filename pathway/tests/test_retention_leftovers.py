"""Retention leaves nothing that names a deleted record (issue 12, docs/security-checklist.md G1 and G4).

A case past retention is given data in every place that can name it: history, worklist acknowledgement, family
support log, temperatures, KPI outcome and attribution, an import that overwrote it (audit row naming it and a
kept case), a refused import job's stored error table and a queued job's upload, an API read (export log row
holding its address), an identifiable export whose reason names it, a kept case whose entered-in-error reason
names it, searches for it remembered in a session, and a stored case CSV. After `apply_retention` every row
of every installed model, every session and every stored file is read: none names it; the rows that were
about other things too stay (with their counts), and one audit row says how many records went, who and when.
POP records follow the same rule under POP_RETENTION_YEARS (by default the same figure).
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone

from api.tests.conftest import token_client
from core.models import AuditEvent
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.models import CaseAttribution, CaseOutcome
from pathway import csv_io, retention, services, worklist
from pathway.models import Case, ImportJob, WorklistAcknowledgement
from pathway.tests.test_csv_io import csv_text, row
from pathway.tests.test_retention import case_with_history
from pop import services as pop_services
from pop.models import PopRecord
from pop.tests.factories import pop_values
from reporting.models import ExportJob, ExportRecord

pytestmark = pytest.mark.django_db
OLD_NHS, KEPT_NHS, POP_OLD_NHS, POP_KEPT_NHS = "9434765919", "9434765005", "9434765013", "9434765021"


def _years_ago(years: int) -> datetime:
    return datetime(timezone.localdate().year - years, 3, 1, 10, 0, tzinfo=LONDON)


def _naming(ref: str, nhs_number: str, path: str) -> re.Pattern[str]:
    """Written here, not with the code under test: the reference as a whole word, the number however spaced."""
    spaced = r"\D{0,3}".join(nhs_number)
    return re.compile(rf"(?<![\w-]){re.escape(ref)}(?![\w-])|(?<!\d){spaced}(?!\d)|{re.escape(path)}(?!\d)", re.I)


def _every_row_text() -> list[tuple[str, str]]:
    """(model, text) of every row of every installed model, sessions decoded."""
    found = []
    for model in apps.get_models():
        for obj in model._default_manager.all():
            values = []
            for f in model._meta.concrete_fields:
                value = getattr(obj, f.attname)
                values.append(json.dumps(value, default=str) if isinstance(f, models.JSONField) else str(value))
            if isinstance(obj, Session):
                values.append(json.dumps(obj.get_decoded(), default=str))
            found.append((model._meta.label, " | ".join(values)))
    return found


def _files_naming(root: Path, pattern: re.Pattern[str]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and pattern.search(p.read_text(errors="replace"))]


def _case(people: Personas, ref: str, nhs_number: str, birth: datetime) -> Case:
    return Case.objects.get(pk=case_with_history(people, ref, birth, nhs_number).pk)


def _overwriting_import(people: Personas, cases: list[Case]) -> None:
    """A change on each case, then a file that puts the old grade back, ticked "overwrite newer changes": the
    import's audit row names every case it overwrote."""
    for case in cases:
        services.case_update(case=case, values={"hie_grade": 3}, expected_version=case.version, by=people.nurse)
    text = csv_text(*(row(case_ref=case.case_ref, nhs_number=case.nhs_number, hie_grade="2",
                          birth=case.birth_datetime) for case in cases))
    result = csv_io.import_file(text, by=people.nurse, overwrite_newer=True)
    assert result.ok, result.errors


def _search(client: Client, url: str, text: str) -> None:
    assert client.post(url, {"q": text}).status_code == 303


@pytest.fixture
def world(people: Personas, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.CASE_RETENTION_YEARS = settings.POP_RETENTION_YEARS = 25
    old = _case(people, "OLD-1", OLD_NHS, _years_ago(26))
    kept = _case(people, "KEPT-1", KEPT_NHS, _years_ago(1))
    twin = _case(people, "OLD-10", "", _years_ago(1))  # kept: OLD-1 is not a part of its reference
    item = worklist.Item(kind=worklist.Kind.MRI_DUE, case=old, what="MRI due (day 5–14)")
    worklist.acknowledge(case=old, item=item, reason="recorded_elsewhere", note="Scanned locally", by=people.nurse)
    CaseOutcome.objects.create(case=old, kpi="cooling_started_6h", outcome="met", definition_version=1,
                               as_of=timezone.localdate())
    CaseAttribution.objects.create(case=old, born=old.birth_datetime.date(), birth_unit_code="RWG02")
    _overwriting_import(people, [Case.objects.get(pk=old.pk), Case.objects.get(pk=kept.pk)])
    services.case_mark_entered_in_error(case=Case.objects.get(pk=twin.pk), reason="Duplicate of OLD-1",
                                        expected_version=Case.objects.get(pk=twin.pk).version, by=people.nurse)
    ImportJob.objects.create(  # a refused background import: its stored error table names the case
        created_by=people.nurse, status=ImportJob.Status.REFUSED, filename="OLD-1 correction.csv",
        result={"created": 0, "error_count": 1, "errors": [
            {"row": 2, "column": "nhs_number", "value": "943 476 5919", "message": "OLD-1: clashes"}]})
    queued = ImportJob.objects.create(created_by=people.nurse, status=ImportJob.Status.QUEUED, filename="late.csv")
    queued.file.save("upload.csv", ContentFile(csv_text(row(case_ref="OLD-1", nhs_number=OLD_NHS)).encode()))
    assert token_client(people.nurse).get(f"/api/v1/cases/{old.pk}/").status_code == 200
    csv_io.record_export(by=people.nurse, rows=2, identifiable=True, reason="Complaint about baby OLD-1")
    job = ExportJob.objects.create(kind="cases_csv", created_by=people.nurse, status="succeeded",
                                   expires_at=timezone.now() + timedelta(hours=24))
    job.file.save("cases.csv", ContentFile(b"case_ref\r\nOLD-1\r\nKEPT-1\r\n"))
    browser = Client()
    browser.force_login(people.nurse)
    for text in ("943-476-5919", "old-1", "KEPT-1"):
        _search(browser, "/cases/", text)
    return {"old": old, "kept": kept, "browser": browser, "root": tmp_path}


def test_no_row_anywhere_names_a_deleted_case(world: dict[str, Any], people: Personas) -> None:
    old = world["old"]
    naming_old = _naming("OLD-1", OLD_NHS, f"cases/{old.pk}/")
    before = [label for label, text in _every_row_text() if naming_old.search(text)]
    assert {"core.AuditEvent", "pathway.ImportJob", "pathway.Case", "reporting.ExportRecord",
            "sessions.Session"} <= set(before)  # the fixture reached every place
    assert WorklistAcknowledgement.objects.filter(case=old).exists()  # linked by its id
    export_rows, import_jobs = ExportRecord.objects.count(), ImportJob.objects.count()

    out = io.StringIO()
    call_command("apply_retention", "--user", people.admin_user.username, stdout=out)

    assert [label for label, text in _every_row_text() if naming_old.search(text)] == []
    assert _files_naming(world["root"], naming_old) == []
    for model in apps.get_models():  # nor any row linked to it by its id
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Case:
                assert not model._default_manager.filter(**{f.attname: old.pk}).exists(), model
    assert not CaseOutcome.objects.filter(case_id=old.pk).exists()
    assert not CaseAttribution.objects.filter(case_id=old.pk).exists()
    # Kept: the rows that record other things too, with their counts, and everything of the kept cases.
    assert (ExportRecord.objects.count(), ImportJob.objects.count()) == (export_rows, import_jobs)
    overwrite = AuditEvent.objects.get(object_type="pathway.case_import")
    assert overwrite.changes["records"] == ["KEPT-1", "[removed by retention]"]
    assert sorted(Case.objects.values_list("case_ref", flat=True)) == ["KEPT-1", "OLD-10"]
    assert Case.objects.get(case_ref="OLD-10").entered_in_error_reason == "Duplicate of [removed by retention]"
    assert Case.objects.get(case_ref="KEPT-1").nhs_number == KEPT_NHS
    session = world["browser"].session
    assert [text for text, _ in session["core_searches"].values()] == ["KEPT-1"]
    # One audit row: who, when, how many; no identifier.
    event = AuditEvent.objects.get(object_type=retention.OBJECT_TYPE)
    assert event.actor == people.admin_user and event.at.date() == timezone.localdate()
    assert (event.changes["cases"], event.changes["pop_records"], event.changes["searches_forgotten"]) == (1, 0, 2)
    assert event.changes["import_files"] == 1 and event.changes["rows_pseudonymised"] >= 5
    assert "Removed their identifiers from " in out.getvalue()


def test_a_dry_run_counts_what_would_be_rewritten_and_changes_nothing(world: dict[str, Any]) -> None:
    before = _every_row_text()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert _every_row_text() == before
    assert "2 remembered searches" in out.getvalue() and "1 import uploads" in out.getvalue()


# --- POP records ----------------------------------------------------------------------------------------------


@pytest.fixture
def pop_world(people: Personas, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.CASE_RETENTION_YEARS = settings.POP_RETENTION_YEARS = 25
    old = pop_services.pop_create(values=pop_values(case_ref="POP-OLD", nhs_number=POP_OLD_NHS,
                                                    birth=_years_ago(26)), by=people.nurse)
    pop_services.pop_update(record=old, values={"cord_clamping_seconds": 75}, expected_version=old.version,
                            by=people.nurse)
    kept = pop_services.pop_create(values=pop_values(case_ref="POP-KEPT", nhs_number=POP_KEPT_NHS,
                                                     birth=_years_ago(1)), by=people.nurse)
    browser = Client()
    browser.force_login(people.nurse)
    _search(browser, "/pop/", "POP-OLD")
    return {"old": old, "kept": kept}


def test_pop_records_past_retention_go_and_nothing_names_them(pop_world: dict[str, Any], people: Personas) -> None:
    old = pop_world["old"]
    naming_old = _naming("POP-OLD", POP_OLD_NHS, f"pop/{old.pk}/")
    assert any(naming_old.search(text) for _, text in _every_row_text())
    out = io.StringIO()
    call_command("apply_retention", "--user", people.admin_user.username, stdout=out)
    assert list(PopRecord.objects.values_list("case_ref", flat=True)) == ["POP-KEPT"]
    assert [label for label, text in _every_row_text() if naming_old.search(text)] == []
    assert AuditEvent.objects.filter(object_type=pop_services.OBJECT_TYPE,
                                     object_id=str(pop_world["kept"].pk)).exists()
    event = AuditEvent.objects.get(object_type=retention.OBJECT_TYPE)
    assert (event.changes["cases"], event.changes["pop_records"], event.changes["pop_history_rows"]) == (0, 1, 2)
    assert "and 1 POP record born before " in event.summary and "POP-OLD" not in event.summary
    assert "Deleted 1 POP record born before " in out.getvalue()


def test_pop_records_have_their_own_setting(pop_world: dict[str, Any], settings: Any) -> None:
    settings.POP_RETENTION_YEARS = 30
    assert retention.apply_retention().pop_records == 0 and PopRecord.objects.count() == 2
    settings.POP_RETENTION_YEARS = 20
    result = retention.apply_retention(dry_run=True)
    assert (result.pop_records, result.pop_born_before) == (1, retention.cutoff(None, 20))
    assert PopRecord.objects.count() == 2


def test_pop_retention_follows_case_retention_by_default() -> None:
    from config import settings as project_settings

    assert project_settings.POP_RETENTION_YEARS == project_settings.CASE_RETENTION_YEARS
    assert retention.cutoff(date(2026, 12, 4), project_settings.POP_RETENTION_YEARS) == date(2001, 12, 4)
