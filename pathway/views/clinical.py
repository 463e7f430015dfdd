"""Timeline and temperature screens (the worklist is `pathway.views.worklist`).

Views only orchestrate: access through `pathway.access` (a case the user may not reach is a 404), rules in
the pure modules (`timeline`, `completeness`), writes through `pathway.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from core.exceptions import EnteredInError
from pathway import services, timeline
from pathway.access import can, get_case_for_user
from pathway.forms_clinical import TemperatureForm
from pathway.models import Case, TemperatureObservation
from units.access import Action

PARTIAL = "pathway/partials/temperatures.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def temperature_panel_context(request: HttpRequest, case: Case, form: TemperatureForm | None = None
                              ) -> dict[str, Any]:
    """Context for `partials/temperatures.html`: the readings with their flags, and the add form for
    those who may edit the case (None for the others). The case detail page can include the partial
    with this."""
    if form is None and can(request.user, case, Action.EDIT):
        form = TemperatureForm()
    rows = timeline.temperature_rows(case, case.temperatures.all())
    return {"case": case, "temperatures": rows, "sparkline": timeline.sparkline(rows), "temperature_form": form}


def _timeline_page(request: HttpRequest, case: Case, form: TemperatureForm | None = None) -> HttpResponse:
    context = {"timeline": timeline.build_timeline(case, timezone.now()),
               "extra": {"intervals": timeline.transport_intervals(case)},
               **temperature_panel_context(request, case, form)}
    return render(request, "pathway/timeline.html", context)


@login_required
@require_GET
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    return _timeline_page(request, get_case_for_user(request.user, pk, Action.VIEW))


def _after_temperature_change(request: HtmxHttpRequest, case: Case, form: TemperatureForm | None = None
                              ) -> HttpResponse:
    if request.htmx:
        response = render(request, PARTIAL, temperature_panel_context(request, case, form))
        # The derived temperatures (and so the standards) changed: a page showing them can listen for this.
        response["HX-Trigger"] = "temperatures-changed"
        return response
    return redirect("pathway:case_timeline", pk=case.pk)


@login_required
@require_POST
def temperature_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.EDIT)
    form = TemperatureForm(request.POST)
    if form.is_valid():
        try:
            observation = services.temperature_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if not request.htmx:
                messages.success(request, f"Temperature added: {observation.temp_c} °C at "
                                          f"{timeline.format_clock(observation.observed_at)}")
            return _after_temperature_change(request, case)
    if request.htmx:
        return render(request, PARTIAL, temperature_panel_context(request, case, form))
    return _timeline_page(request, case, form)


@login_required
@require_POST
def temperature_remove(request: HtmxHttpRequest, pk: int, obs_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.EDIT)
    # Scoped to the case: an observation of another case is a 404 here, even one the user could edit.
    observation = get_object_or_404(TemperatureObservation, pk=obs_pk, case=case)
    try:
        services.temperature_remove(observation=observation, by=request.user)
    except EnteredInError as refused:
        if request.htmx:
            form = TemperatureForm()
            form.add_error(None, str(refused))
            return render(request, PARTIAL, temperature_panel_context(request, case, form))
        messages.error(request, str(refused))
        return redirect("pathway:case_timeline", pk=case.pk)
    if not request.htmx:
        messages.success(request, "Temperature removed")
    return _after_temperature_change(request, case)
