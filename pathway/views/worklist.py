"""The worklist (`/cases/worklist/`) and acknowledging one of its items.

Views only orchestrate: the items and their rules are `pathway.worklist` (tested there), the cases come
through `pathway.access`, and an acknowledgement is one call to `worklist.acknowledge` (audited).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from pathway import choices as c
from pathway import worklist as work
from pathway.access import get_case_for_user
from units.access import Action


def _choice(value: str, allowed: set[str]) -> str:
    """A filter value, or "" (everything) when it is not one of the allowed values."""
    return value if value in allowed else ""


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    candidates = work.candidate_cases(request.user, now)
    cases = list(candidates)
    units = work.units_of(cases)
    unit = _choice(request.GET.get("unit", ""), {u.ods_code for u in units})
    if unit:
        cases = work.at_unit(cases, unit)
    due = _choice(request.GET.get("due", ""), set(work.Due))
    kind = _choice(request.GET.get("kind", ""), set(work.Kind))
    items = work.items_for(cases, now, work.acknowledged_pairs(candidates))
    if due:
        items = [i for i in items if i.due_state == due]
    counts = work.counts_by_kind(items)  # before the kind filter: the counts are the way into each kind
    shown = work.sort_by_due(i for i in items if not kind or i.kind == kind)
    page = Paginator(shown, settings.WORKLIST_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pathway/worklist.html", {
        "page": page, "items": page.object_list, "total": len(shown),
        "counts": [(k, work.KIND_LABELS[k], counts[k]) for k in work.Kind],
        "units": units, "unit": unit, "kind": kind, "due": due,
        "kinds": [(k.value, work.KIND_LABELS[k]) for k in work.Kind],
        "due_states": [(d.value, work.DUE_LABELS[d]) for d in work.Due],
        "horizon_years": work.horizon_years(),
        "horizon_born_before": work.add_months(timezone.localdate(now), -12 * work.horizon_years()),
        "back": request.get_full_path(),
    })


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("pathway:worklist")


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.EDIT)
    key = request.POST.get("key") or request.GET.get("key", "")
    item = work.find_item(case, key, timezone.now())
    if item is None:
        raise Http404("No such worklist item on this case")
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] = {"reason": "", "note": ""}
    if request.method == "POST":
        posted = {"reason": request.POST.get("reason", ""), "note": request.POST.get("note", "")}
        try:
            work.acknowledge(case=case, item=item, by=request.user, **posted)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"{case.case_ref}: “{item.what}” acknowledged. It has left the worklist.")
            return redirect(_back(request))
    return render(request, "pathway/worklist_acknowledge.html", {
        "case": case, "item": item, "reasons": c.AcknowledgementReason.choices, "errors": errors,
        "posted": posted, "next": _back(request), "note_max": work.NOTE_MAX,
    }, status=400 if errors else 200)
