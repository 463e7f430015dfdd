"""The import/export pages over HTTP: who may use them, the error report and summary, and exports that are
pseudonymised by default, identifiable only for the register keepers with a reason, and always audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pathway.dataset import COLUMNS
from pathway.models import Case
from pathway.tests.test_csv_io import NHS_NUMBERS, csv_text, row

IMPORT_URL = reverse("pathway:import_upload")
EXPORT_URL = reverse("pathway:export_download")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, text: str, name: str = "cases.csv") -> Any:
    return client.post(IMPORT_URL, {"csv_file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def body(response: StreamingHttpResponse) -> str:
    return b"".join(response.streaming_content).decode()


def exported(response: StreamingHttpResponse) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body(response), newline="")))


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="export").order_by("id"))


@pytest.fixture
def cases(people: Personas) -> dict[str, Case]:
    """Watford → Addenbrooke's, Norwich born and cooled, and one marked entered in error."""
    make = services.case_create
    watford = make(values=cooled_case_values(case_ref="HIE-WAT", nhs_number=NHS_NUMBERS[0]), by=people.nurse)
    norwich = make(values=cooled_case_values(case_ref="HIE-NOR", nhs_number=NHS_NUMBERS[1], birth_unit="RM102",
                                             centre="RM102"), by=people.nurse)
    wrong = make(values=cooled_case_values(case_ref="HIE-ERR", nhs_number=NHS_NUMBERS[2]), by=people.nurse)
    services.case_mark_entered_in_error(case=wrong, reason="duplicate", expected_version=None, by=people.nurse)
    return {"watford": watford, "norwich": norwich, "wrong": wrong}


# --- Import page ----------------------------------------------------------------------------------


def test_pages_need_a_login(network: None) -> None:
    for url in (IMPORT_URL, EXPORT_URL):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_import_page_for_the_nurse_has_the_upload_and_both_downloads(people: Personas) -> None:
    response = client_for(people.nurse).get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Import and export cases" in html
    assert 'type="file"' in html and 'name="csv_file"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Download pseudonymised CSV" in html
    assert "Download identifiable CSV" in html
    assert 'name="reason"' in html


@pytest.mark.parametrize(("persona", "page_status"), [
    ("lead", 200), ("consultant", 200), ("clinician", 403), ("outsider", 403),
])
def test_roles_without_import_cannot_upload_and_nothing_is_imported(people: Personas, persona: str,
                                                                     page_status: int) -> None:
    client = client_for(getattr(people, persona))
    page = client.get(IMPORT_URL)
    assert page.status_code == page_status
    if page_status == 200:  # export-only: the page offers the download and no upload form
        html = page.content.decode()
        assert "Export cases" in html and 'enctype="multipart/form-data"' not in html
    assert upload(client, csv_text(row())).status_code == 403
    assert Case.objects.count() == 0


def test_upload_success_shows_the_counts(people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="HIE-0001", apgar_10=4), by=people.nurse)
    text = csv_text(row(case_ref="HIE-0001", apgar_10="6"), row(case_ref="HIE-0002"),
                    row(case_ref="HIE-0003", gestation_weeks="35"))

    response = upload(client_for(people.admin_user), text)

    assert response.status_code == 200
    html = response.content.decode()
    assert "File imported" in html
    assert '<dd class="nhsuk-summary-list__value" data-count="created">2</dd>' in html
    assert '<dd class="nhsuk-summary-list__value" data-count="updated">1</dd>' in html
    assert '<dd class="nhsuk-summary-list__value" data-count="unchanged">0</dd>' in html
    assert 'data-count="flagged">1<br>' in html
    assert Case.objects.count() == 3
    assert Case.objects.get(case_ref="HIE-0001").apgar_10 == 6
    assert AuditEvent.objects.filter(action="import", actor=people.admin_user).count() == 3


