"""Board reports belong to the networks of their organisation (issue 18): a network lead lists, opens, edits,
publishes, corrects and downloads the reports of their own network's organisations and gets a 404 for another
network's at every door; a regional lead reads, never changes, every report of its region's networks.

Networks: the East of England (EOE; the personas' lead at Addenbrooke's, RGT01) and London's North Central and
East London (NCEL; a lead and a regional lead at UCH, RRV03). London's region is Y56, the EoE's Y61.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.testing.personas import Personas, make_user
from reporting import services
from reporting.access import reports_changeable_by, reports_readable_by
from reporting.models import BoardReport, ExportRecord
from reporting.scope import area_name, choices_for
from reporting.tests.conftest import client_for
from units.models import Role, Unit
from units.services import LONDON_FILE, organisations_load_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(people: Personas) -> dict[str, User]:
    organisations_load_file(LONDON_FILE)
    uch = Unit.objects.get(ods_code="RRV03")
    return {"london_lead": make_user("lars", uch, Role.NETWORK_LEAD),
            "regional": make_user("rhea", uch, Role.REGIONAL_LEAD)}


def _report(title: str, by: User, *, level: str = "network", code: str = "", unit: str = "",
            published: bool = False) -> BoardReport:
    return BoardReport.objects.create(
        title=title, level=level, area_code=code, org=Unit.objects.get(ods_code=unit) if unit else None,
        period_key="2024", created_by=by, sections=["hie"],
        status=BoardReport.Status.PUBLISHED if published else BoardReport.Status.DRAFT,
        published_by=by if published else None, published_at=timezone.now() if published else None)


@pytest.fixture
def reports(people: Personas, london: dict[str, User]) -> dict[str, BoardReport]:
    """Per network a draft network report, a published network report and a unit report; one London region
    report (no network lead may make it: it covers three networks)."""
    lead, lars = people.lead, london["london_lead"]
    return {
        "eoe": _report("Fenland draft", lead, code="EOE"),
        "eoe_pub": _report("Fenland signed", lead, code="EOE", published=True),
        "eoe_unit": _report("Addenbrooke's", lead, level="cooling_centre", unit="RGT01"),
        "ldn": _report("Thames draft", lars, code="NCEL"),
        "ldn_pub": _report("Thames signed", lars, code="NCEL", published=True),
        "ldn_unit": _report("UCH", lars, level="birth_unit", unit="RRV03"),
        "region": _report("London region", lars, level="region", code="Y56"),
    }


def _doors(report: BoardReport) -> list[tuple[str, str, dict[str, str] | None]]:
    """Every door that names a report: (method, url, post data or None for GET)."""
    pk = report.pk
    return [("get", reverse("reporting:preview", args=[pk]), None),
            ("get", reverse("reporting:edit", args=[pk]), None),
            ("post", reverse("reporting:edit", args=[pk]), {"title": "Taken over"}),
            ("get", reverse("reporting:publish", args=[pk]), None),
            ("post", reverse("reporting:publish", args=[pk]), {"version": str(report.version)}),
            ("post", reverse("reporting:correct", args=[pk]), {}),
            *[("post", reverse("reporting:export", args=[pk]), {"format": f}) for f in ("pdf", "xlsx", "csv")]]


def _status(client: Client, method: str, url: str, data: dict[str, str] | None) -> int:
    return (client.get(url) if method == "get" else client.post(url, data or {})).status_code


def _titles(client: Client) -> set[str]:
    response = client.get(reverse("reporting:list"))
    assert response.status_code == 200
    return {r.title for r in response.context["reports"]}


# --- The list --------------------------------------------------------------------------------------------------------


def test_each_network_lead_lists_only_its_own_networks_reports(people: Personas, london: dict[str, User],
                                                               reports: dict[str, BoardReport]) -> None:
    lead = client_for(people.lead)
    assert reverse("reporting:create") in lead.get(reverse("reporting:list")).content.decode()
    draft = lead.get(reverse("reporting:preview", args=[reports["eoe"].pk])).content.decode()
    assert f'href="{reverse("reporting:edit", args=[reports["eoe"].pk])}"' in draft
    assert _titles(client_for(people.lead)) == {"Fenland draft", "Fenland signed", "Addenbrooke's"}
    assert _titles(client_for(london["london_lead"])) == {"Thames draft", "Thames signed", "UCH"}


def test_regional_lead_lists_its_regions_reports_and_not_another_regions(
        london: dict[str, User], reports: dict[str, BoardReport]) -> None:
    client = client_for(london["regional"])
    assert _titles(client) == {"Thames draft", "Thames signed", "UCH", "London region"}
    # Each area's name is read once for the whole list, and is the one the report page shows.
    page = client.get(reverse("reporting:list")).content.decode()
    for report in (reports["region"], reports["ldn"]):
        name = area_name(report.level, report.area_code)
        assert name != report.area_code and f"<td class=\"nhsuk-table__cell\">{name}</td>" in page


def test_superuser_lists_every_report(people: Personas, reports: dict[str, BoardReport]) -> None:
    admin = people.admin_user
    admin.is_superuser = True
    admin.save()
    assert reports_readable_by(admin).count() == len(reports)


def test_a_user_reads_the_reports_of_the_organisations_the_report_form_offers(
        people: Personas, london: dict[str, User], reports: dict[str, BoardReport]) -> None:
    """The same rule as the form: every changeable report's organisation is one the form offers the user."""
    for user in (people.lead, london["london_lead"]):
        offered = {value for _group, options in choices_for(user, timezone.localdate()) for value, _ in options}
        for report in reports_changeable_by(user):
            assert f"{report.level}:{report.org.ods_code if report.org else report.area_code}" in offered
    assert "region:Y56" not in {v for _g, o in choices_for(london["london_lead"], timezone.localdate()) for v, _ in o}


