"""Every write of the families app: support log, contacts, events, invitations, pages and feedback.

Each service is one transaction that validates, saves and writes its audit row (core.audit.record).
Views check who may act (pathway.access for a case, Action.FAMILY_SITE for the website and events);
services enforce the domain rules that hold for everyone:

- the support log is the source of truth for the case's `family_booklet_given` (kpis.md): recording the
  booklet sets the case field to `yes` through `pathway.services.case_update`, removing it sets it back to
  empty (not recorded: the KPI counts it as missing, never as a failure it cannot know about);
- withdrawal of consent to contact is honoured from that moment: invitations not yet sent are cancelled,
  and no invitation can be recorded or sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.exceptions import DomainError, EditConflict, EnteredInError
from core.models import AuditEvent
from families.models import (
    ContactMode,
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
from pathway import choices as pathway_choices
from pathway import services as case_services
from pathway.models import Case
from units.access import UserLike
from units.models import Network

LOG_OBJECT = "families.supportlog"  # object_id = the case's pk, so the log's history is the case's
EVENT_OBJECT = "families.event"
PAGE_OBJECT = "families.page"
FEEDBACK_OBJECT = "families.feedback"

LOG_FIELDS = ("booklet_given_on", "booklet_given_by", "website_given_on", "website_given_by",
              "consent_given_on", "consent_given_by", "consent_withdrawn_on", "consent_withdrawn_by")
EVENT_FIELDS = ("title", "starts_at", "ends_at", "venue", "host_unit", "families_attending", "staff_attending",
                "notes", "published")
CONSENT_WITHDRAWN = "The family has withdrawn consent to be contacted: no invitation can be recorded or sent"
NO_CONSENT = "The family has not given consent to be contacted: record their consent before inviting them"


def _writable(case: Case) -> None:
    """The case's row is locked and read again: one marked entered in error meanwhile refuses the write too."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.entered_in_error:
        raise EnteredInError(f"{case.case_ref} is marked as entered in error: its family support log cannot change")


def support_log_for(case: Case) -> FamilySupportLog | None:
    return FamilySupportLog.objects.filter(case=case).first()


def _locked_log(case: Case) -> FamilySupportLog:
    log, _ = FamilySupportLog.objects.get_or_create(case=case)
    return FamilySupportLog.objects.select_for_update().get(pk=log.pk)


# --- The support log -----------------------------------------------------------------------------------------


def _sync_booklet(case: Case, log: FamilySupportLog, by: UserLike) -> None:
    """Make the case's `family_booklet_given` say what the log says (the KPI engine and export read the case)."""
    wanted = pathway_choices.YesNoUnknown.YES if log.booklet_given_on else ""
    current = Case.objects.get(pk=case.pk)
    case_services.case_update(case=current, values={"family_booklet_given": wanted},
                              expected_version=current.version, by=by)


def _cancel_unsent(log: FamilySupportLog, by: UserLike) -> int:
    unsent = list(log.invitations.filter(status=InvitationStatus.PLANNED).select_related("event"))
    for invitation in unsent:
        invitation.status = InvitationStatus.CANCELLED
        invitation.save(update_fields=["status", "updated_at"])
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=LOG_OBJECT, object_id=log.case_id,
                     summary=f"Invitation to {invitation.event} cancelled: consent withdrawn",
                     changes=audit.changes({"invitation": InvitationStatus.PLANNED.label},
                                           {"invitation": InvitationStatus.CANCELLED.label}))
    return len(unsent)


