"""The public family website: no sign-in, NHS.UK look, and no patient data.

These views read only `families.selectors`' public read models (pages, events, approved feedback); they
never touch a case, a support log or an invitation (tests/test_public.py captures the SQL to prove it).

Each network runs its own website (issue 18): /families/network/CODE/… shows that network's pages, events and
approved feedback and sends feedback to it; /families/… is the deployment's first network's, as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from families import booklet, selectors, services
from families import feedback as spam
from families.forms import FeedbackForm
from families.privacy import privacy_facts
from units.models import Network


def _site(network: str | None) -> tuple[Network | None, dict[str, Any]]:
    """The network the address names (404 for an unknown code) and the context every public page needs."""
    site = selectors.site_network(network)
    if network and site is None:
        raise Http404("No such network")
    return site, {"site": site, "site_code": network.lower() if network else ""}


def _id(site: Network | None) -> int | None:
    return site.pk if site else None


@require_GET
def home(request: HttpRequest, network: str | None = None) -> HttpResponse:
    site, context = _site(network)
    return render(request, "families/public/home.html", {
        **context, "pages": selectors.published_pages(_id(site)),
        "events": selectors.upcoming_events(limit=3, network_id=_id(site)),
    })


@require_GET
def page(request: HttpRequest, slug: str, network: str | None = None) -> HttpResponse:
    site, context = _site(network)
    found = selectors.published_page(slug, _id(site))
    if found is None:
        raise Http404("No such page")
    return render(request, "families/public/page.html", {
        **context, "page": found, "pages": selectors.published_pages(_id(site))})


@require_GET
def events(request: HttpRequest, network: str | None = None) -> HttpResponse:
    site, context = _site(network)
    return render(request, "families/public/events.html", {
        **context, "events": selectors.upcoming_events(network_id=_id(site))})


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, network: str | None = None) -> HttpResponse:
    site, context = _site(network)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    limited = False
    if form.is_bound:
        visitor = spam.visitor_hash(request)
        limited = spam.over_limit(visitor)
        if not limited and (form.is_robot or form.is_valid()):
            spam.count_submission(visitor)
            if not form.is_robot:
                services.feedback_submit(message=form.cleaned_data["message"], network=site)
            messages.success(request, "Thank you. Your feedback has been sent. A nurse specialist reads every "
                                      "message before any of it is shown on this website.")
            return redirect(reverse("families:network_feedback", args=[network]) if network
                            else reverse("families:feedback"))
    status = 429 if limited else 200
    return render(request, "families/public/feedback.html", {
        **context, "form": form, "limited": limited, "approved": selectors.approved_feedback(network_id=_id(site)),
    }, status=status)


@require_GET
def booklet_pdf(request: HttpRequest, network: str | None = None) -> HttpResponse:
    site, _context = _site(network)
    pdf = booklet.booklet_pdf(request.build_absolute_uri("/"), network_id=_id(site))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="family-booklet.pdf"'
    return response


@require_GET
def privacy(request: HttpRequest, network: str | None = None) -> HttpResponse:
    """The privacy notice: what the service holds, why, who sees it, how long, and whom to ask. At /families/ it
    reads nothing from the database (tests/test_privacy.py); a network's address looks up only its name."""
    context = _site(network)[1] if network else {"site_code": ""}
    return render(request, "families/public/privacy.html", {**context, "facts": privacy_facts()})
