"""The public family website: no sign-in, NHS.UK look, and no patient data.

These views read only `families.selectors`' public read models (pages, events, approved feedback); they
never touch a case, a support log or an invitation (tests/test_public.py captures the SQL to prove it).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from families import booklet, selectors, services
from families import feedback as spam
from families.forms import FeedbackForm
from families.privacy import privacy_facts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "families/public/home.html", {
        "pages": selectors.published_pages(), "events": selectors.upcoming_events(limit=3),
    })


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.published_page(slug)
    if found is None:
        raise Http404("No such page")
    return render(request, "families/public/page.html", {"page": found, "pages": selectors.published_pages()})


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    return render(request, "families/public/events.html", {"events": selectors.upcoming_events()})


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    limited = False
    if form.is_bound:
        visitor = spam.visitor_hash(request)
        limited = spam.over_limit(visitor)
        if not limited and (form.is_robot or form.is_valid()):
            spam.count_submission(visitor)
            if not form.is_robot:
                services.feedback_submit(message=form.cleaned_data["message"])
            messages.success(request, "Thank you. Your feedback has been sent. A nurse specialist reads every "
                                      "message before any of it is shown on this website.")
            return redirect("families:feedback")
    status = 429 if limited else 200
    return render(request, "families/public/feedback.html", {
        "form": form, "limited": limited, "approved": selectors.approved_feedback(),
    }, status=status)


@require_GET
def booklet_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(booklet.booklet_pdf(request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="family-booklet.pdf"'
    return response


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what the service holds, why, who sees it, how long, and whom to ask."""
    return render(request, "families/public/privacy.html", {"facts": privacy_facts()})
