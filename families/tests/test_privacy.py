"""The privacy notice on the family website: written from the real processing (figures from the settings and
the code), contacts from settings, linked from every staff and family page, and no patient data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas
from families import services

pytestmark = pytest.mark.django_db
URL = "/families/privacy/"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_notice_answers_what_why_who_how_long_and_whom_to_ask(network: object, settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = "privacy@eoe-neonatal.example.nhs.uk"
    settings.PRIVACY_DPO_EMAIL = "dpo@trust.example.nhs.uk"
    settings.PRIVACY_CONTACT_PHONE = "01223 000 000"
    settings.EXPORT_RETENTION_HOURS = 24
    settings.IDLE_TIMEOUT_MINUTES = 30
    response = Client().get(URL)
    assert response.status_code == 200
    text = _text(response)
    for heading in ("Who is responsible", "What information we hold", "Why we use it", "Who can see it",
                    "How long we keep it", "This website", "Your choices and rights", "Contact us"):
        assert "<h2 id=" in response.content.decode() and heading in text, heading
    assert "NHS number" in text and "within 6 hours" in text
    assert "privacy@eoe-neonatal.example.nhs.uk" in text and "dpo@trust.example.nhs.uk" in text
    assert 'href="tel:01223000000"' in response.content.decode()
    assert "deleted 24 hours after they were asked for" in text
    assert "after 30 minutes without activity" in text
    assert "without your name, email address or network address" in text


def test_figures_follow_the_settings(network: object, settings: Any) -> None:
    settings.CASE_RETENTION_YEARS = 25
    settings.EXPORT_RETENTION_HOURS = 1
    settings.FAMILIES_FEEDBACK_PER_HOUR = 7
    text = _text(Client().get(URL))
    assert "kept for 25 years after your baby's birth, then deleted" in text
    assert "deleted 1 hour after" in text and "at most 7" in text


def test_without_an_automatic_retention_the_notice_says_the_records_policy_decides(network: object,
                                                                                   settings: Any) -> None:
    if hasattr(settings, "CASE_RETENTION_YEARS"):
        del settings.CASE_RETENTION_YEARS
    assert "as long as the NHS records policy" in _text(Client().get(URL))


def test_contacts_not_set_are_left_out(network: object, settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = settings.PRIVACY_DPO_EMAIL = settings.PRIVACY_CONTACT_PHONE = ""
    html = Client().get(URL).content.decode()
    assert "mailto:" not in html and "tel:" not in html
    assert "ask your baby's nurse specialist" in _text(Client().get(URL))


def test_every_staff_and_family_page_links_to_it(people: Personas) -> None:
    staff = Client()
    staff.force_login(people.clinician)
    for client, url in ((staff, reverse("pathway:case_list")), (staff, reverse("kpis:overview")),
                        (Client(), reverse("families:home")), (Client(), reverse("login"))):
        assert f'href="{URL}"' in client.get(url).content.decode(), url


def test_a_signed_in_user_without_two_factor_may_read_it(people: Personas, settings: Any) -> None:
    settings.OTP_REQUIRED = True
    client = Client()
    client.force_login(people.nurse)
    assert client.get(URL).status_code == 200


def test_no_page_of_the_site_can_take_its_address(people: Personas) -> None:
    with pytest.raises(ValidationError, match="used by the site itself"):
        services.page_create(slug="privacy", position=9, title="Fake", summary="", body="x", by=people.nurse)


def test_it_reads_nothing_from_the_database_and_shows_no_record(people: Personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.testing.factories import cooled_case_values
    from pathway import services as case_services

    case_services.case_create(values=cooled_case_values(case_ref="SECRET-REF-9", nhs_number="9434765919"),
                              by=people.nurse)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(URL)
    assert response.status_code == 200 and len(queries) == 0
    assert "SECRET-REF-9" not in response.content.decode() and "9434765919" not in response.content.decode()
