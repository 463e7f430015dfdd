"""CSV upload and download pages for the HIE dataset (../shared/spec/dataset.md, v1).

Views only orchestrate: who may do what comes from `units.access` and `pathway.access`, reading, writing
and auditing the file from `pathway.csv_io` (which writes cases only through `pathway.services`).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from pathway import csv_io, import_jobs
from pathway.access import cases_for
from pathway.models import ImportJob
from units.access import Action, may

TEMPLATE = "pathway/import.html"
# A regional register is a few thousand rows (well under 5 MB), but a national-scale file of 100,000 rows is
# about 45 MB: it fits, and runs in a worker (pathway.import_jobs). nginx's client_max_body_size is a little more.
def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024

FILE_FIELD = "csv_file"


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    return render(request, TEMPLATE, {
        "can_import": may(user, Action.IMPORT),
        "can_identify": csv_io.may_export_identifiable(user),
        "can_overwrite": csv_io.may_overwrite_newer(user),
        "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
        "file_field": FILE_FIELD,
        **context,
    }, status=status)


def _upload_error(request: HttpRequest) -> str | None:
    upload = request.FILES.get(FILE_FIELD)
    if upload is None or not upload.size:
        return "Select a CSV file to import" if upload is None else "The selected file is empty"
    if upload.size > max_upload_bytes():
        return f"The selected file must be smaller than {settings.IMPORT_MAX_UPLOAD_MB} MB"
    return None


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    # One page for both: roles that may only export (leads, consultants) get it without the upload form.
    if request.method == "GET" and (may(request.user, Action.IMPORT) or may(request.user, Action.EXPORT)):
        return _page(request)
    if not may(request.user, Action.IMPORT):
        raise PermissionDenied("Importing cases needs the clinical nurse specialist or administrator role")
    error = _upload_error(request)
    if error:
        return _page(request, status=400, upload_error=error)
    overwrite = request.POST.get("overwrite_newer") == "1"
    if overwrite and not csv_io.may_overwrite_newer(request.user):
        return _page(request, status=403, upload_error="Only a clinical nurse specialist may overwrite newer changes")
    upload = cast(UploadedFile, request.FILES[FILE_FIELD])  # _upload_error has checked it is there
    data = upload.read()
    if import_jobs.runs_in_background(data):  # a large file: a worker imports it, a page shows how far it is
        job = import_jobs.start(data=data, filename=upload.name or "", by=request.user, overwrite_newer=overwrite)
        return redirect("pathway:import_job", pk=job.pk)
    result = csv_io.import_file(data, by=request.user, overwrite_newer=overwrite)
    return _page(request, status=200 if result.ok else 400, result=result, filename=upload.name)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    """Only the person who uploaded the file sees its job (its errors quote the file's cells)."""
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user)


def _job_context(job: ImportJob) -> dict[str, Any]:
    return {"job": job, "result": import_jobs.result_view(job) if job.finished else None, "filename": job.filename,
            "error_count": (job.result or {}).get("error_count", 0)}


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "pathway/import_job.html", _job_context(_own_job(request, pk)))


@login_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "pathway/partials/import_job_progress.html", _job_context(_own_job(request, pk)))


def _filename(identifiable: bool) -> str:
    kind = "identifiable" if identifiable else "pseudonymised"
    return f"hie-dataset-{timezone.localtime():%Y%m%d-%H%M}-{kind}.csv"


@login_required
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = request.user
    if not may(user, Action.EXPORT):
        raise PermissionDenied("Exporting cases needs a role that may export")
    params = request.POST if request.method == "POST" else request.GET
    identifiable = params.get("identifiable") == "1"
    reason = params.get("reason", "").strip()
    if identifiable and request.method != "POST":
        # Only the page's form (a POST, so CSRF-checked): a link or an <img> must not start one, nor put
        # the reason in a web server's log.
        return _page(request, status=405, export_error="Ask for an identifiable export with the form on this "
                                                       "page, giving your reason")
    if identifiable:
        refusal = csv_io.identifiable_refusal(user, reason)
        if refusal is not None:
            status = 400 if csv_io.may_export_identifiable(user) else 403
            return _page(request, status=status, export_error=refusal, reason=reason)
    cases = csv_io.export_queryset(cases_for(user, Action.EXPORT))
    # Audited before the first byte leaves: an interrupted download has still disclosed rows.
    csv_io.record_export(by=user, rows=cases.count(), identifiable=identifiable, reason=reason)
    pseudonymise = None if identifiable else csv_io.Pseudonymiser()
    response = StreamingHttpResponse(csv_io.csv_lines(csv_io.export_rows(cases, pseudonymise)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(identifiable)}"'
    response["Cache-Control"] = "no-store"
    return response
