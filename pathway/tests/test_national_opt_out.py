"""National data opt-out (dataset v2 `national_opt_out`, issue 12): the case stays in direct care (its screens)
and leaves every export (CSV download, background CSV), API read, KPI figure and board report."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.tests.conftest import token_client
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services as kpi_services
from kpis.models import CaseOutcome, KpiAggregate
from pathway import csv_io, services
from pathway.dataset import COLUMNS
from pathway.models import Case
from pathway.tests.test_csv_io import csv_text, row

pytestmark = pytest.mark.django_db
AS_OF = date(2024, 12, 31)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cooled(people: Personas, ref: str, day: int, **overrides: Any) -> Case:
    birth = datetime(2024, 5, day, 3, 0, tzinfo=LONDON)
    start = birth + timedelta(minutes=60)
    return services.case_create(values=cooled_case_values(
        case_ref=ref, birth=birth, passive_cooling_start=start, active_cooling_start=start + timedelta(minutes=10),
        target_temp_reached=start + timedelta(minutes=40), core_monitoring_start=birth + timedelta(minutes=20),
        **overrides), by=people.nurse)


@pytest.fixture
def two(people: Personas) -> tuple[Case, Case]:
    """OPTED-OUT's family registered a national data opt-out; KEPT's did not."""
    return _cooled(people, "KEPT", 1), _cooled(people, "OPTED-OUT", 2, national_opt_out="yes")


def _refs(text: str) -> list[str]:
    return [r["case_ref"] for r in csv.DictReader(io.StringIO(text))]


# --- The column --------------------------------------------------------------------------------------------------


def test_a_v1_file_without_the_column_imports_and_leaves_the_flag(people: Personas, two: tuple[Case, Case]) -> None:
    v1 = [column for column in COLUMNS if column != "national_opt_out"]
    result = csv_io.import_file(csv_text(row(case_ref="OPTED-OUT", birth=two[1].birth_datetime), columns=v1),
                                by=people.nurse)
    assert result.ok, result.errors
    assert Case.objects.get(case_ref="OPTED-OUT").national_opt_out == "yes"


def test_the_column_sets_and_checks_the_flag(people: Personas) -> None:
    assert csv_io.import_file(csv_text(row(case_ref="NEW-1", national_opt_out="yes")), by=people.nurse).ok
    assert Case.objects.get(case_ref="NEW-1").national_opt_out == "yes"
    bad = csv_io.import_file(csv_text(row(case_ref="NEW-2", national_opt_out="maybe")), by=people.nurse)
    assert [(e.column, e.value, e.message) for e in bad.errors] == [
        ("national_opt_out", "maybe", "Not one of the allowed values: yes, no")]


# --- Exports -----------------------------------------------------------------------------------------------------


def test_the_csv_download_leaves_the_case_out(people: Personas, two: tuple[Case, Case]) -> None:
    for identifiable in ("", "1"):
        response = _client(people.nurse).post(reverse("pathway:export_download"),
                                              {"identifiable": identifiable, "reason": "Audit"})
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]  # a download streams
        assert len(_refs(text)) == 1
        if identifiable:
            assert _refs(text) == ["KEPT"]


def test_the_background_csv_export_leaves_the_case_out(people: Personas, two: tuple[Case, Case], settings: Any,
                                                      tmp_path: Any, django_capture_on_commit_callbacks: Any) -> None:
    from reporting import services as reporting_services

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = reporting_services.export_job_start(kind="cases_csv", by=people.nurse, identifiable=True,
                                                  reason="Audit")
    job.refresh_from_db()
    assert (job.status, job.progress_total) == ("succeeded", 1)
    assert _refs((tmp_path / job.file.name).read_text()) == ["KEPT"]


# --- API ---------------------------------------------------------------------------------------------------------


def test_the_api_neither_lists_nor_returns_the_case(people: Personas, two: tuple[Case, Case]) -> None:
    client = token_client(people.nurse)
    listed = client.get("/api/v1/cases/").json()
    assert [c["case_ref"] for c in listed["results"]] == ["KEPT"]
    assert client.get(f"/api/v1/cases/{two[1].pk}/").status_code == 404
    assert client.patch(f"/api/v1/cases/{two[1].pk}/", {"version": 1, "apgar_10": 5}, format="json").status_code == 404
    assert client.get(f"/api/v1/cases/{two[0].pk}/").status_code == 200


# --- KPIs and board reports --------------------------------------------------------------------------------------


def test_kpis_and_board_reports_leave_the_case_out(people: Personas, two: tuple[Case, Case]) -> None:
    from reporting import content
    from reporting import services as reporting_services

    kpi_services.compute(as_of=AS_OF)
    assert set(CaseOutcome.objects.values_list("case__case_ref", flat=True)) == {"KEPT"}
    year = KpiAggregate.objects.filter(kpi="cooling_started_6h", level="network", period_key="2024").get()
    assert (year.numerator, year.denominator) == (1, 1)
    report = reporting_services.board_report_create(
        values={"title": "Network 2024", "level": "network", "period_key": "2024", "summary": "."}, by=people.lead)
    assert "OPTED-OUT" not in str(content.build(report))
    # Opting out later takes the case out of the next run's figures too.
    services.case_update(case=two[0], values={"national_opt_out": "yes"}, expected_version=None, by=people.nurse)
    kpi_services.compute(as_of=AS_OF)
    assert not CaseOutcome.objects.exists()
    assert not KpiAggregate.objects.filter(kpi="cooling_started_6h", level="network", period_key="2024",
                                           denominator__gt=0).exists()


# --- Direct care ---------------------------------------------------------------------------------------------------


def test_the_case_screen_shows_it_plainly_and_the_list_keeps_it(people: Personas, two: tuple[Case, Case]) -> None:
    client = _client(people.nurse)
    page = client.get(reverse("pathway:case_detail", args=[two[1].pk])).content.decode()
    assert "National data opt-out." in page and "left out of every export, API read, KPI and board report" in page
    assert "National data opt-out." not in client.get(reverse("pathway:case_detail", args=[two[0].pk])).content.decode()
    assert "OPTED-OUT" in client.get(reverse("pathway:case_list")).content.decode()
