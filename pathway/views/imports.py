"""CSV upload and download pages for the HIE dataset (../shared/spec/dataset.md, v1).

Views only orchestrate: who may do what comes from `units.access` and `pathway.access`, reading, writing
and auditing the file from `pathway.csv_io` (which writes cases only through `pathway.services`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathway import csv_io
from pathway.access import cases_for
from units.access import Action, may

TEMPLATE = "pathway/import.html"
# A regional register is a few thousand rows (well under 5 MB); a much larger upload is a wrong file.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FILE_FIELD = "csv_file"


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    return render(request, TEMPLATE, {
        "can_import": may(user, Action.IMPORT),
        "can_identify": csv_io.may_export_identifiable(user),
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "file_field": FILE_FIELD,
        **context,
    }, status=status)


def _upload_error(request: HttpRequest) -> str | None:
    upload = request.FILES.get(FILE_FIELD)
    if upload is None or not upload.size:
        return "Select a CSV file to import" if upload is None else "The selected file is empty"
    if upload.size > MAX_UPLOAD_BYTES:
        return f"The selected file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
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
    upload = request.FILES[FILE_FIELD]
    result = csv_io.import_file(upload.read(), by=request.user)
    return _page(request, status=200 if result.ok else 400, result=result, filename=upload.name)


def _filename(identifiable: bool) -> str:
    kind = "identifiable" if identifiable else "pseudonymised"
    return f"hie-dataset-{timezone.localtime():%Y%m%d-%H%M}-{kind}.csv"


@login_required
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest) -> HttpResponse:
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
