"""Identifiable case exports on the screens (issue 12): only by POST with a valid CSRF token, the reason
required and kept in the audit trail and the export log. A link, an <img> or a forged form from another
site starts nothing and leaves no row."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.tests.conftest import cases  # noqa: F401 - the fixture
from core.models import AuditEvent
from core.testing.personas import Personas
from reporting.models import ExportJob, ExportRecord

DOWNLOAD = reverse("pathway:export_download")
BACKGROUND = reverse("reporting:case_export")


def _nurse(people: Personas, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(people.nurse)
    return client


def _exports() -> int:
    return AuditEvent.objects.filter(action="export").count() + ExportRecord.objects.count()


@pytest.mark.usefixtures("cases")
@pytest.mark.parametrize("query", [{"identifiable": "1", "reason": "Register check"}, {"identifiable": "1"}])
def test_an_identifiable_download_by_get_is_refused(people: Personas, query: dict[str, str]) -> None:
    response = _nurse(people).get(DOWNLOAD, query)
    assert response.status_code == 405
    assert "Ask for an identifiable export with the form on this page" in response.content.decode()
    assert "text/csv" not in response["Content-Type"]
    assert _exports() == 0


@pytest.mark.usefixtures("cases")
def test_an_identifiable_download_without_the_csrf_token_is_refused(people: Personas) -> None:
    client = _nurse(people, csrf=True)
    forged = client.post(DOWNLOAD, {"identifiable": "1", "reason": "Register check"})
    assert forged.status_code == 403
    assert _exports() == 0
    client.get(reverse("pathway:import_upload"))  # the page sets the CSRF cookie its form sends back
    token = client.cookies["csrftoken"].value
    made = client.post(DOWNLOAD, {"identifiable": "1", "reason": "Register check", "csrfmiddlewaretoken": token})
    assert made.status_code == 200 and made["Content-Type"].startswith("text/csv")
    b"".join(made.streaming_content)
    record = ExportRecord.objects.get()
    assert (record.identifiable, record.reason, record.rows, record.by) == (True, "Register check", 3, people.nurse)


@pytest.mark.usefixtures("cases")
def test_an_identifiable_download_needs_a_reason(people: Personas) -> None:
    refused = _nurse(people).post(DOWNLOAD, {"identifiable": "1", "reason": "   "})
    assert refused.status_code == 400
    assert "Give the reason for the identifiable export" in refused.content.decode()
    assert _exports() == 0


@pytest.mark.usefixtures("cases")
def test_the_background_identifiable_export_needs_post_csrf_and_a_reason(
        people: Personas, django_capture_on_commit_callbacks: Any) -> None:
    client = _nurse(people, csrf=True)
    assert client.post(BACKGROUND, {"identifiable": "on", "reason": "Register"}).status_code == 403
    page = client.get(BACKGROUND)
    assert page.status_code == 200 and "identifiable" in page.content.decode()  # GET only shows the form
    token = client.cookies["csrftoken"].value
    no_reason = client.post(BACKGROUND, {"identifiable": "on", "reason": "", "csrfmiddlewaretoken": token})
    assert no_reason.status_code == 400
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(BACKGROUND, {"identifiable": "on", "reason": "Register", "csrfmiddlewaretoken": token})
    assert started.status_code == 302
    job = ExportJob.objects.get()
    assert (job.identifiable, job.reason) == (True, "Register")
    assert ExportRecord.objects.get().reason == "Register"  # the job ran (inline in tests) and was logged
