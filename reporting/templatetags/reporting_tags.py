"""Template helpers for board reports: times stored as text in a report's data, and the live/published notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from core.templatetags.localtime import local_datetime
from reporting.access import notice_reports
from reporting.models import BoardReport

register = template.Library()


@register.filter
def iso_local_datetime(value: str | None) -> str:
    """A time kept in a report's data (ISO 8601) as people read it: 14/05/2024 03:10."""
    return local_datetime(datetime.fromisoformat(value)) if value else ""


@register.filter
def split_lines(value: str) -> list[str]:
    """A table cell's lines: the first is the figure or measure, the rest notes under it."""
    return str(value).split("\n")


@register.inclusion_tag("reporting/partials/published_notice.html", takes_context=True)
def published_notice(context: template.Context) -> dict[str, Any]:
    """The newest published area board report the signed-in user may know of (`reporting.access.notice_reports`:
    never another network's), for the dashboards' "live" notice."""
    user = context.get("user") or AnonymousUser()
    latest = (notice_reports(user).filter(status=BoardReport.Status.PUBLISHED, org=None)
              .select_related("published_by").order_by("-published_at").first())
    return {"latest": latest}