def test_upload_with_errors_shows_every_error_and_imports_nothing(people: Personas) -> None:
    text = csv_text(row(case_ref="HIE-0001"), row(case_ref="HIE-0002", sex="M", apgar_10="12"),
                    row(case_ref="HIE-0003", birth_datetime="2024-10-27T01:30"))
    events = AuditEvent.objects.count()

    response = upload(client_for(people.nurse), text, name="register.csv")

    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Nothing was imported" in html
    assert "3 errors in 2 rows of register.csv" in html
    table = html.split('id="import-errors"')[1]
    assert 'data-row="3" data-column="sex"' in table
    assert 'data-row="3" data-column="apgar_10"' in table
    assert 'data-row="4" data-column="birth_datetime"' in table
    assert "<code>2024-10-27T01:30</code>" in table
    assert "Ensure this value is less than or equal to 10." in table
    assert "happened twice in UK time" in table
    assert (Case.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_upload_without_a_file(people: Personas) -> None:
    response = client_for(people.nurse).post(IMPORT_URL, {})
    assert response.status_code == 400
    assert "Select a CSV file to import" in response.content.decode()


def test_upload_of_a_non_utf8_file(people: Personas) -> None:
    client = client_for(people.nurse)
    response = client.post(IMPORT_URL, {"csv_file": SimpleUploadedFile(
        "cases.csv", csv_text(row(case_ref="HIE-Zoë")).encode("cp1252"), "text/csv")})
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()


# --- Export download ------------------------------------------------------------------------------


def test_export_is_pseudonymised_by_default_and_audited(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.nurse).get(EXPORT_URL)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "pseudonymised.csv" in response["Content-Disposition"]
    text = body(response)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    for secret in ("HIE-WAT", "HIE-NOR", *NHS_NUMBERS):
        assert secret not in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 2  # the entered-in-error case is left out
    assert all(r["case_ref"].startswith("P-") and r["nhs_number"] == "" for r in rows)
    assert {r["birth_unit_ods"] for r in rows} == {"RWG02", "RM102"}
    [event] = exports()
    assert (event.actor, event.object_type) == (people.nurse, "pathway.case_export")
    assert event.changes == {"rows": 2, "identifiable": False, "reason": ""}


def test_identifiable_export_without_a_reason_is_refused(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.nurse).post(EXPORT_URL, {"identifiable": "1", "reason": "  "})
    assert response.status_code == 400
    assert "Give the reason for the identifiable export" in response.content.decode()
    assert exports() == []


def test_identifiable_export_is_refused_to_the_network_lead(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.lead).post(EXPORT_URL, {"identifiable": "1", "reason": "network report"})
    assert response.status_code == 403
    assert "only for clinical nurse specialists and administrators" in response.content.decode()
    assert exports() == []


def test_identifiable_export_for_the_nurse_with_a_reason(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.nurse).post(EXPORT_URL, {"identifiable": "1", "reason": "National return 2024"})

    assert response.status_code == 200
    assert "identifiable.csv" in response["Content-Disposition"]
    rows = {r["case_ref"]: r for r in exported(response)}
    assert set(rows) == {"HIE-WAT", "HIE-NOR"}
    assert rows["HIE-WAT"]["nhs_number"] == NHS_NUMBERS[0]
    [event] = exports()
    assert event.changes == {"rows": 2, "identifiable": True, "reason": "National return 2024"}


def test_network_lead_gets_the_pseudonymised_file(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.lead).get(EXPORT_URL)
    assert response.status_code == 200
    assert len(exported(response)) == 2
    assert exports()[0].changes["identifiable"] is False


def test_consultant_only_gets_cases_of_their_unit(people: Personas, cases: dict[str, Case]) -> None:
    """Addenbrooke's consultant: the Watford baby cooled there, not the Norwich one."""
    response = client_for(people.consultant).get(EXPORT_URL)
    rows = exported(response)
    assert [r["birth_unit_ods"] for r in rows] == ["RWG02"]
    assert exports()[0].changes["rows"] == 1


def test_identifiable_export_is_refused_to_the_consultant(people: Personas, cases: dict[str, Case]) -> None:
    response = client_for(people.consultant).post(EXPORT_URL, {"identifiable": "1", "reason": "audit"})
    assert response.status_code == 403
    assert exports() == []


@pytest.mark.parametrize("persona", ["clinician", "outsider"])
def test_unit_clinicians_may_not_export(people: Personas, cases: dict[str, Case], persona: str) -> None:
    assert client_for(getattr(people, persona)).get(EXPORT_URL).status_code == 403
    assert exports() == []


def test_identifiable_download_imports_back_unchanged(people: Personas, cases: dict[str, Case]) -> None:
    client = client_for(people.nurse)
    text = body(client.post(EXPORT_URL, {"identifiable": "1", "reason": "round trip"}))
    events = AuditEvent.objects.count()

    response = upload(client, text)

    assert 'data-count="unchanged">2</dd>' in response.content.decode()
    assert AuditEvent.objects.count() == events
    assert set(Case.objects.values_list("version", flat=True)) == {1, 2}  # 2: the entered-in-error one
