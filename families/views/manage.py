"""Staff screens for the family service: events (list, calendar, invitations), website pages (versions,
preview, publish, restore) and the feedback moderation queue. Only roles granted Action.FAMILY_SITE.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from families import selectors, services
from families.forms import EventForm, NewPageForm, PageForm
from families.models import FamilyEvent, FeedbackStatus, PageVersion
from pathway.access import cases_for, get_case_for_user
from pathway.forms import add_service_errors
from units.access import Action, may, units_for

View = Callable[..., HttpResponse]


def family_site_staff(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request.user, Action.FAMILY_SITE):
            raise PermissionDenied("Your role does not include running the family service")
        return view(request, *args, **kwargs)
    return wrapped


@family_site_staff
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "families/manage/dashboard.html", {
        "pending": selectors.feedback_for(request.user).filter(status=FeedbackStatus.PENDING).count(),
        "events": selectors.events_with_counts(list(selectors.events_for(request.user).upcoming()[:5])),
        "pages": selectors.pages_for(request.user).select_related("published_version"),
    })


# --- Events -----------------------------------------------------------------------------------------------


@family_site_staff
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = sorted(selectors.events_with_counts(list(selectors.events_for(request.user))), key=lambda e: e.starts_at)
    now = timezone.now()
    return render(request, "families/manage/event_list.html", {
        "upcoming": [e for e in events if e.starts_at >= now],
        "past": [e for e in reversed(events) if e.starts_at < now],
    })


def _month(text: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@family_site_staff
@require_GET
def event_calendar(request: HttpRequest) -> HttpResponse:
    first = _month(request.GET.get("month"))
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    by_day: dict[date, list[FamilyEvent]] = {}
    for event in selectors.events_for(request.user).in_month(first, following).select_related("host_unit"):
        by_day.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    weeks = [[(day, by_day.get(day, [])) for day in week]
             for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]
    return render(request, "families/manage/event_calendar.html", {
        "first": first, "previous": previous, "following": following, "weeks": weeks,
        "day_names": list(calendar.day_name), "listed": sorted(by_day.items()),
    })


@family_site_staff
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    event = get_object_or_404(selectors.events_for(request.user), pk=pk) if pk else None
    form = EventForm(request.POST if request.method == "POST" else None, instance=event,
                     units=units_for(request.user, Action.FAMILY_SITE))
    if form.is_bound and form.is_valid():
        try:
            saved = services.event_save(event=event, values=form.values(), by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{saved} saved")
            return redirect("families:event_detail", pk=saved.pk)
    return render(request, "families/manage/event_form.html", {"form": form, "event": event})


@family_site_staff
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(selectors.events_for(request.user).select_related("host_unit"), pk=pk)
    return render(request, "families/manage/event_detail.html", {
        "event": event,
        "invited": selectors.cases_invited(cases_for(request.user, Action.VIEW), event),
        "invitable": selectors.invitable_cases(cases_for(request.user, Action.EDIT), event)[:200],
    })


@family_site_staff
@require_POST
def event_invite(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    event = get_object_or_404(selectors.events_for(request.user), pk=pk)
    case = get_case_for_user(request.user, case_pk, Action.EDIT)
    try:
        services.invitation_record(case=case, event=event, by=request.user)
    except DomainError as exc:
        messages.error(request, f"{case.case_ref}: {exc}")
    else:
        messages.success(request, f"The family of {case.case_ref} is to be invited")
    return redirect("families:event_detail", pk=event.pk)


# --- Website pages --------------------------------------------------------------------------------------------


@family_site_staff
@require_GET
def page_list(request: HttpRequest) -> HttpResponse:
    pages = (selectors.pages_for(request.user).select_related("published_version", "network")
             .prefetch_related("versions").order_by("network__name", "position", "slug"))
    return render(request, "families/manage/page_list.html", {
        "pages": pages, "several_networks": len(selectors.site_network_ids(request.user)) > 1})


@family_site_staff
@require_http_methods(["GET", "POST"])
def page_new(request: HttpRequest) -> HttpResponse:
    networks = selectors.site_networks(request.user)
    form = NewPageForm(request.POST if request.method == "POST" else None, networks=networks)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.page_create(slug=data["slug"], position=data["position"], title=data["title"],
                                        summary=data["summary"], body=data["body"], by=request.user,
                                        network=data.get("network") or networks[0])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Page saved as a draft: check the preview, then publish it")
            return redirect("families:page_version", pk=page.pk, number=1)
    return render(request, "families/manage/page_form.html", {"form": form, "page": None})


@family_site_staff
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(selectors.pages_for(request.user), pk=pk)
    latest = page.latest_version
    initial = {"title": latest.title, "summary": latest.summary, "body": latest.body} if latest else {}
    form = PageForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            version = services.page_save(page=page, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved as version {version.number} (a draft): check the preview, then "
                                      "publish it")
            return redirect("families:page_version", pk=page.pk, number=version.number)
    return render(request, "families/manage/page_form.html", {"form": form, "page": page})


@family_site_staff
@require_GET
def page_history(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(selectors.pages_for(request.user), pk=pk)
    versions = page.versions.select_related("created_by").order_by("-number")
    return render(request, "families/manage/page_history.html", {"page": page, "versions": versions})


def _version(request: HttpRequest, pk: int, number: int) -> PageVersion:
    """A version of a page of the user's networks' websites (any other is a 404)."""
    return get_object_or_404(PageVersion.objects.select_related("page"), page_id=pk, number=number,
                             page__in=selectors.pages_for(request.user))


@family_site_staff
@require_GET
def page_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The preview: the version drawn exactly as the public page will draw it, with publish and restore."""
    version = _version(request, pk, number)
    return render(request, "families/public/page.html", {
        "page": selectors.public_page(version), "pages": selectors.published_pages(version.page.network_id),
        "preview": version, "site": version.page.network,
    })


@family_site_staff
@require_POST
def page_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    services.page_publish(version=version, by=request.user)
    messages.success(request, f"Version {version.number} of '{version.title}' is now on the family website")
    return redirect("families:page_history", pk=pk)


@family_site_staff
@require_POST
def page_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    restored = services.page_restore(version=_version(request, pk, number), by=request.user)
    messages.success(request, f"Version {number} restored as version {restored.number} (a draft): check it, "
                              "then publish it")
    return redirect("families:page_version", pk=pk, number=restored.number)


# --- Feedback moderation --------------------------------------------------------------------------------------


@family_site_staff
@require_GET
def feedback_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "families/manage/feedback_queue.html", {
        "pending": selectors.feedback_for(request.user).filter(status=FeedbackStatus.PENDING)
        .select_related("network").order_by("received_at"),
        "recent": selectors.feedback_for(request.user).exclude(status=FeedbackStatus.PENDING)
        .select_related("moderated_by", "network")[:20],
        "several_networks": len(selectors.site_network_ids(request.user)) > 1,
    })


@family_site_staff
@require_POST
def feedback_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.feedback_for(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, "Choose approve or reject")
    else:
        services.feedback_moderate(feedback=item, approve=decision == "approve", by=request.user)
        messages.success(request, "Feedback approved: it now appears on the family website" if decision == "approve"
                         else "Feedback rejected: it will not be shown")
    return redirect("families:feedback_queue")
