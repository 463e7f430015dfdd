"""POP record screens: the list, a new record, the record page, its edit form, history and "entered in error".

Views only orchestrate (style-anchors §4.2): the record comes through `pop.access` (a record the user may not
reach is a 404), input through `pop.forms`, and every write is one call to `pop.services`. The steps every
dataset record's screens share (paging, saving a form, history, entered in error) are `pathway.views.records`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods

from core import search
from core.audit import display as display_value
from pathway.sections import history_display
from pathway.views.records import entered_in_error_page, history_page, page_of, posted, save_form, search_redirect
from pop import rules, services
from pop.access import can, get_record_for_user, records_for
from pop.dataset import FIELDS
from pop.forms import EnteredInErrorForm, PopFilterForm, PopRecordForm, add_service_errors
from pop.kpis import registry
from pop.kpis.facts import facts_from_record
from pop.models import PopRecord
from units.access import Action, may

OUTCOME_TEXT = {"met": "Met", "not_met": "Not met", "not_eligible": "Not eligible", "missing": "Data missing"}
OUTCOME_COLOUR = {"met": "green", "not_met": "red", "not_eligible": "grey", "missing": "orange"}


def _label(name: str) -> str:
    return capfirst(rules.label(name))


def _record_context(record: PopRecord) -> dict[str, Any]:
    return {"record": record, "dq_messages": [rules.SOFT_MESSAGES.get(flag, flag) for flag in record.dq_flags]}


def _summary_rows(record: PopRecord) -> list[tuple[str, str]]:
    values = services.record_values(record)
    return [(_label(name), display_value(values[name]) or "Not recorded") for name in FIELDS]


def _element_rows(record: PopRecord) -> list[tuple[str, str, str]]:
    """How this baby scores on each POP KPI now (evaluated from the record, for the person entering it)."""
    facts = facts_from_record(record)
    rows = []
    for kpi in registry.KPIS:
        outcome = kpi.evaluate(facts, timezone.localdate())
        rows.append((kpi.TITLE, OUTCOME_TEXT[outcome], OUTCOME_COLOUR[outcome]))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def record_list(request: HttpRequest) -> HttpResponse:
    # The filter form is posted, so an NHS number searched for never appears in an address (core.search).
    moved = search_redirect(request, reverse("pop:record_list"))
    if moved is not None:
        return moved
    filters, search_expired = search.list_filters(request.session, request.GET)
    visible = records_for(request.user, Action.LIST)
    form = PopFilterForm(filters, user=request.user, records=visible)
    return render(request, "pop/record_list.html", {
        "form": form, "page": page_of(request, form.filter(visible)), "may_create": may(request.user, Action.EDIT),
        "search_expired": search_expired,
    })


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.EDIT):
        raise PermissionDenied("Your role does not include adding POP records")
    form = PopRecordForm(posted(request), user=request.user)
    record = save_form(form, lambda: services.pop_create(values=form.values(), by=request.user), add_service_errors)
    if record is not None:
        messages.success(request, f"POP record {record.case_ref} saved")
        return redirect("pop:record_detail", pk=record.pk)
    return render(request, "pop/record_form.html", {"form": form, "record": None})


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk, Action.VIEW)
    editable = not record.entered_in_error and can(request.user, record, Action.EDIT)
    return render(request, "pop/record_detail.html", {
        **_record_context(record), "rows": _summary_rows(record), "elements": _element_rows(record),
        "editable": editable,
    })


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk, Action.EDIT)
    if record.entered_in_error:
        messages.info(request, f"{record.case_ref} was marked as entered in error: it can no longer be changed")
        return redirect("pop:record_detail", pk=record.pk)
    form = PopRecordForm(posted(request), user=request.user, record=record)
    saved = save_form(form, lambda: services.pop_update(record=record, values=form.values(),
                                                        expected_version=form.expected_version, by=request.user),
                      add_service_errors)
    if saved is not None:
        unchanged = saved.version == form.expected_version
        messages.success(request, "No changes to save" if unchanged else f"{saved.case_ref} saved")
        return redirect("pop:record_detail", pk=saved.pk)
    return render(request, "pop/record_form.html", {**_record_context(record), "form": form})


def _show_change(name: str, old: str, new: str) -> tuple[str, str, str]:
    if name not in FIELDS:
        return name, old, new
    return _label(name), history_display(name, old, PopRecord), history_display(name, new, PopRecord)


@login_required
@require_GET
def record_history(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk, Action.VIEW)
    return history_page(request, services.pop_history(record), _show_change, "pop/history.html",
                        _record_context(record))


@login_required
@require_http_methods(["GET", "POST"])
def record_entered_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    """Records are never deleted: kept, marked with a reason and left out of lists and counts."""
    record = get_record_for_user(request.user, pk, Action.EDIT)

    def mark(reason: str, version: int) -> PopRecord:
        return services.pop_mark_entered_in_error(record=record, reason=reason, expected_version=version,
                                                  by=request.user)

    return entered_in_error_page(request, record, EnteredInErrorForm(posted(request), record=record), mark=mark,
                                 add_service_errors=add_service_errors, detail="pop:record_detail",
                                 left_out_of="the list or the POP figures", template="pop/entered_in_error.html",
                                 context=_record_context(record))
