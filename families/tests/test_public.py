"""The public family website: open without sign-in, and no patient data can reach it.

Proof in three parts: the SQL of every public view never names a pathway table or a families case-log
table; every template rendered is given only Page/event/feedback read models (no model instance to follow
to a case); and a case's identifying text, written into the log, an invitation and the event's staff notes,
appears in no public response.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from families import booklet, selectors, services
from families.models import FamilyEvent, Feedback, FeedbackStatus, Page
from families.selectors import PublicEvent, PublicFeedback, PublicPage
from pathway import services as case_services
from units.models import Unit

SECRET_REF = "SECRET-CASE-77"
SECRET_NHS = "9434765919"
SECRET_NOTE = "Mother prefers evening calls"
# Tables holding patient data: the pathway app's, and the families tables tied to a case.
PATIENT_TABLES = re.compile(r'"?(pathway_\w+|families_familysupportlog|families_supportcontact|families_invitation)"?')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(people: Personas) -> dict[str, Any]:
    """A published page, an upcoming event with an invited family, and approved feedback."""
    Page.objects.all().delete()
    page = services.page_create(slug="cooling", position=1, title="Cooling treatment", summary="What to expect",
                                body="## Why\nCooling lasts **72 hours**.", by=people.nurse, publish=True)
    services.page_create(slug="draft-only", position=2, title="Unpublished draft", summary="", body="Draft text",
                         by=people.nurse)
    event = services.event_save(values={
        "title": "Spring coffee morning", "starts_at": timezone.now() + timedelta(days=5), "venue": "Rosie Hospital",
        "host_unit": Unit.objects.get(ods_code="RGT01"), "notes": SECRET_NOTE, "families_attending": 4,
    }, by=people.nurse)
    services.event_save(values={"title": "Hidden planning meeting", "starts_at": timezone.now() + timedelta(days=6),
                                "venue": "Office", "host_unit": Unit.objects.get(ods_code="RGT01"),
                                "published": False}, by=people.nurse)
    case = case_services.case_create(values=cooled_case_values(case_ref=SECRET_REF, nhs_number=SECRET_NHS),
                                     by=people.nurse)
    services.support_log_update(case=case, values={"consent_given_on": timezone.localdate(),
                                                   "consent_given_by": "Nina Nurse"}, expected_version=None,
                                by=people.nurse)
    services.contact_add(case=case, contacted_on=timezone.localdate(), by_name="Nina Nurse", mode="phone",
                         note=SECRET_NOTE, by=people.nurse)
    services.invitation_record(case=case, event=event, by=people.nurse)
    services.feedback_moderate(feedback=services.feedback_submit(message="Thank you, the team were kind."),
                               approve=True, by=people.nurse)
    services.feedback_submit(message="Pending words nobody may see yet")
    return {"page": page, "event": event, "case": case}


PUBLIC_URLS = ["/families/", "/families/cooling/", "/families/events/", "/families/feedback/"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_open_without_sign_in_and_query_no_patient_table(site: dict[str, Any], url: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200
    assert len(queries) > 0  # the capture works: the page did read its content
    named = [q["sql"] for q in queries if PATIENT_TABLES.search(q["sql"])]
    assert named == []


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_show_no_patient_data(site: dict[str, Any], url: str) -> None:
    text = Client().get(url).content.decode()
    for secret in (SECRET_REF, SECRET_NHS, SECRET_NOTE, "Nina Nurse", "Hidden planning meeting",
                   "Pending words", "Unpublished draft"):
        assert secret not in text, (url, secret)


def _allowed(value: object) -> bool:
    """What a public template may be given: read models and plain values, never a model instance."""
    if isinstance(value, Model):
        return False
    if isinstance(value, list | tuple):
        return all(_allowed(item) for item in value)
    return True


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_templates_are_given_only_page_and_event_read_models(site: dict[str, Any], url: str) -> None:
    response = Client().get(url)
    contexts: Any = response.context  # a list of contexts when several templates render; the stubs say one
    ours = {key: value for context in contexts for key, value in context.flatten().items()
            if key in {"page", "pages", "events", "approved", "form", "limited", "preview"}}
    assert ours, url
    for key, value in ours.items():
        assert _allowed(value), (url, key, value)
    for event in ours.get("events", []):
        assert isinstance(event, PublicEvent)
    assert {f.name for f in fields(PublicEvent)} == {"title", "starts_at", "ends_at", "venue", "host_unit"}
    assert {f.name for f in fields(PublicPage)} == {"slug", "title", "summary", "body_html"}
    assert {f.name for f in fields(PublicFeedback)} == {"received_on", "message"}


def test_home_lists_published_pages_and_upcoming_events(site: dict[str, Any]) -> None:
    text = Client().get("/families/").content.decode()
    assert "Cooling treatment" in text and "What to expect" in text
    assert "Spring coffee morning" in text and "Rosie Hospital" in text
    assert escape(Unit.objects.get(ods_code="RGT01").name) in text


def test_page_shows_the_published_version_rendered_safely(site: dict[str, Any], people: Personas) -> None:
    services.page_save(page=site["page"], title="New title", summary="", body="<b>draft</b>", note="",
                       by=people.nurse)
    text = Client().get("/families/cooling/").content.decode()
    assert "<h2>Why</h2><p>Cooling lasts <strong>72 hours</strong>.</p>" in text
    assert "New title" not in text  # a saved draft is not public until published
    assert Client().get("/families/draft-only/").status_code == 404
    assert Client().get("/families/no-such-page/").status_code == 404


def test_past_events_are_not_listed(site: dict[str, Any]) -> None:
    FamilyEvent.objects.filter(pk=site["event"].pk).update(starts_at=timezone.now() - timedelta(days=1))
    assert "Spring coffee morning" not in Client().get("/families/events/").content.decode()
    assert selectors.upcoming_events() == []


def test_approved_feedback_only(site: dict[str, Any]) -> None:
    text = Client().get("/families/feedback/").content.decode()
    assert "Thank you, the team were kind." in text
    assert "Pending words" not in text


# --- Feedback form: anonymous, rate limited, spam resistant ---------------------------------------------------


def _form_token(client: Client) -> str:
    html = client.get("/families/feedback/").content.decode()
    match = re.search(r'name="started" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _post(client: Client, token: str, message: str = "Very helpful", **extra: str) -> Any:
    return client.post("/families/feedback/", {"message": message, "started": token, "website": "", **extra},
                       REMOTE_ADDR=extra.pop("ip", "203.0.113.9"))


@pytest.fixture
def slow(settings: Any) -> None:
    settings.FAMILIES_FEEDBACK_MIN_SECONDS = 0


def test_feedback_is_stored_pending_and_anonymous(db: None, slow: None) -> None:
    client = Client()
    response = _post(client, _form_token(client), "The nurses explained everything")
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.message, item.status) == ("The nurses explained everything", FeedbackStatus.PENDING)
    assert item.moderated_by is None
    assert "203.0.113.9" not in str(Feedback.objects.values().get())


def test_feedback_sent_too_fast_is_refused_with_a_reason(db: None, settings: Any) -> None:
    settings.FAMILIES_FEEDBACK_MIN_SECONDS = 60
    client = Client()
    response = _post(client, _form_token(client))
    assert response.status_code == 200
    assert "sent too quickly" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_with_a_forged_time_stamp_is_refused(db: None, slow: None) -> None:
    response = _post(Client(), "1700000000.0")
    assert "This form has expired" in response.content.decode()
    assert not Feedback.objects.exists()


def test_honeypot_is_accepted_silently_and_stored_nowhere(db: None, slow: None) -> None:
    client = Client()
    response = client.post("/families/feedback/", {"message": "Buy pills", "started": _form_token(client),
                                                   "website": "http://spam.example"}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_feedback_is_limited_per_visitor_per_hour(db: None, slow: None, settings: Any) -> None:
    settings.FAMILIES_FEEDBACK_PER_HOUR = 5
    client = Client()
    token = _form_token(client)
    for number in range(5):
        assert _post(client, token, f"Message {number}").status_code == 302
    refused = _post(client, token, "Message 6")
    assert refused.status_code == 429
    assert "Please wait an hour" in refused.content.decode()
    assert Feedback.objects.count() == 5
    # Another visitor is not affected.
    other = client.post("/families/feedback/", {"message": "Hello", "started": token, "website": ""},
                        REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 302 and Feedback.objects.count() == 6


def test_empty_feedback_names_the_field(db: None, slow: None) -> None:
    client = Client()
    response = _post(client, _form_token(client), "")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Feedback.objects.exists()


# --- The booklet PDF -------------------------------------------------------------------------------------------


def test_booklet_html_is_the_published_page_content(site: dict[str, Any]) -> None:
    html = booklet.booklet_html()
    assert "<h2>Why</h2><p>Cooling lasts <strong>72 hours</strong>.</p>" in html
    assert "Unpublished draft" not in html and SECRET_REF not in html


def test_booklet_pdf_downloads_without_sign_in(site: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("families:booklet_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="family-booklet.pdf"'
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert [q["sql"] for q in queries if PATIENT_TABLES.search(q["sql"])] == []


def test_booklet_has_a_cover_and_one_section_per_published_page(site: dict[str, Any], people: Personas) -> None:
    from weasyprint import HTML

    services.page_create(slug="mri", position=3, title="The MRI scan", summary="", body="Text", by=people.nurse,
                         publish=True)
    document = HTML(string=booklet.booklet_html()).render()
    assert len(document.pages) == 3  # cover and contents, then each published page on its own page
    assert document.metadata.title == "Family booklet – HIE and cooling – East of England neonatal network"
