"""Staff screens: who may see and change a case's family log, events with invitations, the calendar, page
versions with preview/publish/restore, and the feedback moderation queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from families import services
from families.models import FamilyEvent, FamilySupportLog, Feedback, FeedbackStatus, Invitation, Page
from pathway import services as case_services
from pathway.models import Case
from units.models import Unit


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def watford(people: Personas) -> Case:
    """Born at Watford (the clinician's unit), cooled at Addenbrooke's (the consultant's)."""
    return case_services.case_create(values=cooled_case_values(case_ref="W-1", family_booklet_given=""),
                                     by=people.nurse)


@pytest.fixture
def ipswich(people: Personas) -> Case:
    return case_services.case_create(values=cooled_case_values(case_ref="I-1", birth_unit="RDE03", centre="RM102"),
                                     by=people.nurse)


@pytest.fixture
def event(people: Personas) -> FamilyEvent:
    return services.event_save(values={"title": "Coffee morning", "starts_at": timezone.now() + timedelta(days=7),
                                       "venue": "Rosie Hospital", "host_unit": Unit.objects.get(ods_code="RGT01")},
                               by=people.nurse)


def _today() -> str:
    return f"{timezone.localdate():%d/%m/%Y}"


# --- The case page and the log ---------------------------------------------------------------------------------


def test_case_page_links_to_the_family_log(people: Personas, watford: Case) -> None:
    text = client_for(people.clinician).get(reverse("pathway:case_detail", args=[watford.pk])).content.decode()
    assert reverse("families:case_log", args=[watford.pk]) in text
    assert "Nothing recorded yet." in text


def test_log_of_a_case_the_user_may_not_see_is_a_404(people: Personas, ipswich: Case) -> None:
    client = client_for(people.clinician)
    assert client.get(reverse("families:case_log", args=[ipswich.pk])).status_code == 404
    response = client.post(reverse("families:consent_save", args=[ipswich.pk]),
                           {"consent-consent_given_on": _today(), "consent-consent_given_by": "Carl",
                            "consent-version": 1})
    assert response.status_code == 404
    assert not FamilySupportLog.objects.exists()


def test_a_network_lead_may_view_but_not_change(people: Personas, watford: Case) -> None:
    client = client_for(people.lead)
    page = client.get(reverse("families:case_log", args=[watford.pk]))
    assert page.status_code == 200
    assert "your role does not include changing it" in page.content.decode()
    assert "Save consent" not in page.content.decode()
    posted = client.post(reverse("families:given_save", args=[watford.pk]),
                         {"given-booklet_given_on": _today(), "given-booklet_given_by": "Leo", "given-version": 1})
    assert posted.status_code == 404  # the lead may not edit this case: same answer as a case they cannot see
    assert not FamilySupportLog.objects.exists()


def test_clinician_records_the_booklet_and_the_case_field_follows(people: Personas, watford: Case) -> None:
    client = client_for(people.clinician)
    response = client.post(reverse("families:given_save", args=[watford.pk]),
                           {"given-booklet_given_on": _today(), "given-booklet_given_by": "Carl Clinician",
                            "given-website_given_on": "", "given-website_given_by": "", "given-version": 1})
    assert response.status_code == 302
    watford.refresh_from_db()
    assert watford.family_booklet_given == "yes"
    text = client.get(reverse("families:case_log", args=[watford.pk])).content.decode()
    assert f"Given {_today()} by Carl Clinician" in text
    assert "Family support: changed booklet given, booklet given by" in text  # as people name them


def test_a_refused_save_names_the_field_and_writes_nothing(people: Personas, watford: Case) -> None:
    response = client_for(people.nurse).post(
        reverse("families:given_save", args=[watford.pk]),
        {"given-booklet_given_on": _today(), "given-booklet_given_by": "", "given-version": 1})
    assert response.status_code == 400
    assert "Say who: booklet given by is required with the date" in response.content.decode()
    assert not FamilySupportLog.objects.exists()
    watford.refresh_from_db()
    assert watford.family_booklet_given == ""


def test_contact_is_recorded(people: Personas, watford: Case) -> None:
    response = client_for(people.nurse).post(reverse("families:contact_add", args=[watford.pk]), {
        "contact-contacted_on": _today(), "contact-by_name": "Nina Nurse", "contact-mode": "video",
        "contact-note": "Explained the MRI"})
    assert response.status_code == 302
    text = client_for(people.nurse).get(reverse("families:case_log", args=[watford.pk])).content.decode()
    assert "Video call" in text and "Explained the MRI" in text


def test_withdrawn_consent_blocks_invitations_and_the_ui_says_so(people: Personas, watford: Case,
                                                                 event: FamilyEvent) -> None:
    client = client_for(people.nurse)
    consent = {"consent-consent_given_on": _today(), "consent-consent_given_by": "Nina", "consent-version": 1,
               "consent-consent_withdrawn_on": "", "consent-consent_withdrawn_by": ""}
    assert client.post(reverse("families:consent_save", args=[watford.pk]), consent).status_code == 302
    assert client.post(reverse("families:invitation_add", args=[watford.pk]),
                       {"invite-event": event.pk}).status_code == 302
    assert Invitation.objects.get().status == "planned"

    withdrawn = {**consent, "consent-version": 2, "consent-consent_withdrawn_on": _today(),
                 "consent-consent_withdrawn_by": "Nina"}
    assert client.post(reverse("families:consent_save", args=[watford.pk]), withdrawn).status_code == 302
    assert Invitation.objects.get().status == "cancelled"

    page = client.get(reverse("families:case_log", args=[watford.pk])).content.decode()
    assert "Consent to contact withdrawn" in page
    assert "No invitations can be recorded: the family has withdrawn consent to be contacted." in page
    case_page = client.get(reverse("pathway:case_detail", args=[watford.pk])).content.decode()
    assert "Consent to contact withdrawn" in case_page

    other = services.event_save(values={"title": "Picnic", "starts_at": event.starts_at + timedelta(days=1),
                                        "venue": "Park", "host_unit": event.host_unit}, by=people.nurse)
    refused = client.post(reverse("families:invitation_add", args=[watford.pk]), {"invite-event": other.pk})
    assert refused.status_code == 400
    assert "withdrawn consent to be contacted" in refused.content.decode()
    assert Invitation.objects.count() == 1
    # The event's invitation list leaves the family out, and a direct post is refused.
    detail = client.get(reverse("families:event_detail", args=[other.pk])).content.decode()
    assert "W-1" not in detail
    client.post(reverse("families:event_invite", args=[other.pk, watford.pk]))
    assert Invitation.objects.count() == 1


def test_event_lists_only_families_with_consent(people: Personas, watford: Case, ipswich: Case,
                                                event: FamilyEvent) -> None:
    services.support_log_update(case=ipswich, values={"consent_given_on": timezone.localdate(),
                                                      "consent_given_by": "Nina"}, expected_version=None,
                                by=people.nurse)
    client = client_for(people.nurse)
    detail = client.get(reverse("families:event_detail", args=[event.pk])).content.decode()
    assert "I-1" in detail and "W-1" not in detail  # W-1 has no consent recorded
    assert client.post(reverse("families:event_invite", args=[event.pk, ipswich.pk])).status_code == 302
    detail = client.get(reverse("families:event_detail", args=[event.pk])).content.decode()
    assert "To send" in detail


# --- Events ----------------------------------------------------------------------------------------------------


def test_family_site_screens_are_for_nurse_specialists_and_administrators(people: Personas) -> None:
    for user in (people.clinician, people.consultant, people.lead):
        assert client_for(user).get(reverse("families:event_list")).status_code == 403
        assert client_for(user).get(reverse("families:feedback_queue")).status_code == 403
    for user in (people.nurse, people.admin_user):
        assert client_for(user).get(reverse("families:manage")).status_code == 200
    assert Client().get(reverse("families:manage")).status_code == 302  # to sign in


def test_event_is_created_with_uk_times(people: Personas) -> None:
    client = client_for(people.nurse)
    unit = Unit.objects.get(ods_code="RGT01")
    response = client.post(reverse("families:event_new"), {
        "title": "Coffee morning", "starts_at": "14/12/2030 10:30", "ends_at": "14/12/2030 12:00",
        "venue": "Rosie Hospital, level 2", "host_unit": unit.pk, "families_attending": "", "staff_attending": "2",
        "notes": "", "published": "on"})
    assert response.status_code == 302
    event = FamilyEvent.objects.get()
    assert timezone.localtime(event.starts_at).strftime("%d/%m/%Y %H:%M") == "14/12/2030 10:30"
    assert event.staff_attending == 2
    refused = client.post(reverse("families:event_new"), {
        "title": "Bad", "starts_at": "14/12/2030 10:30", "ends_at": "14/12/2030 09:00", "venue": "X",
        "host_unit": unit.pk})
    assert "The event must end after it starts" in refused.content.decode()
    assert FamilyEvent.objects.count() == 1


def test_calendar_month_view(people: Personas, event: FamilyEvent) -> None:
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    response = client_for(people.nurse).get(reverse("families:event_calendar"), {"month": month})
    text = response.content.decode()
    assert f'data-calendar="{month}"' in text
    assert "Coffee morning" in text
    assert reverse("families:event_detail", args=[event.pk]) in text
    empty = client_for(people.nurse).get(reverse("families:event_calendar"), {"month": "2001-02"}).content.decode()
    assert "No family events in February 2001" in empty
    # A bad month falls back to the current one rather than failing.
    assert client_for(people.nurse).get(reverse("families:event_calendar"), {"month": "2024-13"}).status_code == 200


# --- Pages --------------------------------------------------------------------------------------------------


def test_page_edit_preview_publish_and_restore(people: Personas) -> None:
    Page.objects.all().delete()
    client = client_for(people.nurse)
    response = client.post(reverse("families:page_new"), {"slug": "mri", "position": "3", "title": "The MRI scan",
                                                          "summary": "", "body": "Version one"})
    page = Page.objects.get(slug="mri")
    assert response["Location"] == reverse("families:page_version", args=[page.pk, 1])
    assert Client().get("/families/mri/").status_code == 404  # not published yet

    preview = client.get(reverse("families:page_version", args=[page.pk, 1])).content.decode()
    assert "Preview of version 1" in preview and "Version one" in preview
    client.post(reverse("families:page_publish", args=[page.pk, 1]))
    assert "Version one" in Client().get("/families/mri/").content.decode()

    client.post(reverse("families:page_edit", args=[page.pk]), {"title": "The MRI scan", "summary": "",
                                                                "body": "Version <b>two</b>", "note": "clearer"})
    assert "Version one" in Client().get("/families/mri/").content.decode()  # draft not yet public
    preview = client.get(reverse("families:page_version", args=[page.pk, 2])).content.decode()
    assert "Version &lt;b&gt;two&lt;/b&gt;" in preview
    client.post(reverse("families:page_publish", args=[page.pk, 2]))
    assert "Version &lt;b&gt;two&lt;/b&gt;" in Client().get("/families/mri/").content.decode()

    history = client.get(reverse("families:page_history", args=[page.pk])).content.decode()
    assert 'data-version="2"' in history and "clearer" in history
    client.post(reverse("families:page_restore", args=[page.pk, 1]))
    assert page.versions.count() == 3
    client.post(reverse("families:page_publish", args=[page.pk, 3]))
    assert "Version one" in Client().get("/families/mri/").content.decode()


def test_page_preview_is_staff_only(people: Personas) -> None:
    page = services.page_create(slug="draft", position=1, title="Draft", summary="", body="Secret draft",
                                by=people.nurse)
    assert Client().get(reverse("families:page_version", args=[page.pk, 1])).status_code == 302
    assert client_for(people.clinician).get(reverse("families:page_version", args=[page.pk, 1])).status_code == 403


# --- Feedback moderation ----------------------------------------------------------------------------------


def test_moderation_queue(people: Personas) -> None:
    item = services.feedback_submit(message="Lovely staff")
    client = client_for(people.nurse)
    assert "Lovely staff" in client.get(reverse("families:feedback_queue")).content.decode()
    assert "Lovely staff" not in Client().get("/families/feedback/").content.decode()
    client.post(reverse("families:feedback_moderate", args=[item.pk]), {"decision": "approve"})
    assert Feedback.objects.get().status == FeedbackStatus.APPROVED
    assert "Lovely staff" in Client().get("/families/feedback/").content.decode()
    client.post(reverse("families:feedback_moderate", args=[item.pk]), {"decision": "reject"})
    assert "Lovely staff" not in Client().get("/families/feedback/").content.decode()


def test_starter_pages_load_once_and_never_overwrite(people: Personas) -> None:
    from django.core.management import call_command

    Page.objects.all().delete()
    call_command("load_family_pages")
    assert Page.objects.count() == 5
    page = Page.objects.get(slug="cooling-treatment")
    services.page_save(page=page, title="Edited", summary="", body="Edited", note="", by=people.nurse)
    call_command("load_family_pages")
    assert Page.objects.count() == 5 and page.versions.count() == 2
    # The starter pages are published at once; an edit stays a draft until a nurse publishes it.
    assert "<h1>Cooling treatment</h1>" in Client().get("/families/cooling-treatment/").content.decode()
