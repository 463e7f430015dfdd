"""Celery tasks: thin wrappers around `reporting.services` (inline without REDIS_URL)."""

from __future__ import annotations

from celery import shared_task

from reporting.models import BoardReport, ExportJob


@shared_task
def run_export_job(job_id: int) -> int:
    """Make one export's file (queued on commit by `services.export_job_start`)."""
    from reporting.services import export_job_run  # services import this module to queue tasks

    return export_job_run(ExportJob.objects.get(pk=job_id)).pk


@shared_task
def send_monthly_report() -> str:
    """The network report to every network lead (beat: 1st of the month, settings.CELERY_BEAT_SCHEDULE)."""
    from reporting.services import monthly_report_send

    return monthly_report_send().period_key


@shared_task
def purge_expired_exports() -> int:
    from reporting.services import export_jobs_purge_expired

    return export_jobs_purge_expired()


@shared_task
def prepare_report_charts(report_id: int | None = None) -> int:
    """Draw one draft report's charts ahead and lay out its PDF (it was just saved), or every draft's charts
    (after a KPI run) (`reporting.charts`); returns how many charts."""
    from reporting import charts

    if report_id is None:
        return charts.prepare_drafts()
    report = BoardReport.objects.filter(pk=report_id).select_related("org").first()
    return charts.prepare(report, with_pdf=True) if report else 0