@transaction.atomic
def support_log_update(*, case: Case, values: Mapping[str, Any], expected_version: int | None,
                       by: UserLike) -> FamilySupportLog:
    """Change the log's dates and names; refuse a stale save (EditConflict) or an invalid one (ValidationError)."""
    _writable(case)
    unknown = set(values) - set(LOG_FIELDS)
    if unknown:
        raise ValueError(f"Not support log fields: {sorted(unknown)}")
    log = _locked_log(case)
    if expected_version is not None and log.version != expected_version:
        raise EditConflict(f"The family support log of {case.case_ref} was changed by someone else after you "
                           "opened it. Nothing was saved: reload the page and enter your change again.")
    before = {name: getattr(log, name) for name in LOG_FIELDS}
    for name, value in values.items():
        setattr(log, name, value.strip() if isinstance(value, str) else value)
    log.full_clean(exclude=["case", "version"])
    changes = audit.changes(before, {name: getattr(log, name) for name in LOG_FIELDS})
    if not changes:
        return log
    log.version += 1
    log.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=LOG_OBJECT, object_id=case.pk,
                 summary=f"Family support: changed {audit.field_names(FamilySupportLog, changes)}", changes=changes)
    if "booklet_given_on" in changes:
        _sync_booklet(case, log, by)
    if "consent_withdrawn_on" in changes and log.consent_withdrawn_on:
        _cancel_unsent(log, by)
    return log


@transaction.atomic
def contact_add(*, case: Case, contacted_on: date, by_name: str, mode: str, note: str = "",
                by: UserLike) -> SupportContact:
    _writable(case)
    log = _locked_log(case)
    contact = SupportContact(log=log, contacted_on=contacted_on, by_name=by_name.strip(), mode=mode,
                             note=note.strip())
    contact.full_clean(exclude=["log"])
    contact.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=LOG_OBJECT, object_id=case.pk,
                 summary=f"Nurse specialist contact: {contact}",
                 changes=audit.changes({}, {"contact": f"{contact} ({ContactMode(mode).label})"}))
    return contact


# --- Events and invitations ------------------------------------------------------------------------------


@transaction.atomic
def event_save(*, values: Mapping[str, Any], by: UserLike, event: FamilyEvent | None = None) -> FamilyEvent:
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"Not event fields: {sorted(unknown)}")
    creating = event is None
    target = FamilyEvent() if event is None else FamilyEvent.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(target, name, None) if not creating else None for name in EVENT_FIELDS}
    for name, value in values.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    changes = audit.changes(before, {name: getattr(target, name) for name in EVENT_FIELDS})
    if changes:
        audit.record(actor=by, action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
                     object_type=EVENT_OBJECT, object_id=target.pk,
                     summary=f"{'Created' if creating else 'Changed'} family event {target}", changes=changes)
    return target


@transaction.atomic
def invitation_record(*, case: Case, event: FamilyEvent, by: UserLike) -> Invitation:
    """Invite the family of a case to an event: only with consent to contact, only before the event."""
    _writable(case)
    log = _locked_log(case)
    if log.consent_withdrawn_on:
        raise DomainError(CONSENT_WITHDRAWN)
    if not log.may_invite:
        raise DomainError(NO_CONSENT)
    if event.has_started:
        raise DomainError(f"{event} has already taken place: invitations are for events still to come")
    if Invitation.objects.filter(event=event, log=log).exists():
        raise DomainError(f"The family of {case.case_ref} is already invited to {event}")
    invitation = Invitation.objects.create(event=event, log=log)
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=LOG_OBJECT, object_id=case.pk,
                 summary=f"Invited to {event}", changes=audit.changes({}, {"invitation": event}))
    return invitation


# Which statuses need consent (contact) and which need the event to have happened (attendance).
_CONTACT_STATUSES = frozenset({InvitationStatus.PLANNED, InvitationStatus.SENT})
_ATTENDANCE_STATUSES = frozenset({InvitationStatus.ATTENDED, InvitationStatus.NOT_ATTENDED})


@transaction.atomic
def invitation_set_status(*, invitation: Invitation, status: str, by: UserLike) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("event", "log__case").get(pk=invitation.pk)
    _writable(locked.log.case)
    if status not in InvitationStatus.values:
        raise ValidationError({"status": f"'{status}' is not an invitation status"})
    if status in _CONTACT_STATUSES and not locked.log.may_invite:
        raise DomainError(CONSENT_WITHDRAWN if locked.log.consent_withdrawn_on else NO_CONSENT)
    if status in _ATTENDANCE_STATUSES and not locked.event.has_started:
        raise DomainError(f"{locked.event} has not happened yet: attendance is recorded after the event")
    old = locked.get_status_display()
    if locked.status == status:
        return locked
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=LOG_OBJECT, object_id=locked.log.case_id,
                 summary=f"Invitation to {locked.event}: {locked.get_status_display()}",
                 changes=audit.changes({"invitation": old}, {"invitation": locked.get_status_display()}))
    return locked