def test_the_list_costs_the_same_queries_for_one_report_or_many(london: dict[str, User]) -> None:
    client = client_for(london["regional"])
    lars = london["london_lead"]
    _report("One", lars, code="NCEL")
    client.get(reverse("reporting:list"))  # warm the per-process caches (hierarchy)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("reporting:list")).status_code == 200
    for n in range(8):
        _report(f"More {n}", lars, code="NCEL" if n % 2 else "SL", published=n % 3 == 0)
        _report(f"Unit {n}", lars, level="birth_unit", unit="RRV03")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reporting:list"))
    assert len(response.context["reports"]) == 17
    assert len(many) == len(one)


# --- Every door, both directions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ldn", "ldn_pub", "ldn_unit", "region"])
def test_eoe_lead_gets_404_for_every_london_report_at_every_door(people: Personas,
                                                                 reports: dict[str, BoardReport], key: str) -> None:
    client = client_for(people.lead)
    report = reports[key]
    for method, url, data in _doors(report):
        assert _status(client, method, url, data) == 404, (method, url)
    report.refresh_from_db()
    assert (report.title, report.corrections.count()) == (reports[key].title, 0)


@pytest.mark.parametrize("key", ["eoe", "eoe_pub", "eoe_unit"])
def test_london_lead_gets_404_for_every_eoe_report_at_every_door(london: dict[str, User],
                                                                 reports: dict[str, BoardReport], key: str) -> None:
    client = client_for(london["london_lead"])
    for method, url, data in _doors(reports[key]):
        assert _status(client, method, url, data) == 404, (method, url)
    assert not BoardReport.objects.filter(corrects=reports[key]).exists()


@pytest.mark.parametrize("who,key", [("eoe", "eoe"), ("london", "ldn")])
def test_each_lead_opens_edits_and_downloads_its_own_networks_draft(
        people: Personas, london: dict[str, User], reports: dict[str, BoardReport], who: str, key: str,
        media: object) -> None:
    client = client_for(people.lead if who == "eoe" else london["london_lead"])
    report = reports[key]
    assert client.get(reverse("reporting:preview", args=[report.pk])).status_code == 200
    assert client.get(reverse("reporting:edit", args=[report.pk])).status_code == 200
    assert client.get(reverse("reporting:publish", args=[report.pk])).status_code == 200
    for fmt in ("pdf", "xlsx", "csv"):
        response = client.post(reverse("reporting:export", args=[report.pk]), {"format": fmt})
        assert response.status_code == 302 and "/jobs/" in response["Location"]


@pytest.mark.parametrize("who,key", [("eoe", "eoe_pub"), ("london", "ldn_pub")])
def test_each_lead_corrects_its_own_networks_published_report(
        people: Personas, london: dict[str, User], reports: dict[str, BoardReport], who: str, key: str) -> None:
    client = client_for(people.lead if who == "eoe" else london["london_lead"])
    response = client.post(reverse("reporting:correct", args=[reports[key].pk]))
    correction = BoardReport.objects.get(corrects=reports[key])
    assert response.status_code == 302 and response["Location"] == reverse("reporting:edit", args=[correction.pk])


