"""View steps shared by the screens of every dataset record of a baby: HIE cases (`pathway.views.cases`) and
POP records (`pop.views`).

They only orchestrate (style-anchors §4.2): the caller fetches the record through its app's access rules and
passes its form, its service call and its wording; every write is still that one service call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from core import search
from core.exceptions import EditConflict
from core.history import ShowChange, history_entry
from core.models import AuditEvent
from pathway.models import BabyRecord

T = TypeVar("T")
# How an app puts a service's ValidationError on its form (beside the fields it names).
AddServiceErrors = Callable[[forms.BaseForm, ValidationError], None]


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, None for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def search_redirect(request: HttpRequest, list_url: str) -> HttpResponse | None:
    """Posted filters, or search text in the address (an old link): the redirect to the list's address with
    an opaque search token instead of the text (`core.search`); None for a plain list GET."""
    if request.method == "POST":
        return search.redirect_to_list(request.session, list_url, request.POST)
    if search.TEXT_PARAM in request.GET:
        return search.redirect_to_list(request.session, list_url, request.GET)
    return None


def page_of(request: HttpRequest, records: QuerySet[Any]) -> Page:
    """The list page the request asks for (?page=), a screenful of records at a time."""
    return Paginator(records, settings.CASES_PER_PAGE).get_page(request.GET.get("page"))


def save_form(form: forms.BaseForm, write: Callable[[], T], add_service_errors: AddServiceErrors) -> T | None:
    """What `write` (one service call) returned for a posted, valid form; None when the form was not posted,
    is invalid, or the service refused (an edit conflict or its validation, then shown on the form)."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        return write()
    except EditConflict as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


def history_page(request: HttpRequest, events: list[AuditEvent], show: ShowChange, template: str,
                 context: Mapping[str, Any]) -> HttpResponse:
    """A record's history page: its audit events as people read them (`core.history`)."""
    return render(request, template, {**context, "entries": [history_entry(event, show) for event in events]})


def entered_in_error_page(request: HttpRequest, record: BabyRecord, form: forms.BaseForm, *,
                          mark: Callable[[str, int], object], add_service_errors: AddServiceErrors, detail: str,
                          left_out_of: str, template: str, context: Mapping[str, Any]) -> HttpResponse:
    """Records are never deleted: marked entered in error through `mark(reason, version)` (the service), a
    record is kept with the reason and left out of `left_out_of`; then back to its page (URL name `detail`)."""
    if record.entered_in_error:
        messages.info(request, f"{record.case_ref} is already marked as entered in error")
        return redirect(detail, pk=record.pk)
    marked = save_form(form, lambda: mark(form.cleaned_data["entered_in_error_reason"], form.cleaned_data["version"]),
                       add_service_errors)
    if marked is not None:
        messages.success(request, f"{record.case_ref} marked as entered in error. It is kept for the record and no "
                                  f"longer appears in {left_out_of}.")
        return redirect(detail, pk=record.pk)
    return render(request, template, {**context, "form": form})
