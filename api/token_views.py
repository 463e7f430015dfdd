"""The API tokens page: a signed-in user makes, names and revokes their own tokens.

A new key is shown once, on the page that made it, and is never stored (only its hash). Administrators
revoke anyone's token in the admin (api.admin), through the same service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.models import ApiToken


@never_cache  # the page that shows a new key must not be kept by a browser or proxy
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None, user=request.user)
    new_key = ""
    if form.is_bound and form.is_valid():
        try:
            _, new_key = services.token_create(user=request.user, name=form.cleaned_data["name"],
                                               scopes=form.scopes, reason=form.cleaned_data.get("reason", ""))
            form = TokenForm(user=request.user)
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                target = "read" if field == "scopes" else field
                form.add_error(target if target in form.fields else None, errors)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key,
                                               "token_days": settings.API_TOKEN_DAYS},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # someone else's token is a 404
    services.token_revoke(token=token, by=request.user)
    messages.success(request, f"Token '{token.name}' revoked: it no longer works")
    return redirect("api:tokens")
