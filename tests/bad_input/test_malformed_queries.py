"""NUL bytes and malformed query values anywhere in the HTML site give 400 or 404 with a message, or the page
with the bad filter ignored, never a 500: every main list page is walked with bad values in every filter it
reads, in its path, and in the page number (core.middleware.BadInputMiddleware and the forms)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services

pytestmark = pytest.mark.django_db

# Every query parameter a list, dashboard or log page reads.
PARAMS = ["q", "search", "page", "birth_unit", "cooling_centre", "year", "stage", "cooled", "flagged",
          "include_error", "period", "start", "end", "level", "by", "chart", "group", "unit", "kpi", "org",
          "kind", "status", "overdue", "owner", "username", "month", "format", "run", "outcome", "event", "from",
          "to", "date_from", "date_to", "code"]
# Query-string encoded: %00 is a NUL byte, %FF%FE not UTF-8 at all.
BAD_VALUES = ["%00", "abc%00def", "%2500", "-1", "0", "99999999999999999999999", "1e309", "2024-02-30", "2024-13",
              "31%2F02%2F2024", "9999-99-99", "..", "%27%20OR%201%3D1%20--", "%3Cscript%3E", "%FF%FE", "x" * 5000,
              "%5B%5D", "NaN", "Infinity", "-Infinity", "%20", "%D9%A3", "1.5", "2024-W01", "0x10"]

STAFF_PAGES = ["pathway:case_list", "pathway:worklist", "pop:record_list", "pop:dashboard", "kpis:overview",
               "kpis:definitions", "kpis:compare", "training:coverage", "training:session_list",
               "training:key_messages", "improvement:list", "improvement:impact", "reporting:list",
               "reporting:exports", "accounts:user_list", "accounts:sign_in_log", "accounts:invitation_list",
               "families:manage", "families:event_list", "families:event_calendar", "families:page_list",
               "families:feedback_queue"]
STAFF_PAGES_WITH_ARGS = [("kpis:unit", ["RWG02"]), ("kpis:centre", ["RGT01"]),
                         ("kpis:funnel", ["cooling_started_6h"]), ("kpis:run", ["cooling_started_6h"]),
                         ("kpis:breaches", ["cooling_started_6h"]), ("kpis:cases", ["cooling_started_6h"]),
                         ("training:unit", ["RWG02"]), ("improvement:unit", ["RWG02"])]
PUBLIC_PAGES = ["families:home", "families:events", "families:feedback", "login", "accounts:password_reset"]
# Paths with a NUL byte, a huge number where an id goes, and other junk.
BAD_PATHS = ["/cases/%00/", "/cases/1%00/", "/cases/99999999999999999999999/", "/cases/99999999999999999999/history/",
             "/pop/99999999999999999999999/", "/kpis/unit/%00/", "/kpis/unit/RWG02%00/", "/kpis/kpi/%00/run/",
             "/training/units/%00/", "/improvement/99999999999999999999999/", "/reports/99999999999999999999999/",
             "/families/%00/", "/families/cooling%00/", "/families/manage/events/99999999999999999999999/",
             "/cases/%00", "/%00", "/accounts/invitations/%00/", "/kpis/runs/99999999999999999999999/progress/",
             "/reports/jobs/99999999999999999999999/"]


@pytest.fixture
def admin(people: Personas) -> Client:
    services.case_create(values=cooled_case_values(case_ref="EOE-WALK-1"), by=people.nurse)
    client = Client(raise_request_exception=False)
    client.force_login(people.admin_user)
    return client


def _refused_or_shown(client: Client, url: str, names: list[str], value: str) -> list[str]:
    """Every parameter the site reads set to the same bad value at once: each is parsed on its own, so any one
    of them failing shows as a 500."""
    query = "&".join(f"{name}={value}" for name in names)
    response = client.get(f"{url}?{query}", follow=True)
    body = response.content.decode(errors="replace")
    if response.status_code >= 500:
        return [f"{url}?…={value[:24]}: {response.status_code}"]
    if response.status_code in (400, 404) and "<h1" not in body:
        return [f"{url}?…={value[:24]}: {response.status_code} without a page saying why"]
    return []


def test_every_staff_list_page_survives_bad_query_values(admin: Client) -> None:
    urls = [reverse(name) for name in STAFF_PAGES] + [reverse(name, args=args) for name, args in STAFF_PAGES_WITH_ARGS]
    problems: list[str] = []
    for url in urls:
        for value in BAD_VALUES:
            problems += _refused_or_shown(admin, url, PARAMS, value)
    assert not problems, "\n".join(problems[:40])


def test_public_pages_survive_bad_query_values(network: object) -> None:
    client = Client(raise_request_exception=False)
    problems: list[str] = []
    for url in [reverse(name) for name in PUBLIC_PAGES]:
        for value in BAD_VALUES:
            problems += _refused_or_shown(client, url, [*PARAMS, "next", "idle"], value)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_paths_are_400_or_404_with_a_message(admin: Client, path: str) -> None:
    response = admin.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "<h1" in response.content.decode(errors="replace")


def test_a_nul_byte_anywhere_in_the_query_is_a_400_naming_the_problem(admin: Client) -> None:
    response = admin.get(reverse("pathway:case_list") + "?year=2024&birth_unit=%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode() or "not allowed" in response.content.decode()


def test_a_nul_byte_in_a_posted_form_is_a_400(admin: Client) -> None:
    response = admin.post(reverse("pathway:case_list"), {"q": "EOE\x00"})
    assert response.status_code == 400


def test_the_refusal_carries_the_security_headers(admin: Client) -> None:
    response = admin.get(reverse("pathway:case_list") + "?q=%00")
    assert response.status_code == 400 and "Content-Security-Policy" in response.headers
    assert "the filter &#x27;q&#x27;" in response.content.decode() or "the filter 'q'" in response.content.decode()


def test_the_api_answers_a_nul_byte_in_json(admin: Client) -> None:
    response = admin.get("/api/v1/cases/?stage=%00")
    assert response.status_code == 400 and response.json()["errors"][0]["rule"] == "nul_byte"


def test_a_broken_multipart_body_is_not_a_500(admin: Client) -> None:
    response = admin.generic("POST", reverse("pathway:case_list"), b"--xx\r\nnot a part\r\n",
                             content_type="multipart/form-data; boundary=xx")
    assert response.status_code < 500


def test_a_nul_byte_in_a_file_upload_form_field_is_a_400(admin: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin.post(reverse("pathway:import_upload"),
                          {"csv_file": SimpleUploadedFile("a.csv", b"case_ref\r\n"), "note\x00": "x"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
