"""The family support log of a case: seen by those who may view the case, changed by those who may edit it.

The case comes through `pathway.access` (a case the user may not reach is a 404); each form posts to its
own endpoint and makes one call to `families.services`; a refused save shows the page again with the reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from core.fields import concrete_field
from families import selectors, services
from families.forms import ConsentForm, ContactForm, GivenForm, InvitationStatusForm, InviteForm
from families.models import Invitation
from pathway.access import can, get_case_for_user
from pathway.forms import add_service_errors
from pathway.models import Case
from units.access import Action, UserLike


def _may_edit(user: UserLike, case: Case) -> bool:
    return not case.entered_in_error and can(user, case, Action.EDIT)


def _editable_case(request: HttpRequest, pk: int) -> Case:
    case = get_case_for_user(request.user, pk, Action.EDIT)
    if case.entered_in_error:
        raise PermissionDenied("This case is marked as entered in error: it can no longer be changed")
    return case


def _page(request: HttpRequest, case: Case, status: int = 200, **bound: forms.Form) -> HttpResponse:
    log = services.support_log_for(case)
    editable = _may_edit(request.user, case)
    context: dict[str, Any] = {
        "case": case, "log": log, "editable": editable,
        "contacts": list(log.contacts.all()) if log else [],
        "invitations": list(log.invitations.select_related("event__host_unit")) if log else [],
        "history": services.log_history(case),
        "status_choices": concrete_field(Invitation, "status").choices,
    }
    if editable:
        user_name = request.user.get_full_name() or request.user.get_username()  # type: ignore[union-attr]
        context.update(
            given_form=bound.get("given_form") or GivenForm(log=log, prefix="given"),
            consent_form=bound.get("consent_form") or ConsentForm(log=log, prefix="consent"),
            contact_form=bound.get("contact_form") or ContactForm(initial={"by_name": user_name}),
            invite_form=bound.get("invite_form") or InviteForm(events=selectors.invitable_events(request.user)),
        )
    return render(request, "families/case_log.html", context, status=status)


@login_required
@require_GET
def case_log(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_case_for_user(request.user, pk, Action.VIEW))


def _save_log(request: HttpRequest, pk: int, form_class: type[GivenForm | ConsentForm], name: str,
              done: str) -> HttpResponse:
    case = _editable_case(request, pk)
    form = form_class(request.POST, log=services.support_log_for(case), prefix=name.split("_")[0])
    if form.is_valid():
        try:
            services.support_log_update(case=case, values=form.values(), expected_version=form.expected_version,
                                        by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("families:case_log", pk=case.pk)
    return _page(request, case, status=400, **{name: form})


@login_required
@require_POST
def given_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_log(request, pk, GivenForm, "given_form", "Booklet and website details saved")


@login_required
@require_POST
def consent_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_log(request, pk, ConsentForm, "consent_form", "Consent to contact saved")


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(case=case, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Contact recorded")
            return redirect("families:case_log", pk=case.pk)
    return _page(request, case, status=400, contact_form=form)


@login_required
@require_POST
def invitation_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    form = InviteForm(request.POST, events=selectors.invitable_events(request.user))
    if form.is_valid():
        try:
            services.invitation_record(case=case, event=form.cleaned_data["event"], by=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation to {form.cleaned_data['event']} recorded: it is to be sent")
            return redirect("families:case_log", pk=case.pk)
    return _page(request, case, status=400, invite_form=form)


@login_required
@require_POST
def invitation_status(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, log__case=case)
    form = InvitationStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an invitation status")
    else:
        try:
            services.invitation_set_status(invitation=invitation, status=form.cleaned_data["status"],
                                           by=request.user)
        except (ValidationError, DomainError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"Invitation to {invitation.event} updated")
    return redirect("families:case_log", pk=case.pk)


def _add_error(form: forms.Form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc)
    else:
        form.add_error(None, str(exc))

