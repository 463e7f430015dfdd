"""The monthly email to network leads (task, beat entry, command with --dry-run) and bench_export."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.registry import REGISTRY
from pathway.models import Case
from reporting import services, tasks
from reporting.models import ExportRecord

pytestmark = pytest.mark.django_db
JAN_2025 = datetime(2025, 1, 1, 7, 0, tzinfo=LONDON)


@pytest.fixture
def leads(figures: Personas) -> Personas:
    figures.lead.email = "leo@nhs.example"
    figures.lead.save()
    figures.nurse.email = "nina@nhs.example"  # not a network lead: never emailed
    figures.nurse.save()
    return figures


def test_monthly_report_goes_to_network_leads_with_the_pdf(leads: Personas) -> None:
    plan = services.monthly_report_send(now=JAN_2025)
    assert plan.period_key == "R12-2024-12" and plan.recipients == ["leo@nhs.example"]
    (message,) = mail.outbox
    assert message.bcc == ["leo@nhs.example"] and message.to == []
    assert message.subject == "Neuroprotection KPIs: 12 months to December 2024"
    assert "Cooling started within 6 hours: 75% (3 of 4)" in message.body
    name, pdf, mimetype = message.attachments[0]
    assert (name, mimetype) == ("neuroprotection-kpis-R12-2024-12.pdf", "application/pdf") and pdf.startswith(b"%PDF")
    record = ExportRecord.objects.get()
    # One row per KPI and median of the registry (kpis.md v1 and v2).
    assert (record.kind, record.by, record.rows) == ("monthly_email", None, len(REGISTRY))
    assert record.reason == "Monthly report to network leads: leo@nhs.example"


def test_dry_run_sends_and_logs_nothing(leads: Personas) -> None:
    out = io.StringIO()
    call_command("send_monthly_report", "--dry-run", stdout=out)
    assert "Would send 'Neuroprotection KPIs:" in out.getvalue() and "leo@nhs.example" in out.getvalue()
    assert mail.outbox == [] and not ExportRecord.objects.exists()


def test_command_and_task_send(leads: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    call_command("send_monthly_report", stdout=out)
    assert out.getvalue().startswith("Sent 'Neuroprotection KPIs:") and len(mail.outbox) == 1
    tasks.send_monthly_report.delay()
    assert len(mail.outbox) == 2 and ExportRecord.objects.count() == 2


def test_no_lead_with_an_email_sends_nothing(figures: Personas) -> None:
    plan = services.monthly_report_send(now=JAN_2025)
    assert plan.recipients == [] and mail.outbox == [] and not ExportRecord.objects.exists()


def test_beat_runs_the_monthly_report_on_the_first_at_seven() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-monthly-report"]
    assert entry["task"] == "reporting.tasks.send_monthly_report"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {7}, {0})
    assert settings.CELERY_BEAT_SCHEDULE["reporting-purge-expired-exports"]["task"] == (
        "reporting.tasks.purge_expired_exports")


def test_bench_export_reports_time_and_memory_and_leaves_nothing(network: object) -> None:
    out = io.StringIO()
    call_command("bench_export", "--rows", "120", stdout=out)
    text = out.getvalue()
    assert "rows written: 120" in text and "peak RSS during export:" in text and "time:" in text
    assert not Case.objects.exists()  # the benchmark rows were rolled back
