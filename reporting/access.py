"""Which board reports a user reads and which they change (issue 18: several networks in one deployment).

A report is for an organisation (its level and code: a region, network, ICB, LMNS, trust, or one unit). A user
changes (edits, publishes, corrects) a report exactly when they could make one for that organisation: the
report form's rule, `reporting.scope.reportable_units` and `areas_within` (every unit of the organisation is in
a network where a role of the user grants `Action.REPORT`). They read those reports, and a regional lead
(`units.access.REGIONAL_ROLES`) also reads, never changes, every report whose organisation lies within its
region's networks. Anyone else's report is a 404 at every door, as if it did not exist.

Each answer is one filter built from a fixed number of queries (the user's units, one per area level), so a
report list costs the same however many reports it shows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from reporting.models import BoardReport
from reporting.scope import UNIT_LEVELS, areas_within, reportable_units
from units.access import (
    REGIONAL_ROLES,
    Action,
    UserLike,
    every_network,
    home_network_ids,
    may,
    network_ids_for,
    user_roles,
)
from units.models import Network, Unit


def _is_regional(user: UserLike) -> bool:
    return bool(user_roles(user) & REGIONAL_ROLES)


def may_read_reports(user: UserLike) -> bool:
    """Whether the report pages open at all (a 403 otherwise): those who report, and regional leads."""
    return may(user, Action.REPORT) or _is_regional(user)


def _within(units: set[str]) -> Q:
    """Reports whose organisation's units (today, `reporting.scope.areas_within`) are all among `units`."""
    unit_ids = list(Unit.objects.filter(ods_code__in=units).values_list("pk", flat=True))
    condition = Q(level__in=UNIT_LEVELS, org_id__in=unit_ids)
    for level, areas in areas_within(units, timezone.localdate()).items():
        if areas:
            condition |= Q(level=level, area_code__in=[code for code, _name in areas])
    return condition


def _unfiltered(user: UserLike, network_ids: frozenset[int]) -> bool:
    """A superuser, or a user whose networks are every network of the deployment: no filter (one network
    deployments keep their queries as they were)."""
    return bool(getattr(user, "is_superuser", False)) or every_network(user, network_ids)


def reports_changeable_by(user: UserLike) -> QuerySet[BoardReport]:
    """Reports the user may edit, publish, correct: those for an organisation the user could report on."""
    reports = BoardReport.objects.all()
    if not user.is_authenticated:
        return reports.none()
    if _unfiltered(user, network_ids_for(user, Action.REPORT)):
        return reports
    units = reportable_units(user)
    return reports.filter(_within(units)) if units else reports.none()


def readable_network_ids(user: UserLike) -> frozenset[int]:
    """The networks whose board reports and export log the user reads: those where they report (network leads,
    administrators), and a regional lead's whole region (read only)."""
    ids = network_ids_for(user, Action.REPORT)
    return ids | home_network_ids(user) if _is_regional(user) else ids


def reports_readable_by(user: UserLike) -> QuerySet[BoardReport]:
    """Reports the user may list, open and download: the ones they may change, and for a regional lead every
    report for an organisation within its region's networks (read only)."""
    if not _is_regional(user):
        return reports_changeable_by(user)
    network_ids = readable_network_ids(user)
    reports = BoardReport.objects.all()
    if _unfiltered(user, network_ids):
        return reports
    # Every unit of those networks: it holds the units the user reports on (`reportable_units`) too.
    return reports.filter(_within(set(Unit.objects.filter(network_id__in=network_ids)
                                      .values_list("ods_code", flat=True))))


def notice_reports(user: UserLike) -> QuerySet[BoardReport]:
    """Reports a dashboard may name to the user: the network reports of the networks they work in (a regional
    lead: its region's), never another network's. One query with the memberships already read: the notice is on
    every dashboard view, so it does not work out every report the user could open (`reports_readable_by`
    loads the organisation tree: ten queries on each overview)."""
    codes = Network.objects.filter(pk__in=home_network_ids(user)).values("code")
    return BoardReport.objects.filter(level="network", area_code__in=codes)
