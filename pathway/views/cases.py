"""Case screens: the list, a new case, the case page with its sections (saved as you go), the history and
"entered in error".

Views only orchestrate (style-anchors §4.2): the case comes through `pathway.access` (a case the user may
not reach is a 404, so guessing URLs reveals nothing), input through `pathway.forms`, and every write is
one call to `pathway.services`. The steps POP record screens share are `pathway.views.records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from core import search
from core.exceptions import EditConflict, EnteredInError
from pathway import rules, services
from pathway.access import can, cases_for, editable_sections, get_case_for_user, role_sections
from pathway.choices import Stage
from pathway.forms import (
    SECTION_FORMS,
    CaseFilterForm,
    CaseSectionForm,
    EnteredInErrorForm,
    NewCaseForm,
    add_service_errors,
)
from pathway.models import Case
from pathway.sections import (
    BY_SLUG,
    SECTION_OF_FIELD,
    SECTIONS,
    Section,
    extra_context,
    field_label,
    history_display,
    summary_rows,
)
from pathway.temperatures import SERIES_FIELDS
from pathway.views.records import (
    entered_in_error_page,
    history_page,
    page_of,
    posted,
    save_form,
    search_redirect,
)
from units.access import Action, UserLike, may

SECTION_PARTIAL = "pathway/partials/section_form.html"

# NHS.UK tag colours: where the baby is on the pathway at a glance (red only for "entered in error").
STAGE_COLOURS: dict[str, str] = {
    Stage.REFERRED: "grey", Stage.AWAITING_COOLING: "orange", Stage.COOLING: "blue", Stage.REWARMING: "blue",
    Stage.REWARMED: "aqua-green", Stage.DISCHARGED: "green",
    Stage.DIED: "purple", Stage.COMPLETE: "white", Stage.ENTERED_IN_ERROR: "red",
}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass
class SectionPanel:
    """One section on the case page: the saved values, and the form for those who may edit."""

    section: Section
    rows: list[tuple[str, str]]
    form: CaseSectionForm | None
    open: bool = False
    saved_at: str = ""
    unchanged: bool = False
    conflict: str = ""
    # Summary values the temperature readings give differently: both shown, with "use the readings".
    disagreements: list[services.ReadingDisagreement] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # the section's derived values (sections.extra_context)


# --- Context builders (shared by the page, the HTMX partial and the refused-save paths) --------------------


def _may_edit(user: UserLike, case: Case) -> bool:
    return not case.entered_in_error and can(user, case, Action.EDIT)


def _panel(user: UserLike, case: Case, section: Section, *, editable: bool,
           form: CaseSectionForm | None = None, **state: Any) -> SectionPanel:
    editable = editable and section.editable
    if editable and form is None:
        form = SECTION_FORMS[section.slug](user=user, case=case)
    disagreements = ([d for d in services.reading_disagreements(case) if d.field in section.fields]
                     if set(section.fields) & set(SERIES_FIELDS) else [])
    return SectionPanel(section, summary_rows(case, section), form if editable else None,
                        disagreements=disagreements, extra=extra_context(case, section), **state)


def _case_context(case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "stage_colour": STAGE_COLOURS.get(case.stage, "grey"),
        "dq_messages": [rules.SOFT_MESSAGES.get(flag, flag) for flag in case.dq_flags],
    }


def _detail_page(request: HttpRequest, case: Case, bound: CaseSectionForm | None = None,
                 conflict: str = "") -> HttpResponse:
    editable = _may_edit(request.user, case)
    # A radiologist or transport team changes only its own sections of the case (pathway.access).
    sections = editable_sections(request.user, case)
    panels = []
    for section in SECTIONS:
        mine = bound is not None and bound.section == section
        panels.append(_panel(request.user, case, section, editable=section.slug in sections,
                             form=bound if mine else None, open=mine, conflict=conflict if mine else ""))
    only = [s.title for s in SECTIONS if s.slug in sections] if sections and not editable else []
    context = {**_case_context(case), "panels": panels, "editable": editable, "only_sections": only}
    return render(request, "pathway/case_detail.html", context)


def _section_partial(request: HttpRequest, case: Case, panel: SectionPanel, *, oob: bool) -> HttpResponse:
    # `oob`: after a save the case's version, stage and warnings changed, so the response also refreshes
    # them elsewhere on the page (hx-swap-oob); the other sections' forms can then still be saved.
    others = [s for s in SECTIONS if s != panel.section]
    context = {**_case_context(case), "panel": panel, "editable": True, "oob": oob, "other_sections": others}
    return render(request, SECTION_PARTIAL, context)


def _section_or_404(slug: str) -> Section:
    section = BY_SLUG.get(slug)
    if section is None or not section.editable:
        raise Http404("No such section, or it is not edited here")
    return section


# --- Case list ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    # The filter form is posted, so an NHS number searched for never appears in an address (core.search).
    moved = search_redirect(request, reverse("pathway:case_list"))
    if moved is not None:
        return moved
    filters, search_expired = search.list_filters(request.session, request.GET)
    visible = cases_for(request.user, Action.LIST)
    form = CaseFilterForm(filters, user=request.user, cases=visible)
    return render(request, "pathway/case_list.html", {
        "form": form, "page": page_of(request, form.filter(visible)), "stage_colours": STAGE_COLOURS,
        "may_create": may(request.user, Action.EDIT), "search_expired": search_expired,
    })


# --- New case -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.EDIT):
        raise PermissionDenied("Your role does not include adding cases")
    form = NewCaseForm(posted(request), user=request.user)
    case = save_form(form, lambda: services.case_create(values=form.values(), by=request.user), add_service_errors)
    if case is not None:
        messages.success(request, f"Case {case.case_ref} created. Add the referral and cooling details "
                                  "below as they happen.")
        return redirect("pathway:case_detail", pk=case.pk)
    return render(request, "pathway/case_form.html", {"form": form})


# --- Case page and its sections -------------------------------------------------------------------------------


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_case_for_user(request.user, pk, Action.VIEW))


@login_required
@require_http_methods(["GET", "POST"])
def case_section(request: HtmxHttpRequest, pk: int, section: str) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.VIEW)
    current = _section_or_404(section)
    if request.method == "POST" and case.entered_in_error and _could_change(request.user, case):
        # Someone who could change the case (or a section of it) is told why the save is refused: it is frozen.
        return _entered_in_error(request, case, f"{case.case_ref} was marked as entered in error: it can no longer "
                                                "be changed")
    if current.slug not in editable_sections(request.user, case):
        # As for a case out of reach: nothing says whether the section could be changed by someone else.
        raise Http404("No such case section to change")
    if request.method == "GET":
        return _section_shown(request, case, current)
    form = SECTION_FORMS[current.slug](request.POST, user=request.user, case=case)
    if not form.is_valid():
        return _section_refused(request, case, form)
    try:
        saved = services.case_update(case=case, values=form.values(), expected_version=form.expected_version,
                                     by=request.user)
    except EnteredInError as exc:
        return _entered_in_error(request, case, str(exc))
    except EditConflict as exc:
        return _section_refused(request, case, form, conflict=str(exc))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _section_refused(request, case, form)
    return _section_saved(request, saved, current, unchanged=saved.version == form.expected_version)


def _could_change(user: UserLike, case: Case) -> bool:
    """Whether the user could change the case, or one of its sections, were it not entered in error."""
    return bool(role_sections(user, case))


def _entered_in_error(request: HtmxHttpRequest, case: Case, message: str) -> HttpResponse:
    """The case was marked entered in error (before or during this save): nothing was saved, and its page
    (no longer editable) says why; htmx reloads the whole page so no stale form stays open."""
    messages.error(request, f"Not saved: {message}")
    url = reverse("pathway:case_detail", args=[case.pk])
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _section_shown(request: HtmxHttpRequest, case: Case, section: Section) -> HttpResponse:
    if request.htmx:
        return _section_partial(request, case, _panel(request.user, case, section, editable=True), oob=False)
    return redirect(f"{reverse('pathway:case_detail', args=[case.pk])}#{section.slug}")


def _section_saved(request: HtmxHttpRequest, case: Case, section: Section, *, unchanged: bool) -> HttpResponse:
    if request.htmx:
        saved_at = f"{timezone.localtime():%H:%M}"
        panel = _panel(request.user, case, section, editable=True, open=True, saved_at=saved_at,
                       unchanged=unchanged)
        return _section_partial(request, case, panel, oob=True)
    messages.success(request, "No changes to save" if unchanged else f"{section.title} saved")
    return redirect(f"{reverse('pathway:case_detail', args=[case.pk])}#{section.slug}")


def _section_refused(request: HtmxHttpRequest, case: Case, form: CaseSectionForm, conflict: str = "") -> HttpResponse:
    """Nothing was saved: show the typed values again with the reasons (or the conflict) above them."""
    if request.htmx:
        panel = _panel(request.user, case, form.section, editable=True, form=form, open=True, conflict=conflict)
        return _section_partial(request, case, panel, oob=False)
    return _detail_page(request, case, bound=form, conflict=conflict)


@login_required
@require_POST
def case_use_readings(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """One click: a summary field takes the value the temperature readings give (audited by the service)."""
    case = get_case_for_user(request.user, pk, Action.EDIT)
    if field not in SERIES_FIELDS:
        raise Http404("No such value")
    section = SECTION_OF_FIELD[field]
    try:
        services.case_use_readings(case=case, field=field, expected_version=_version(request), by=request.user)
    except EnteredInError as exc:  # the service refuses a frozen case (marked before or during this click)
        messages.error(request, f"Not saved: {exc}")
    except EditConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{field_label(field)}: the value from the temperature readings is now recorded")
    return redirect(f"{reverse('pathway:case_detail', args=[case.pk])}#{section.slug}")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --- History ----------------------------------------------------------------------------------------------------


def _show_change(name: str, old: str, new: str) -> tuple[str, str, str]:
    return field_label(name), history_display(name, old), history_display(name, new)


@login_required
@require_GET
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.VIEW)
    return history_page(request, services.case_history(case), _show_change, "pathway/history.html",
                        _case_context(case))


# --- Entered in error --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_entered_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    """Clinical records are never deleted: the case is kept, marked with a reason and left out of lists."""
    case = get_case_for_user(request.user, pk, Action.EDIT)

    def mark(reason: str, version: int) -> Case:
        return services.case_mark_entered_in_error(case=case, reason=reason, expected_version=version, by=request.user)

    return entered_in_error_page(request, case, EnteredInErrorForm(posted(request), case=case), mark=mark,
                                 add_service_errors=add_service_errors, detail="pathway:case_detail",
                                 left_out_of="the case list or the counts", template="pathway/entered_in_error.html",
                                 context=_case_context(case))
