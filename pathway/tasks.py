"""Celery tasks of the pathway app: the background import of a large dataset file (`pathway.import_jobs`)."""

from __future__ import annotations

from celery import shared_task

from pathway import import_jobs
from pathway.models import ImportJob


@shared_task
def run_import_job(job_id: int) -> str:
    """Run one queued import job; returns how it ended (imported, refused or, raised, failed)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    return import_jobs.run(job).status