# --- Website pages ---------------------------------------------------------------------------------------


def _new_version(page: Page, *, title: str, summary: str, body: str, note: str, by: UserLike) -> PageVersion:
    latest = page.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PageVersion(page=page, number=latest + 1, title=title.strip(), summary=summary.strip(), body=body,
                          note=note.strip()[:200], created_by=by if by.is_authenticated else None)
    version.full_clean(exclude=["page", "created_by"])
    version.save()
    return version


@transaction.atomic
def page_create(*, slug: str, position: int, title: str, summary: str, body: str, by: UserLike,
                publish: bool = False, network: Network | None = None) -> Page:
    """A new page of a network's website (`network`, else the deployment's first: issue 18)."""
    page = Page(slug=slug.strip(), position=position)
    if network is not None:
        page.network = network
    if Page.objects.filter(Q(network_id=page.network_id), slug=page.slug).exists():
        raise ValidationError({"slug": "Another page of this website already has this web address"})
    page.full_clean(exclude=["published_version"])
    page.save()
    version = _new_version(page, title=title, summary=summary, body=body, note="First version", by=by)
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=PAGE_OBJECT, object_id=page.pk,
                 summary=f"Created page {page.slug} (version 1)")
    if publish:
        page_publish(version=version, by=by)
        page.refresh_from_db()
    return page


@transaction.atomic
def page_save(*, page: Page, title: str, summary: str, body: str, note: str, by: UserLike) -> PageVersion:
    """Every save is a new draft version; the public keeps seeing the published one until it is published."""
    Page.objects.select_for_update().get(pk=page.pk)
    version = _new_version(page, title=title, summary=summary, body=body, note=note, by=by)
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=PAGE_OBJECT, object_id=page.pk,
                 summary=f"Saved {page.slug} version {version.number} (draft)")
    return version


@transaction.atomic
def page_publish(*, version: PageVersion, by: UserLike) -> Page:
    page = Page.objects.select_for_update().get(pk=version.page_id)
    old = page.published_version.number if page.published_version else None
    page.published_version = version
    page.save(update_fields=["published_version"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=PAGE_OBJECT, object_id=page.pk,
                 summary=f"Published {page.slug} version {version.number}",
                 changes=audit.changes({"published_version": old}, {"published_version": version.number}))
    return page


@transaction.atomic
def page_restore(*, version: PageVersion, by: UserLike) -> PageVersion:
    """Bring back an old text as a new draft version (history is never rewritten)."""
    return page_save(page=version.page, title=version.title, summary=version.summary, body=version.body,
                     note=f"Restored from version {version.number}", by=by)


# --- Feedback ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(*, message: str, network: Network | None = None) -> Feedback:
    """Feedback sent from a network's website (`network`, else the deployment's first: issue 18)."""
    feedback = Feedback(message=message.strip())
    if network is not None:
        feedback.network = network
    feedback.full_clean(exclude=["moderated_by"])
    feedback.save()
    audit.record(actor=None, action=AuditEvent.Action.CREATE, object_type=FEEDBACK_OBJECT, object_id=feedback.pk,
                 summary="Feedback received from the family website (waiting for moderation)")
    return feedback


@transaction.atomic
def feedback_moderate(*, feedback: Feedback, approve: bool, by: UserLike) -> Feedback:
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    old = locked.get_status_display()
    locked.status = FeedbackStatus.APPROVED if approve else FeedbackStatus.REJECTED
    locked.moderated_at = timezone.now()
    locked.moderated_by = by if by.is_authenticated else None
    locked.save(update_fields=["status", "moderated_at", "moderated_by"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=FEEDBACK_OBJECT, object_id=locked.pk,
                 summary=f"Feedback {locked.get_status_display().lower()}",
                 changes=audit.changes({"status": old}, {"status": locked.get_status_display()}))
    return locked


def log_history(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=LOG_OBJECT, object_id=str(case.pk)).select_related("actor"))
