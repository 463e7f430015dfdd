"""Referrals, cooled or not (`pathway.referrals`): the list with its decision and reason, filterable, and the
summary of what is listed. Only the user's cases (`pathway.access`), like every case list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathway import referrals
from pathway.access import cases_for
from pathway.forms import visible_units
from pathway.views.records import page_of
from units.access import Action


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    visible = referrals.referrals(cases_for(request.user, Action.LIST))
    form = referrals.ReferralFilterForm(request.GET, units=visible_units(request.user, visible))
    listed = form.filter(visible)
    return render(request, "pathway/referral_list.html", {
        "form": form, "page": page_of(request, listed), "counts": referrals.counts(listed),
    })
