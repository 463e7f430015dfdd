"""Training screens: network coverage, sessions (network and per unit), the unit page, recording and
editing a session, the establishment, and the key-message list.

Views only orchestrate: access through training.access, figures from training.selectors, every write
through training.services (which validates and audits).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import EditConflict
from training import access, selectors, services
from training.forms import EstablishmentForm, KeyMessageForm, SessionForm, add_service_errors
from training.models import Establishment, KeyMessage, TrainingSession
from units.models import Network, Unit

SESSIONS_PER_PAGE = 25


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.coverage_rows(today, access.viewable_units(request.user).active().order_by("short_name"))
    return render(request, "training/coverage.html", {
        "rows": rows, "today": today, "interval": selectors.refresher_days(),
        "due_count": sum(row.refresher.is_due for row in rows),
        "may_record": access.recordable_units(request.user).exists(),
        "may_manage": access.may_manage_key_messages(request.user),
    })


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    units = access.viewable_units(request.user)
    sessions = (TrainingSession.objects.filter(unit__in=units.values("pk")).select_related("unit")
                .prefetch_related("attendance", "key_messages").order_by("-date", "-id"))
    unit = units.filter(ods_code=request.GET.get("unit", "").upper()).first()
    if unit is not None:
        sessions = sessions.filter(unit=unit)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "training/session_list.html", {
        "page": page, "unit": unit, "units": units.active().order_by("short_name"),
        "recordable": set(access.recordable_units(request.user).values_list("pk", flat=True)),
    })


@login_required
@require_GET
def unit_page(request: HttpRequest, ods: str) -> HttpResponse:
    unit = get_object_or_404(access.viewable_units(request.user), ods_code=ods.upper())
    today = timezone.localdate()
    (row,) = selectors.coverage_rows(today, [unit])
    may_record = access.may_record(request.user, unit)
    return render(request, "training/unit.html", {
        "unit": unit, "row": row, "today": today, "interval": selectors.refresher_days(),
        "may_record": may_record, "recordable": {unit.pk} if may_record else set(),
        "establishments": Establishment.objects.filter(unit=unit).prefetch_related("lines")
                                               .select_related("recorded_by").order_by("-effective_from"),
        "sessions": unit.training_sessions.prefetch_related("attendance", "key_messages").order_by("-date", "-id")[:50],
    })


def _session_form_page(request: HttpRequest, form: SessionForm, session: TrainingSession | None) -> HttpResponse:
    return render(request, "training/session_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    units = access.recordable_units(request.user)
    if not units.exists():
        raise PermissionDenied("You cannot record training")
    initial: dict[str, Any] = {"date": timezone.localdate()}
    chosen = units.filter(ods_code=request.GET.get("unit", "").upper()).first()
    if chosen is not None:
        initial["unit"] = chosen
    form = SessionForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_record(unit=form.cleaned_data["unit"], values=form.values(), by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Training session recorded for {session.unit.short_name}.")
            return redirect("training:unit", ods=session.unit.ods_code)
    return _session_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_recording(request.user, pk)
    # The unit of a session is fixed: moving it would be recording at another unit.
    units = Unit.objects.filter(pk=session.unit_id)
    form = SessionForm(request.POST or None, units=units, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, values=form.values(), by=request.user,
                                    expected_version=form.cleaned_data["version"] or 0)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Training session of {session.date:%d/%m/%Y} updated.")
            return redirect("training:unit", ods=session.unit.ods_code)
    return _session_form_page(request, form, session)


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_recording(request.user, pk)
    if request.method == "POST":
        services.session_delete(session=session, by=request.user)
        messages.success(request, f"Training session of {session.date:%d/%m/%Y} deleted.")
        return redirect("training:unit", ods=session.unit.ods_code)
    return render(request, "training/session_delete.html", {"session": session})


@login_required
@require_http_methods(["GET", "POST"])
def establishment_edit(request: HttpRequest, ods: str) -> HttpResponse:
    unit = access.unit_for_recording(request.user, ods)
    today = timezone.localdate()
    current = Establishment.objects.in_force_on(unit, today)
    form = EstablishmentForm(request.POST or None, current=current, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            services.establishment_record(unit=unit, effective_from=form.cleaned_data["effective_from"],
                                          headcounts=form.headcounts(), by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Establishment of {unit.short_name} saved.")
            return redirect("training:unit", ods=unit.ods_code)
    return render(request, "training/establishment_form.html", {"form": form, "unit": unit, "current": current})


def _key_message_manager(request: HttpRequest) -> None:
    if not access.may_manage_key_messages(request.user):
        raise PermissionDenied("Only nurse specialists and administrators manage the key messages")


@login_required
@require_http_methods(["GET", "POST"])
def key_messages(request: HttpRequest) -> HttpResponse:
    """Every signed-in user reads their network's list (no patient data); its managers add and change it."""
    may_manage = access.may_manage_key_messages(request.user)
    if request.method == "POST":
        _key_message_manager(request)
    managed = access.key_message_networks(request.user) if may_manage else []  # read once for the whole view
    form = KeyMessageForm(request.POST or None, networks=managed) if may_manage else None
    if form is not None and request.method == "POST" and form.is_valid() and _save_message(request, form, None,
                                                                                           managed):
        return redirect("training:key_messages")
    messages_list = access.key_messages_for(request.user).select_related("network").order_by(
        "network__name", "order", "text")
    return render(request, "training/key_messages.html", {
        "form": form, "messages_list": messages_list, "managed": {n.pk for n in managed},
        "several_networks": len({m.network_id for m in messages_list}) > 1,
        "network_names": sorted({m.network.name for m in messages_list if m.network is not None})})


@login_required
@require_http_methods(["GET", "POST"])
def key_message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _key_message_manager(request)
    message = access.key_message_for_managing(request.user, pk)
    form = KeyMessageForm(request.POST or None,
                          initial={"text": message.text, "order": message.order, "active": message.active})
    if request.method == "POST" and form.is_valid() and _save_message(request, form, message,
                                                                      access.key_message_networks(request.user)):
        return redirect("training:key_messages")
    return render(request, "training/key_message_form.html", {"form": form, "message": message})


def _save_message(request: HttpRequest, form: KeyMessageForm, message: KeyMessage | None,
                  networks: list[Network]) -> bool:
    """`networks`: the lists the user manages (`access.key_message_networks`); a new message with no network
    chosen goes to the first."""
    data = form.cleaned_data
    try:
        saved = services.key_message_save(message=message, text=data["text"], active=data["active"],
                                          order=data["order"] or 0, by=request.user,
                                          network=data.get("network") or (networks[0] if networks else None))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, f"Key message “{saved.text}” saved.")
    return True
