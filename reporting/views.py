"""Board report pages, background exports with their progress bar and download, and the export log.

Views only orchestrate: access from `units.access` (reports and the log need `Action.REPORT`, case exports
`Action.EXPORT`) and, per report, `reporting.access` (a report outside the user's networks is a 404 at every
door; a regional lead reads its region's, read only), every write through `reporting.services`, figures from
`reporting.content`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import EditConflict
from core.requests import AuthenticatedHttpRequest
from kpis.dashboard import freshness
from pathway import csv_io
from reporting import scope as report_scope
from reporting import services
from reporting.access import may_read_reports, reports_changeable_by, reports_readable_by
from reporting.forms import BoardReportForm, CaseExportForm, PublishForm
from reporting.models import BoardReport, ExportJob, ExportRecord
from units.access import Action, may

REPORT_FORMATS = {"pdf": ExportRecord.Kind.REPORT_PDF, "xlsx": ExportRecord.Kind.REPORT_XLSX,
                  "csv": ExportRecord.Kind.REPORT_CSV}
LOG_PAGE_SIZE = 50


def _require(request: AuthenticatedHttpRequest, action: Action, what: str) -> None:
    if not may(request.user, action):
        raise PermissionDenied(what)


def _require_report(request: AuthenticatedHttpRequest) -> None:
    _require(request, Action.REPORT, "Board reports need the network lead or administrator role")


def _require_read_reports(request: AuthenticatedHttpRequest) -> None:
    if not may_read_reports(request.user):
        raise PermissionDenied("Board reports need the network lead, regional lead or administrator role")


def _save(request: AuthenticatedHttpRequest, form: BoardReportForm, report: BoardReport | None) -> BoardReport | None:
    """Create or update through the service; its rule errors go back onto the form, nothing half-saved."""
    try:
        if report is None:
            return services.board_report_create(values=form.values(), by=request.user)
        return services.board_report_update(report=report, values=form.values(), by=request.user,
                                            expected_version=form.cleaned_data["version"] or 0)
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


@login_required
@require_GET
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_read_reports(request)
    reports = (reports_readable_by(request.user).select_related("org", "created_by", "published_by", "corrects")
               .defer("snapshot"))[:100]
    report_scope.name_areas(reports)
    # A regional lead reads reports but makes none: no button that would answer 403.
    return render(request, "reporting/report_list.html", {"reports": reports,
                                                          "may_create": may(request.user, Action.REPORT)})


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_report(request)
    form = BoardReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (report := _save(request, form, None)):
        messages.success(request, "Report saved as a draft.")
        return redirect("reporting:preview", pk=report.pk)
    return render(request, "reporting/report_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_report(request)
    report = get_object_or_404(reports_changeable_by(request.user).select_related("corrects"), pk=pk)
    if report.is_published:
        messages.info(request, "This report is published and signed off, so it cannot be changed. Make a "
                               "correction to change it.")
        return redirect("reporting:preview", pk=report.pk)
    form = BoardReportForm(request.POST or None, instance=BoardReport.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form, report):
        messages.success(request, "Report saved.")
        return redirect("reporting:preview", pk=report.pk)
    return render(request, "reporting/report_form.html", {
        "form": form, "report": report, "history": services.board_report_history(report)},
        status=400 if form.errors else 200)


@login_required
@require_GET
def report_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_read_reports(request)
    readable = reports_readable_by(request.user)
    report = get_object_or_404(readable.select_related("org", "published_by", "corrects"), pk=pk)
    data = services.report_data(report)
    may_change = may(request.user, Action.REPORT) and reports_changeable_by(request.user).filter(pk=report.pk).exists()
    return render(request, "reporting/preview.html", {
        "report": report, "d": data, "charts": data["charts"], "formats": REPORT_FORMATS,
        "may_change": may_change, "may_sign_off": may_change and services.may_sign_off(request.user),
        "corrections": readable.filter(corrects=report).select_related("published_by").order_by("edition")})


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask the network lead to confirm, then sign the report off (its figures are frozen from then on)."""
    _require_report(request)
    report = get_object_or_404(reports_changeable_by(request.user).select_related("org", "corrects"), pk=pk)
    if not services.may_sign_off(request.user):
        raise PermissionDenied("Only a network lead can sign off a board report")
    if report.is_published:
        return redirect("reporting:preview", pk=report.pk)
    form = PublishForm(request.POST or None, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.board_report_publish(report=report, by=request.user, expected_version=form.cleaned_data["version"])
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as exc:
            form.add_error(None, "; ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, "Report published and signed off. Its figures are now frozen.")
            return redirect("reporting:preview", pk=report.pk)
    return render(request, "reporting/publish.html", {"report": report, "form": form, "freshness": freshness()},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def report_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_report(request)
    report = get_object_or_404(reports_changeable_by(request.user), pk=pk)
    try:
        correction = services.board_report_correct(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("reporting:preview", pk=report.pk)
    messages.success(request, f"Correction started as version {correction.edition}: change what needs changing and "
                              "say what changed, then publish it.")
    return redirect("reporting:edit", pk=correction.pk)


@login_required
@require_POST
def report_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_read_reports(request)
    report = get_object_or_404(reports_readable_by(request.user), pk=pk)
    kind = REPORT_FORMATS.get(request.POST.get("format", ""))
    if kind is None:
        raise Http404("No such format")
    job = services.export_job_start(kind=kind, by=request.user, report=report)
    return redirect("reporting:job", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Action.EXPORT, "Exporting cases needs a role that may export")
    form = CaseExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.export_job_start(kind=ExportRecord.Kind.CASES_CSV, by=request.user,
                                            identifiable=form.cleaned_data["identifiable"],
                                            reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("reporting:job", pk=job.pk)
    return render(request, "reporting/case_export.html", {
        "form": form, "can_identify": csv_io.may_export_identifiable(request.user)},
        status=400 if form.errors else 200)


@login_required
@require_GET
def export_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Network leads and administrators read their networks' exports; a regional lead their region's."""
    if not may_read_reports(request.user):
        raise PermissionDenied("The export log needs the network lead, regional lead or administrator role")
    page = Paginator(services.exports_visible_to(request.user), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reporting/export_log.html", {"page": page})


def _own_job(request: AuthenticatedHttpRequest, pk: int) -> ExportJob:
    """A job is only ever visible to the person who started it (a 404 for anyone else)."""
    return get_object_or_404(ExportJob.objects.select_related("report"), pk=pk, created_by=request.user)


@login_required
@require_GET
def job_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "reporting/job.html", {"job": _own_job(request, pk)})


@login_required
@require_GET
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "reporting/partials/job_progress.html", {"job": _own_job(request, pk)})


@login_required
@require_GET
def job_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.SUCCEEDED or not job.file.name or job.is_expired():
        raise Http404("This file is not available: it is not ready, or it has expired")
    if not default_storage.exists(job.file.name):
        raise Http404("This file has been deleted")
    response = FileResponse(default_storage.open(job.file.name, "rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "no-store"
    return response
