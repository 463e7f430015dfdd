"""The live-births screen (dataset.md "Live births"): every unit's figure per year, and for nurse specialists
and administrators (`Action.LIVE_BIRTHS`) recording one, importing a file and downloading them.

Live births are counts, not patient data, so every signed-in user may read the table. Every write goes
through `units.births` (validated and audited); the download is audited too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units import births
from units.access import Action, UserLike, home_units, network_wide_for, units_for
from units.forms import LiveBirthsFileForm, LiveBirthsForm, add_service_errors
from units.models import Designation, LiveBirths, Unit

YEARS_SHOWN = 6


def _may_edit(request: HttpRequest) -> bool:
    return network_wide_for(request.user, Action.LIVE_BIRTHS)


def _require_editor(request: HttpRequest) -> None:
    if not _may_edit(request):
        raise PermissionDenied("Only nurse specialists and administrators record live births")


def _birth_units(user: UserLike) -> list[Unit]:
    """The birth units of the networks the user works in (every unit's figure when that is all of them)."""
    return list(home_units(user).active().exclude(designation=Designation.TRANSPORT).order_by("short_name"))


def _table(units: list[Unit], years: list[int]) -> list[tuple[Unit, list[int | None]]]:
    figures = {(f.unit_id, f.year): f.live_births for f in LiveBirths.objects.filter(year__in=years)}
    return [(unit, [figures.get((unit.pk, year)) for year in years]) for unit in units]


def _page(
    request: HttpRequest,
    form: LiveBirthsForm,
    file_form: LiveBirthsFileForm,
    file_errors: list[births.RowError] | None = None,
) -> HttpResponse:
    last = timezone.localdate().year
    years = list(range(last - YEARS_SHOWN + 1, last + 1))
    units = _birth_units(request.user)
    rows = _table(units, years)
    totals = [sum(row[i] or 0 for _, row in rows) for i in range(len(years))]
    return render(
        request,
        "units/live_births.html",
        {
            "years": years,
            "rows": rows,
            "totals": totals,
            "may_edit": _may_edit(request),
            "form": form,
            "file_form": file_form,
            "file_errors": file_errors or [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def live_births(request: HttpRequest) -> HttpResponse:
    units = units_for(request.user, Action.LIVE_BIRTHS).filter(active=True).exclude(designation=Designation.TRANSPORT)
    initial = {
        "unit": units.filter(ods_code=request.GET.get("unit", "").upper()).first(),
        "year": request.GET.get("year") or timezone.localdate().year - 1,
    }
    form = LiveBirthsForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST":
        _require_editor(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = births.live_births_record(
                    unit=data["unit"], year=data["year"], live_births=data["live_births"], by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Live births of {saved.unit.short_name} in {saved.year} saved: {saved.live_births:,}."
                )
                return redirect("units:live_births")
    return _page(request, form, LiveBirthsFileForm())


@login_required
@require_POST
def live_births_import(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    file_form = LiveBirthsFileForm(request.POST, request.FILES)
    form = LiveBirthsForm(units=Unit.objects.none())
    if not file_form.is_valid():
        return _page(request, form, file_form)
    result = births.live_births_import(file_form.cleaned_data["file"].read(), by=request.user)
    if not result.ok:
        return _page(request, form, file_form, result.errors)
    messages.success(
        request,
        f"Imported {result.rows} unit-years: {result.created} new, {result.updated} replaced, "
        f"{result.unchanged} unchanged.",
    )
    return redirect("units:live_births")


@login_required
@require_GET
def live_births_export(request: HttpRequest) -> StreamingHttpResponse:
    _require_editor(request)
    figures = list(births.export_queryset(units_for(request.user, Action.LIVE_BIRTHS)))
    births.record_export(by=request.user, rows=len(figures), how="download")
    response = StreamingHttpResponse(births.csv_lines(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="live_births.csv"'
    return response
