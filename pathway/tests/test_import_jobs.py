"""Large imports run as a background job with a progress page and the same all-or-nothing result (issue 12).

The threshold is a setting (IMPORT_BACKGROUND_ROWS, lowered here), the file a real generated one
(`bench.imports.dataset_file`, the same generator that measures the 100,000-row case)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from bench.imports import dataset_file
from core.testing.personas import Personas
from pathway import csv_io, import_jobs
from pathway.models import Case, ImportJob

pytestmark = pytest.mark.django_db
ROWS = 40


@pytest.fixture
def small_threshold(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_BACKGROUND_ROWS = 10
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, data: bytes, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(reverse("pathway:import_upload"),
                           {"csv_file": SimpleUploadedFile("big.csv", data, content_type="text/csv")})


def test_a_large_file_is_imported_by_a_job_with_the_same_result(people: Personas, small_threshold: Path,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    client = _client(people.nurse)
    response = _upload(client, dataset_file(ROWS), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("pathway:import_job", args=[job.pk])
    assert (job.status, job.created_by, job.filename) == ("succeeded", people.nurse, "big.csv")
    assert job.result["created"] == ROWS and Case.objects.count() == ROWS
    assert job.progress_percent == 100
    assert job.file.name == "" and not any(small_threshold.rglob("*.csv"))  # the upload is not kept
    page = client.get(response["Location"]).content.decode()
    assert "File imported" in page and f'data-count="created">{ROWS}<' in page and "hx-get" not in page


def test_a_file_with_one_bad_row_imports_nothing(people: Personas, small_threshold: Path,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    client = _client(people.nurse)
    response = _upload(client, dataset_file(ROWS, bad_row=30), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.result["error_count"] == 1
    assert Case.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page and 'data-row="30" data-column="gestation_weeks"' in page


def test_a_small_file_stays_in_the_request(people: Personas, small_threshold: Path) -> None:
    response = _client(people.nurse).post(reverse("pathway:import_upload"), {
        "csv_file": SimpleUploadedFile("small.csv", dataset_file(5), content_type="text/csv")})
    assert response.status_code == 200 and Case.objects.count() == 5 and not ImportJob.objects.exists()


def test_the_job_page_polls_while_running_and_is_the_uploaders_only(people: Personas, small_threshold: Path) -> None:
    job = import_jobs.start(data=dataset_file(ROWS), filename="big.csv", by=people.nurse)  # not run: no commit
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress_done=ROWS, progress_total=2 * ROWS)
    fragment = _client(people.nurse).get(reverse("pathway:import_job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="50"' in fragment and "Running: 50% done" in fragment
    assert _client(people.admin_user).get(reverse("pathway:import_job", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: two connections at once")
def test_progress_is_visible_while_the_import_transaction_is_open(people: Personas, small_threshold: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Another connection (the polling page) sees the progress while the rows are still being saved."""
    monkeypatch.setattr(csv_io, "PROGRESS_EVERY", 10)
    seen: list[tuple[int, int]] = []
    original = import_jobs._ProgressWriter.__call__

    def spy(self: Any, done: int, total: int) -> None:
        original(self, done, total)
        with connections["default"].cursor() as cursor:  # the import's own connection, mid-transaction
            cursor.execute("SELECT progress_done, progress_total FROM pathway_importjob WHERE id = %s", [self.job_id])
            seen.append(cursor.fetchone())

    monkeypatch.setattr(import_jobs._ProgressWriter, "__call__", spy)
    # Autocommit: the job is queued at once, and Celery runs it inline in the tests.
    job = import_jobs.start(data=dataset_file(ROWS), filename="big.csv", by=people.nurse)
    job.refresh_from_db()
    assert job.status == "succeeded" and Case.objects.count() == ROWS
    assert seen == [(done, 2 * ROWS) for done in range(0, 2 * ROWS, 10)]