def test_regional_lead_reads_its_regions_reports_read_only(london: dict[str, User], reports: dict[str, BoardReport],
                                                           media: object) -> None:
    client = client_for(london["regional"])
    listing = client.get(reverse("reporting:list")).content.decode()
    assert reverse("reporting:create") not in listing  # no "New report" button that would answer 403
    assert f'href="{reverse("reporting:list")}" aria-current="page">Reports</a>' in listing  # the header link
    for key in ("ldn", "ldn_pub", "region"):
        report = reports[key]
        page = client.get(reverse("reporting:preview", args=[report.pk]))
        assert page.status_code == 200
        edit = f'href="{reverse("reporting:edit", args=[report.pk])}"'
        assert edit not in page.content.decode()  # no link that would answer 403
        response = client.post(reverse("reporting:export", args=[report.pk]), {"format": "csv"})
        assert response.status_code == 302 and "/jobs/" in response["Location"]
        # It changes nothing: it may open the report, so the doors that write say no (403), not "no such report".
        for method, url, data in _doors(report)[1:6]:
            assert _status(client, method, url, data) == 403, (method, url)
    assert not BoardReport.objects.filter(corrects=reports["ldn_pub"]).exists()
    assert BoardReport.objects.get(pk=reports["ldn"].pk).title == "Thames draft"


def test_regional_lead_gets_404_for_another_regions_reports(london: dict[str, User],
                                                            reports: dict[str, BoardReport]) -> None:
    client = client_for(london["regional"])
    for key in ("eoe", "eoe_pub", "eoe_unit"):
        assert client.get(reverse("reporting:preview", args=[reports[key].pk])).status_code == 404
        response = client.post(reverse("reporting:export", args=[reports[key].pk]), {"format": "pdf"})
        assert response.status_code == 404


def test_the_export_service_refuses_another_networks_report(people: Personas, reports: dict[str, BoardReport]) -> None:
    with pytest.raises(PermissionDenied):
        services.export_job_start(kind=ExportRecord.Kind.REPORT_PDF, by=people.lead, report=reports["ldn"])
    with pytest.raises(PermissionDenied):
        services.export_job_start(kind=ExportRecord.Kind.REPORT_PDF, by=people.nurse, report=reports["eoe"])


# --- The dashboards' "live" notice names a published report -----------------------------------------------------------


def test_the_dashboard_notice_never_names_another_networks_report(people: Personas, london: dict[str, User],
                                                                  reports: dict[str, BoardReport]) -> None:
    london_nurse = make_user("lana", Unit.objects.get(ods_code="RRV03"), Role.NURSE_SPECIALIST)
    seen = {}
    for name, user in (("lead", people.lead), ("consultant", people.consultant), ("london_lead", london["london_lead"]),
                       ("london_nurse", london_nurse), ("regional", london["regional"])):
        page = client_for(user).get(reverse("kpis:overview")).content.decode()
        seen[name] = {title for title in ("Fenland signed", "Thames signed") if f"“{title}”" in page}
    assert seen == {"lead": {"Fenland signed"}, "consultant": {"Fenland signed"}, "london_lead": {"Thames signed"},
                    "london_nurse": {"Thames signed"}, "regional": {"Thames signed"}}


def test_the_update_publish_and_correct_services_refuse_another_networks_report(london: dict[str, User],
                                                                         reports: dict[str, BoardReport]) -> None:
    lars = london["london_lead"]
    with pytest.raises(PermissionDenied):
        services.board_report_update(report=reports["eoe"], values={"title": "Taken over"}, by=lars)
    with pytest.raises(PermissionDenied):
        services.board_report_publish(report=reports["eoe"], by=lars, expected_version=reports["eoe"].version)
    with pytest.raises(PermissionDenied):
        services.board_report_correct(report=reports["eoe_pub"], by=lars)
    assert BoardReport.objects.filter(pk=reports["eoe"].pk, title="Fenland draft",
                                      status=BoardReport.Status.DRAFT).exists()
    assert not BoardReport.objects.filter(corrects=reports["eoe_pub"]).exists()
