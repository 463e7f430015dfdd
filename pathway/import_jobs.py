"""Large dataset imports in the background (issue 12): the upload page hands a file of more than
`IMPORT_BACKGROUND_ROWS` rows to a Celery worker, which runs exactly the import of the request
(`pathway.csv_io.import_file`: every row checked, then all saved in one transaction or none) and reports its
progress on the job row; the job page polls it (htmx). Smaller files are imported in the request as before.

Progress is written through a connection of its own, in autocommit: the import's one transaction would hide
it from the polling page until the end. The uploaded file holds identifiable data, so it is deleted as soon as
the job ends, whatever the outcome.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import timezone

from pathway import csv_io
from pathway.models import ImportJob
from units.access import UserLike

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000  # a file with more is reported by its first thousand errors and their count


def rows_in(data: bytes) -> int:
    """About how many rows a file has (its line count): enough to choose between request and worker."""
    return data.count(b"\n")


def runs_in_background(data: bytes) -> bool:
    return rows_in(data) > settings.IMPORT_BACKGROUND_ROWS


def start(*, data: bytes, filename: str, by: UserLike, overwrite_newer: bool = False) -> ImportJob:
    """Keep the file, record the job and queue it after commit (inline without Redis)."""
    if overwrite_newer and not csv_io.may_overwrite_newer(by):
        raise PermissionDenied("Only a clinical nurse specialist may overwrite newer changes with an import")
    job = ImportJob(filename=filename[:200], overwrite_newer=overwrite_newer, created_by=by,  # type: ignore[misc]
                    progress_total=2 * rows_in(data))
    job.file.save("upload.csv", ContentFile(data), save=False)
    job.save()
    from pathway.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


class _ProgressWriter:
    """Writes (done, total) on the job row through its own autocommitted connection."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.connection = connections.create_connection("default")

    def __call__(self, done: int, total: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET progress_done = %s, progress_total = %s "
                           "WHERE id = %s", [done, total, self.job_id])

    def close(self) -> None:
        self.connection.close()


def _result(result: csv_io.ImportResult) -> dict[str, Any]:
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "flagged": result.flagged, "error_count": len(result.errors), "bad_rows": result.bad_rows,
            "errors": [asdict(error) for error in result.errors[:MAX_ERRORS_KEPT]]}


def run(job: ImportJob) -> ImportJob:
    """The import itself (in a worker); the job ends imported, refused (the file's errors) or failed."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    progress = _ProgressWriter(job.pk)
    try:
        with default_storage.open(job.file.name, "rb") as upload:
            data = upload.read()
        result = csv_io.import_file(data, by=job.created_by, overwrite_newer=job.overwrite_newer,
                                    progress=progress)
        status = ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.REFUSED
        ImportJob.objects.filter(pk=job.pk).update(status=status, result=_result(result), finished_at=timezone.now(),
                                                   progress_done=job.progress_total)
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        raise
    finally:
        progress.close()
        _discard(job)
    job.refresh_from_db()
    return job


def _discard(job: ImportJob) -> None:
    if job.file.name and default_storage.exists(job.file.name):
        default_storage.delete(job.file.name)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def result_view(job: ImportJob) -> csv_io.ImportResult:
    """The stored result as the import page's summary and error table read it."""
    stored = job.result or {}
    errors = [csv_io.RowError(**error) for error in stored.get("errors", [])]
    return csv_io.ImportResult(created=stored.get("created", 0), updated=stored.get("updated", 0),
                               unchanged=stored.get("unchanged", 0), flagged=stored.get("flagged", 0), errors=errors)
