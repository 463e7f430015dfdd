"""The import template (`/cases/import/template.csv`) and its column guide (`/cases/import/columns/`).

Both come from `pathway.column_guide`, which reads the dataset contract code, so a new column appears in
them with its rules. No patient data: every signed-in user who may import or export sees them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathway import column_guide, csv_io
from units.access import Action, UserLike, may


def _may_see(user: UserLike) -> None:
    if not (may(user, Action.IMPORT) or may(user, Action.EXPORT)):
        raise PermissionDenied("The dataset file is for roles that import or export cases")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _may_see(request.user)
    # The header row only: an example row would be imported as a baby if it were left in.
    # A BOM so that Excel opens it as UTF-8.
    body = "\ufeff" + "".join(csv_io.csv_lines([column_guide.template_header()]))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hie-dataset-template.csv"'
    return response


@login_required
@require_GET
def column_guide_page(request: HttpRequest) -> HttpResponse:
    _may_see(request.user)
    return render(
        request,
        "pathway/import_columns.html",
        {
            "columns": column_guide.column_guides(),
            "general": column_guide.GENERAL_RULES,
            "can_import": may(request.user, Action.IMPORT),
        },
    )
