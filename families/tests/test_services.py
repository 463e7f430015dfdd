"""families.services on the real test database: the support log, the booklet KPI field, consent and
invitations, events, page versions and feedback moderation, each with its audit row."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import DomainError, EditConflict
from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from families import services
from families.models import (
    ConsentStatus,
    FamilyEvent,
    FamilySupportLog,
    Feedback,
    FeedbackStatus,
    Invitation,
    InvitationStatus,
    Page,
    PageVersion,
    SupportContact,
)
from kpis.models import KpiAggregate
from kpis.services import compute
from pathway import services as case_services
from pathway.models import Case
from units.models import Unit

TODAY = date(2026, 11, 20)


@pytest.fixture
def case(people: Personas) -> Case:
    return case_services.case_create(values=cooled_case_values(case_ref="FAM-1", family_booklet_given=""),
                                     by=people.nurse)


@pytest.fixture
def event(network: object, people: Personas) -> FamilyEvent:
    starts = timezone.now() + timedelta(days=10)
    return services.event_save(values={"title": "Coffee morning", "starts_at": starts, "venue": "Rosie Hospital",
                                       "host_unit": Unit.objects.get(ods_code="RGT01")}, by=people.nurse)


def _consent(case: Case, by: User, on: date = TODAY) -> FamilySupportLog:
    return services.support_log_update(case=case, values={"consent_given_on": on, "consent_given_by": "Nina"},
                                       expected_version=None, by=by)


def _log_audits(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=services.LOG_OBJECT, object_id=str(case.pk)))


# --- The booklet: the log is the source of truth for the case field ------------------------------------------


def test_recording_the_booklet_sets_the_case_field_through_case_update(case: Case, people: Personas) -> None:
    before = case.version
    services.support_log_update(case=case, values={"booklet_given_on": TODAY, "booklet_given_by": "Nina Nurse"},
                                expected_version=1, by=people.nurse)
    case.refresh_from_db()
    assert case.family_booklet_given == "yes"
    assert case.version == before + 1  # a real case write: version, audit, KPI signal
    change = AuditEvent.objects.filter(object_type=case_services.OBJECT_TYPE, object_id=str(case.pk)).first()
    assert change is not None and change.changes == {"family_booklet_given": ["", "yes"]}
    assert change.actor == people.nurse


def test_removing_the_booklet_sets_the_case_field_back_to_not_recorded(case: Case, people: Personas) -> None:
    log = services.support_log_update(case=case, values={"booklet_given_on": TODAY, "booklet_given_by": "Nina"},
                                      expected_version=None, by=people.nurse)
    services.support_log_update(case=case, values={"booklet_given_on": None, "booklet_given_by": ""},
                                expected_version=log.version, by=people.nurse)
    case.refresh_from_db()
    assert case.family_booklet_given == ""


def test_other_log_changes_leave_the_case_alone(case: Case, people: Personas) -> None:
    Case.objects.filter(pk=case.pk).update(family_booklet_given="no")  # e.g. imported before the log existed
    _consent(case, people.nurse)
    case.refresh_from_db()
    assert case.family_booklet_given == "no" and case.version == 1


def test_a_case_that_fails_its_own_rules_refuses_the_booklet_and_nothing_is_written(
        case: Case, people: Personas) -> None:
    # Make the stored case break a hard rule (cooled without a cooling centre) behind the services' back.
    Case.objects.filter(pk=case.pk).update(cooling_centre=None)
    with pytest.raises(ValidationError) as refused:
        services.support_log_update(case=case, values={"booklet_given_on": TODAY, "booklet_given_by": "Nina"},
                                    expected_version=None, by=people.nurse)
    assert "cooling_centre" in refused.value.message_dict
    assert not FamilySupportLog.objects.filter(case=case).exists()
    assert _log_audits(case) == []


def test_booklet_log_reaches_the_kpi_numerator(people: Personas) -> None:
    """End to end: log → case field → kpis.services.compute → KpiAggregate family_booklet_given."""
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=timezone.get_current_timezone())
    given = case_services.case_create(values=cooled_case_values(case_ref="KPI-1", birth=birth,
                                                                family_booklet_given=""), by=people.nurse)
    case_services.case_create(values=cooled_case_values(case_ref="KPI-2", birth=birth + timedelta(days=1),
                                                        family_booklet_given=""), by=people.nurse)
    compute(periods=["2024"], as_of=date(2025, 1, 15))
    row = KpiAggregate.objects.get(kpi="family_booklet_given", level="network", period_key="2024")
    assert (row.numerator, row.denominator, row.missing) == (0, 0, 2)

    services.support_log_update(case=given, values={"booklet_given_on": date(2024, 5, 20),
                                                    "booklet_given_by": "Nina"}, expected_version=None,
                                by=people.nurse)
    compute(periods=["2024"], as_of=date(2025, 1, 15))
    row = KpiAggregate.objects.get(kpi="family_booklet_given", level="network", period_key="2024")
    assert (row.numerator, row.denominator, row.missing) == (1, 1, 1)
    unit_row = KpiAggregate.objects.get(kpi="family_booklet_given", level="birth_unit", org_code="RWG02",
                                        period_key="2024")
    assert unit_row.numerator == 1


# --- The log's own rules -------------------------------------------------------------------------------------


def test_a_date_needs_who_and_cannot_be_in_the_future(case: Case, people: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.support_log_update(case=case, values={"booklet_given_on": TODAY, "website_given_on":
                                                       timezone.localdate() + timedelta(days=1)},
                                    expected_version=None, by=people.nurse)
    errors = refused.value.message_dict
    assert errors["booklet_given_by"] == ["Say who: booklet given by is required with the date"]
    assert errors["website_given_on"] == ["Website details given cannot be in the future"]
    assert not FamilySupportLog.objects.filter(case=case).exists()


def test_withdrawal_needs_consent_first_and_not_before_it(case: Case, people: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.support_log_update(case=case, values={"consent_withdrawn_on": TODAY,
                                                       "consent_withdrawn_by": "Nina"}, expected_version=None,
                                    by=people.nurse)
    assert refused.value.message_dict["consent_withdrawn_on"] == [
        "Consent can only be withdrawn once it has been given"]
    _consent(case, people.nurse)
    with pytest.raises(ValidationError) as refused:
        services.support_log_update(case=case, values={"consent_withdrawn_on": TODAY - timedelta(days=3),
                                                       "consent_withdrawn_by": "Nina"}, expected_version=None,
                                    by=people.nurse)
    assert refused.value.message_dict["consent_withdrawn_on"] == [
        "Consent cannot be withdrawn before the date it was given"]


def test_a_stale_save_is_refused(case: Case, people: Personas) -> None:
    log = _consent(case, people.nurse)
    with pytest.raises(EditConflict):
        services.support_log_update(case=case, values={"website_given_on": TODAY, "website_given_by": "Cora"},
                                    expected_version=log.version - 1, by=people.consultant)
    log.refresh_from_db()
    assert log.website_given_on is None


def test_changes_are_audited_old_to_new(case: Case, people: Personas) -> None:
    _consent(case, people.nurse)
    audit = _log_audits(case)[0]
    assert audit.actor == people.nurse
    assert audit.changes == {"consent_given_on": ["", "20/11/2026"], "consent_given_by": ["", "Nina"]}


def test_entered_in_error_case_log_cannot_change(case: Case, people: Personas) -> None:
    case_services.case_mark_entered_in_error(case=case, reason="duplicate", expected_version=None, by=people.nurse)
    case.refresh_from_db()
    with pytest.raises(DomainError):
        _consent(case, people.nurse)


def test_contact_add(case: Case, people: Personas) -> None:
    contact = services.contact_add(case=case, contacted_on=TODAY, by_name="Nina Nurse", mode="phone",
                                   note="Talked about the MRI", by=people.nurse)
    assert SupportContact.objects.get() == contact
    assert _log_audits(case)[0].summary == "Nurse specialist contact: 20/11/2026 Telephone by Nina Nurse"
    with pytest.raises(ValidationError) as refused:
        services.contact_add(case=case, contacted_on=TODAY, by_name="Nina", mode="carrier pigeon", by=people.nurse)
    assert "mode" in refused.value.message_dict
    assert SupportContact.objects.count() == 1


# --- Consent and invitations ----------------------------------------------------------------------------------


def test_no_invitation_without_consent(case: Case, event: FamilyEvent, people: Personas) -> None:
    with pytest.raises(DomainError, match="has not given consent"):
        services.invitation_record(case=case, event=event, by=people.nurse)
    assert not Invitation.objects.exists()


def test_invitation_with_consent(case: Case, event: FamilyEvent, people: Personas) -> None:
    _consent(case, people.nurse)
    invitation = services.invitation_record(case=case, event=event, by=people.nurse)
    assert invitation.status == InvitationStatus.PLANNED
    with pytest.raises(DomainError, match="already invited"):
        services.invitation_record(case=case, event=event, by=people.nurse)
    services.invitation_set_status(invitation=invitation, status=InvitationStatus.SENT, by=people.nurse)
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_withdrawal_is_honoured_from_that_moment(case: Case, event: FamilyEvent, people: Personas) -> None:
    log = _consent(case, people.nurse, on=TODAY - timedelta(days=30))
    planned = services.invitation_record(case=case, event=event, by=people.nurse)
    later = services.event_save(values={"title": "Family day", "starts_at": event.starts_at + timedelta(days=30),
                                        "venue": "Hall", "host_unit": event.host_unit}, by=people.nurse)
    sent = services.invitation_record(case=case, event=later, by=people.nurse)
    services.invitation_set_status(invitation=sent, status=InvitationStatus.SENT, by=people.nurse)

    log = services.support_log_update(case=case, values={"consent_withdrawn_on": TODAY,
                                                         "consent_withdrawn_by": "Nina"},
                                      expected_version=log.version, by=people.nurse)
    assert log.consent_status == ConsentStatus.WITHDRAWN
    planned.refresh_from_db()
    sent.refresh_from_db()
    assert planned.status == InvitationStatus.CANCELLED  # not yet sent: never will be
    assert sent.status == InvitationStatus.SENT  # history is kept as it happened
    third = services.event_save(values={"title": "Picnic", "starts_at": event.starts_at + timedelta(days=60),
                                        "venue": "Park", "host_unit": event.host_unit}, by=people.nurse)
    with pytest.raises(DomainError, match="withdrawn consent"):
        services.invitation_record(case=case, event=third, by=people.nurse)
    with pytest.raises(DomainError, match="withdrawn consent"):
        services.invitation_set_status(invitation=planned, status=InvitationStatus.SENT, by=people.nurse)
    assert any("cancelled: consent withdrawn" in a.summary for a in _log_audits(case))


def test_attendance_only_after_the_event_and_invitations_only_before(case: Case, event: FamilyEvent,
                                                                     people: Personas) -> None:
    _consent(case, people.nurse)
    invitation = services.invitation_record(case=case, event=event, by=people.nurse)
    with pytest.raises(DomainError, match="has not happened yet"):
        services.invitation_set_status(invitation=invitation, status=InvitationStatus.ATTENDED, by=people.nurse)
    FamilyEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    services.invitation_set_status(invitation=invitation, status=InvitationStatus.ATTENDED, by=people.nurse)
    assert Invitation.objects.get().status == InvitationStatus.ATTENDED
    event.refresh_from_db()
    other = case_services.case_create(values=cooled_case_values(case_ref="FAM-2"), by=people.nurse)
    _consent(other, people.nurse)
    with pytest.raises(DomainError, match="already taken place"):
        services.invitation_record(case=other, event=event, by=people.nurse)


def test_event_must_end_after_it_starts_and_changes_are_audited(event: FamilyEvent, people: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.event_save(event=event, values={"ends_at": event.starts_at - timedelta(hours=1)}, by=people.nurse)
    assert refused.value.message_dict["ends_at"] == ["The event must end after it starts"]
    services.event_save(event=event, values={"families_attending": 7, "staff_attending": 3}, by=people.nurse)
    change = AuditEvent.objects.filter(object_type=services.EVENT_OBJECT).first()
    assert change is not None and change.changes == {"families_attending": ["", "7"], "staff_attending": ["", "3"]}


# --- Pages ---------------------------------------------------------------------------------------------------


def test_every_save_is_a_new_version_and_publishing_is_separate(people: Personas) -> None:
    Page.objects.all().delete()
    page = services.page_create(slug="test-page", position=1, title="First", summary="", body="One",
                                by=people.nurse)
    assert page.published_version is None
    second = services.page_save(page=page, title="Second", summary="", body="Two", note="typo", by=people.nurse)
    assert [v.number for v in page.versions.order_by("number")] == [1, 2]
    assert not PageVersion.objects.published().exists()
    services.page_publish(version=second, by=people.nurse)
    assert list(PageVersion.objects.published()) == [second]

    restored = services.page_restore(version=page.versions.get(number=1), by=people.nurse)
    assert (restored.number, restored.title, restored.body) == (3, "First", "One")
    assert restored.note == "Restored from version 1"
    assert list(PageVersion.objects.published()) == [second]  # restoring makes a draft, it does not publish
    summaries = list(AuditEvent.objects.filter(object_type=services.PAGE_OBJECT).values_list("summary", flat=True))
    assert "Published test-page version 2" in summaries


def test_page_address_rules(people: Personas) -> None:
    for slug in ("manage", "Bad Slug"):
        with pytest.raises(ValidationError) as refused:
            services.page_create(slug=slug, position=1, title="T", summary="", body="B", by=people.nurse)
        assert "slug" in refused.value.message_dict
    assert not Page.objects.filter(slug="manage").exists()


# --- Feedback ----------------------------------------------------------------------------------------------


def test_feedback_is_pending_until_moderated(people: Personas) -> None:
    item = services.feedback_submit(message="  The coffee morning helped us a lot.  ")
    assert (item.status, item.message) == (FeedbackStatus.PENDING, "The coffee morning helped us a lot.")
    services.feedback_moderate(feedback=item, approve=True, by=people.nurse)
    item.refresh_from_db()
    assert item.status == FeedbackStatus.APPROVED and item.moderated_by == people.nurse
    assert AuditEvent.objects.filter(object_type=services.FEEDBACK_OBJECT, actor=people.nurse).count() == 1
    with pytest.raises(ValidationError):
        services.feedback_submit(message="   ")
    assert Feedback.objects.count() == 1
