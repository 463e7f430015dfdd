"""Read models of the families app.

The public site gets plain frozen dataclasses built from Page/PageVersion, FamilyEvent (with its host
unit's name) and approved Feedback only, never a model instance: a template cannot follow a relation
from what it is given to an invitation, a support log or a case. Staff lists compose cases with their logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils.safestring import SafeString

from families.models import (
    FamilyEvent,
    FamilyEventQuerySet,
    Feedback,
    FeedbackStatus,
    Invitation,
    InvitationStatus,
    Page,
    PageVersion,
)
from families.text import render_text
from pathway.models import Case, CaseQuerySet
from units.access import Action, UserLike, home_network_ids, network_ids_for, units_for
from units.models import Network, default_network_id

# --- Whose website (issue 18) ----------------------------------------------------------------------------------

# "The deployment's first network": the site at /families/ without a network code, as before issue 18.
DEFAULT = -1


def site_network(code: str | None) -> Network | None:
    """The network whose family website an address shows: its code in the address (any case), else the
    deployment's first network (None only before any network exists). An unknown code is None too: the
    view answers 404."""
    networks = Network.objects.order_by("pk")
    return networks.filter(code__iexact=code).first() if code else networks.first()


def _network_id(network_id: int | None) -> int | None:
    return default_network_id() if network_id == DEFAULT else network_id

# --- Public (no patient data can be reached from these) ------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    slug: str
    title: str
    summary: str
    body_html: SafeString


@dataclass(frozen=True)
class PublicEvent:
    title: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    host_unit: str


@dataclass(frozen=True)
class PublicFeedback:
    received_on: date
    message: str


def public_page(version: PageVersion) -> PublicPage:
    return PublicPage(version.page.slug, version.title, version.summary, render_text(version.body))


def published_pages(network_id: int | None = DEFAULT) -> list[PublicPage]:
    """The network's website's published pages (default: the deployment's first network's)."""
    versions = PageVersion.objects.published().filter(Q(page__network_id=_network_id(network_id)))
    return [public_page(version) for version in versions]


def published_page(slug: str, network_id: int | None = DEFAULT) -> PublicPage | None:
    version = (PageVersion.objects.published().filter(Q(page__network_id=_network_id(network_id)), page__slug=slug)
               .first())
    return public_page(version) if version else None


def upcoming_events(limit: int | None = None, network_id: int | None = DEFAULT) -> list[PublicEvent]:
    """Published events hosted by a unit of the network (a unit belongs to one network)."""
    events = (FamilyEvent.objects.upcoming().filter(Q(host_unit__network_id=_network_id(network_id)), published=True)
              .select_related("host_unit").only("title", "starts_at", "ends_at", "venue", "host_unit__name"))
    if limit is not None:
        events = events[:limit]
    return [PublicEvent(e.title, e.starts_at, e.ends_at, e.venue, e.host_unit.name) for e in events]


def approved_feedback(limit: int = 20, network_id: int | None = DEFAULT) -> list[PublicFeedback]:
    """Approved feedback sent to this network's website: another network's families' words never show."""
    rows = (Feedback.objects.filter(Q(network_id=_network_id(network_id)), status=FeedbackStatus.APPROVED)
            .only("received_at", "message")[:limit])
    return [PublicFeedback(row.received_at.date(), row.message) for row in rows]


# --- Staff ---------------------------------------------------------------------------------------------------


def site_network_ids(user: UserLike) -> frozenset[int]:
    """The networks whose family website the user runs (pages, feedback): nurse specialists and
    administrators of those networks (`Action.FAMILY_SITE` is network-wide only)."""
    return network_ids_for(user, Action.FAMILY_SITE)


def pages_for(user: UserLike) -> QuerySet[Page]:
    """The website pages the user edits: those of their networks' websites."""
    return Page.objects.filter(network_id__in=site_network_ids(user))


def feedback_for(user: UserLike) -> QuerySet[Feedback]:
    """The feedback the user moderates: what families sent to their networks' websites."""
    return Feedback.objects.filter(network_id__in=site_network_ids(user))


def site_networks(user: UserLike) -> list[Network]:
    return list(Network.objects.filter(pk__in=site_network_ids(user)).order_by("name"))



def invitable_cases(cases: CaseQuerySet, event: FamilyEvent) -> CaseQuerySet:
    """Cases whose family may be invited to the event: consent given and not withdrawn, not yet invited."""
    return (cases.current()
            .filter(family_log__consent_given_on__isnull=False, family_log__consent_withdrawn_on__isnull=True)
            .exclude(family_log__invitations__event=event)
            .select_related("birth_unit").order_by("case_ref"))


def events_for(user: UserLike) -> FamilyEventQuerySet:
    """The events a family-site user manages: those hosted by a unit of their network(s) (issue 18)."""
    return FamilyEvent.objects.filter(host_unit__in=units_for(user, Action.FAMILY_SITE).values("pk"))


def invitable_events(user: UserLike) -> FamilyEventQuerySet:
    """Upcoming events a case's family may be invited to: those of the networks the user works in."""
    return FamilyEvent.objects.upcoming().filter(host_unit__network_id__in=home_network_ids(user))


def events_with_counts(events: list[FamilyEvent] | None = None) -> list[FamilyEvent]:
    """Events with `invited` and `attended` counts of invitations (one query)."""
    queryset = FamilyEvent.objects.select_related("host_unit").annotate(
        invited=Count("invitations", filter=~Q(invitations__status=InvitationStatus.CANCELLED)),
        attended=Count("invitations", filter=Q(invitations__status=InvitationStatus.ATTENDED)),
    )
    if events is not None:
        queryset = queryset.filter(pk__in=[e.pk for e in events])
    return list(queryset)


def cases_invited(cases: CaseQuerySet, event: FamilyEvent) -> list[tuple[Case, Invitation]]:
    """(case, invitation) for the invitations to the event that the user may see."""
    invitations = (event.invitations.filter(log__case__in=cases).select_related("log__case")
                   .order_by("log__case__case_ref"))
    return [(inv.log.case, inv) for inv in invitations]
