"""Improvement screens: all actions (filters), a unit's actions, one action with its PDSA cycles, create and
edit (with the version it was opened at), add a cycle, and the impact estimates page.

Views orchestrate only: access through improvement.access, writes through improvement.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import EditConflict
from core.forms import UKDateField
from core.requests import AuthenticatedHttpRequest
from improvement import access, catalogue, services
from improvement.forms import ActionForm, CycleForm, FilterForm
from improvement.models import ImprovementActionQuerySet
from reporting import periods as report_periods
from reporting.content import network_impact
from reporting.forms import report_period_choices
from reporting.models import ImpactInput
from training.forms import add_service_errors
from units.access import Action, may
from units.models import Unit

PER_PAGE = 50


def _require_improve(request: AuthenticatedHttpRequest) -> None:
    if not may(request.user, Action.IMPROVE):
        raise PermissionDenied("Improvement actions are for members of the network's units")


def _filtered(request: AuthenticatedHttpRequest,
              actions: ImprovementActionQuerySet) -> tuple[ImprovementActionQuerySet, FilterForm]:
    form = FilterForm(request.GET)
    form.is_valid()
    wanted = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if wanted.get("unit"):
        actions = actions.filter(unit__isnull=True) if wanted["unit"] == "network" else \
            actions.filter(unit__ods_code=wanted["unit"].upper())
    if wanted.get("kpi"):
        actions = actions.filter(kpi=wanted["kpi"])
    if wanted.get("status"):
        actions = actions.filter(status=wanted["status"])
    if wanted.get("overdue"):
        actions = actions.overdue()
    return actions, form


def _list_page(request: AuthenticatedHttpRequest, actions: ImprovementActionQuerySet,
               unit: Unit | None) -> HttpResponse:
    actions, form = _filtered(request, actions.select_related("unit", "owner").order_by("due_date", "pk"))
    return render(request, "improvement/action_list.html", {
        "page": Paginator(actions, PER_PAGE).get_page(request.GET.get("page")), "unit": unit, "filters": form,
        "units": access.units_for(request.user), "kpis": catalogue.choices(), "today": timezone.localdate(),
        "network_wide": access.is_network_wide(request.user),
    })


@login_required
@require_GET
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_improve(request)
    return _list_page(request, access.actions_for(request.user), None)


@login_required
@require_GET
def unit_actions(request: AuthenticatedHttpRequest, ods: str) -> HttpResponse:
    _require_improve(request)
    unit = get_object_or_404(access.units_for(request.user), ods_code=ods.upper())
    return _list_page(request, access.actions_for(request.user).filter(unit=unit), unit)


@login_required
@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    return render(request, "improvement/action_detail.html", {
        "action": action, "cycles": action.cycles.select_related("created_by"),
        "cycle_form": CycleForm(initial={"cycle_date": timezone.localdate()}), "today": timezone.localdate(),
        "kpi_title": catalogue.title(action.kpi),
    })


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_improve(request)
    network_wide = access.is_network_wide(request.user)
    form = ActionForm(request.POST or None, units=access.units_for(request.user), network_wide=network_wide,
                      initial={"unit": access.units_for(request.user).filter(
                          ods_code=request.GET.get("unit", "").upper()).first(), "owner": request.user,
                          "kpi": request.GET.get("kpi", "")})
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(values=form.values(), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Improvement action recorded.")
            return redirect("improvement:detail", action.pk)
    return render(request, "improvement/action_form.html", {"form": form, "action": None})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    network_wide = access.is_network_wide(request.user)
    initial = {name: getattr(action, name) for name in services.FIELDS} | {"version": action.version}
    form = ActionForm(request.POST or None, units=access.units_for(request.user), network_wide=network_wide,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, values=form.values(), by=request.user,
                                   expected_version=form.cleaned_data["version"] or 0)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Improvement action saved.")
            return redirect("improvement:detail", action.pk)
    return render(request, "improvement/action_form.html", {"form": form, "action": action})


@login_required
@require_POST
def cycle_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    form = CycleForm(request.POST)
    if form.is_valid():
        try:
            services.cycle_add(action=action, values=services.CycleValues(**form.cleaned_data), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "PDSA cycle added.")
            return redirect("improvement:detail", action.pk)
    return render(request, "improvement/action_detail.html", {
        "action": action, "cycles": action.cycles.select_related("created_by"), "cycle_form": form,
        "today": timezone.localdate(), "kpi_title": catalogue.title(action.kpi),
    }, status=400)


@login_required
@require_GET
def impact(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The board report's impact estimates (reporting.content.network_impact) for the network, outside the PDF:
    any calendar or financial year or quarter with stored figures, and cumulatively from a programme start."""
    _require_improve(request)
    offered = report_period_choices()
    period = request.GET.get("period") or (offered[0][0] if offered else None)
    if period and period not in dict(offered):
        raise Http404("No stored figures for that period")
    start_text = request.GET.get("start", "").strip()
    start, start_error = None, ""
    if start_text:
        try:
            start = UKDateField(required=False).clean(start_text)
        except ValidationError:
            start_error = "Programme start: enter a date as dd/mm/yyyy, for example 01/04/2019"
    estimates = network_impact(report_periods.parse(period), start) if period else []
    return render(request, "improvement/impact.html", {
        "estimates": estimates, "period": period, "offered": offered, "start": start_text,
        "start_error": start_error,
        "may_edit_inputs": request.user.is_staff and request.user.has_perm("reporting.change_impactinput"),
        "input_ids": dict(ImpactInput.objects.values_list("key", "pk")),
    }, status=400 if start_error else 200)
