"""Sign-in pages (password, two-factor set-up and code), changing and resetting a password, the administrators'
recovery pages, invitations (send, list, revoke, accept) and the sign-in log. Thin: decisions in units.access,
changes in accounts.services."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import (
    LoginView,
    LogoutView,
    PasswordChangeView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    InvitationFilterForm,
    InvitationForm,
    LogFilterForm,
    NewPasswordForm,
    ResetRequestForm,
)
from accounts.services import Event
from core.models import AuditEvent
from core.requests import AuthenticatedHttpRequest
from core.timeutil import LONDON
from units.access import Action, may

LOG_KINDS: dict[str, Q] = {
    "sign_in": Q(action__in=[Event.SIGN_IN, Event.SIGN_OUT, Event.IDLE_SIGN_OUT, Event.SESSION_EXPIRED,
                             Event.TWO_FACTOR_VERIFIED]),
    "failure": Q(action__in=[Event.SIGN_IN_FAILED, Event.LOCKED_OUT, Event.TWO_FACTOR_FAILED]),
    "account": Q(action__in=[Event.TWO_FACTOR_SET_UP, Event.TWO_FACTOR_RESET, Event.UNLOCKED, Event.INVITED,
                             Event.INVITATION_ACCEPTED, Event.INVITATION_REVOKED, Event.PASSWORD_CHANGED,
                             Event.PASSWORD_RESET_REQUESTED, Event.PASSWORD_RESET]),
    "export": Q(action=AuditEvent.Action.EXPORT),
}

EVENT_LABELS = {
    Event.SIGN_IN: "Signed in (password)", Event.SIGN_IN_FAILED: "Sign-in failed", Event.SIGN_OUT: "Signed out",
    Event.IDLE_SIGN_OUT: "Signed out (inactive)", Event.SESSION_EXPIRED: "Signed out (session lifetime)",
    Event.LOCKED_OUT: "Locked out", Event.UNLOCKED: "Unlocked",
    Event.TWO_FACTOR_SET_UP: "Two-factor set up", Event.TWO_FACTOR_VERIFIED: "Two-factor passed",
    Event.TWO_FACTOR_FAILED: "Two-factor code wrong", Event.TWO_FACTOR_RESET: "Two-factor reset",
    Event.INVITED: "Invited", Event.INVITATION_ACCEPTED: "Invitation accepted",
    Event.INVITATION_REVOKED: "Invitation revoked", Event.PASSWORD_CHANGED: "Password changed",
    Event.PASSWORD_RESET_REQUESTED: "Password reset link sent", Event.PASSWORD_RESET: "Password reset",
}
INVITE_AGAIN_FIELDS = ("email", "unit", "role")


def _require(user: User, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(f"Your role does not allow this ({action})")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return landing_url(request.user)


def landing_url(user: User | AnonymousUser) -> str:
    """Where sign-in lands without a `next`: the case list, or the KPI dashboard for a role that may not list
    cases (the regional lead, read only and pseudonymised: the case list would be empty for it)."""
    if user.is_authenticated and not may(user, Action.LIST):
        return reverse("kpis:overview")
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """The site's root address: the signed-in user's landing page (`landing_url`)."""
    return redirect(landing_url(request.user))


class SignInView(LoginView):
    template_name = "registration/login.html"

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        services.record_sign_in(form.get_user())
        return response

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = settings.IDLE_TIMEOUT_MINUTES if self.request.GET.get("idle") else None
        context["session_hours"] = settings.SESSION_MAX_HOURS if self.request.GET.get("expired") else None
        return context


class SignOutView(LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            services.record_sign_out(request.user, idle=False)
        return super().post(request, *args, **kwargs)


# --- Passwords (Django's views, our forms and templates; the forms save through accounts.services) ----------

class ChangePasswordView(PasswordChangeView):
    """Signed in and past two-factor (the middleware sends anyone else to it). Django keeps this session
    signed in (update_session_auth_hash) and two-factor verified; the user's other sessions end."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed. Use it next time you sign in; you "
                                       "have been signed out anywhere else you were signed in.")
        return response


class _ResetLinkLifetime:
    """How long the emailed link lasts (PASSWORD_RESET_TIMEOUT), for the pages and the email that say so."""

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        # A mixin: the Django view it is mixed into has get_context_data, which mypy cannot see from here.
        return {**super().get_context_data(**kwargs), **self.extra_email_context}  # type: ignore[misc]

    @property
    def extra_email_context(self) -> dict[str, object]:
        return {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class ResetRequestView(_ResetLinkLifetime, PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        if services.reset_request_allowed(form.cleaned_data["email"], self.request.META.get("REMOTE_ADDR", "")):
            return super().form_valid(form)
        # Over the hour's limit: the same answer as any other request, and no email.
        return HttpResponseRedirect(self.get_success_url())


class ResetDoneView(_ResetLinkLifetime, PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class ResetConfirmView(_ResetLinkLifetime, PasswordResetConfirmView):
    """The emailed link. It never signs anyone in (post_reset_login stays False): the person signs in with
    the new password and then still gives their two-factor code."""

    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


class ResetCompleteView(PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg"):]  # inline: drop the XML prolog


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if services.has_confirmed_device(request.user):
        # A second authenticator only after this one has been used: a stolen password cannot replace it.
        if request.user.is_verified():
            return redirect(_next_url(request))
        return redirect(f"{reverse('accounts:two_factor_verify')}?{request.GET.urlencode()}")
    device = services.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_device(device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", "Code is not correct: enter the 6 digits your app shows now")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr_svg": mark_safe(_qr_svg(device.config_url)),  # SVG made by qrcode from our own URL
        "secret": services.secret_text(device), "next": _next_url(request),
    })


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:two_factor_setup')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])  # a backup code is deleted as it matches
        if device is not None:
            otp_login(request, device)
            services.record_verified(request.user, device)
            return redirect(_next_url(request))
        services.record_failed_code(request.user)
        form.add_error("code", "Code is not correct: enter the 6 digits your app shows now, or a backup code")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def backup_codes_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    codes = services.renew_backup_codes(request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("pathway:case_list")})


# --- Administrators' recovery route --------------------------------------------------------------------------

@login_required
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Action.MANAGE_ACCOUNTS)
    users = list(get_user_model().objects.order_by("username").prefetch_related("memberships__unit"))
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    locked = set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
                 .values_list("username", flat=True))
    rows = [{"user": u, "two_factor": u.pk in with_device, "locked": u.username in locked} for u in users]
    unknown_locked = sorted(locked - {u.username for u in users})
    return render(request, "accounts/user_list.html", {"rows": rows, "unknown_locked": unknown_locked})


@login_required
@require_POST
def reset_two_factor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Action.MANAGE_ACCOUNTS)
    user = get_object_or_404(get_user_model(), pk=pk)
    services.reset_two_factor(user, by=request.user)
    messages.success(request, f"Two-factor authentication reset for {user.get_username()}: they will set it up "
                              "again at their next sign-in.")
    return redirect("accounts:user_list")


@login_required
@require_POST
def unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Action.MANAGE_ACCOUNTS)
    username = request.POST.get("username", "").strip()
    if not username:
        messages.error(request, "Username is required to unlock a sign-in")
        return redirect("accounts:user_list")
    cleared = services.unlock(username, by=request.user)
    messages.success(request, f"Sign-in unlocked for {username} ({cleared} locked record(s) cleared).")
    return redirect("accounts:user_list")


@login_required
def sign_in_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Action.MANAGE_ACCOUNTS)
    form = LogFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(Q(object_type=services.OBJECT) | Q(object_type="invitation")
                                       | LOG_KINDS["export"]).select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(LOG_KINDS[data["kind"]])
        if data["username"]:  # account events name the username, so failures for unknown names match too
            events = events.filter(Q(actor__username__iexact=data["username"])
                                   | Q(object_type=services.OBJECT, object_id__iexact=data["username"]))
        if data["date_from"]:
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=LONDON))
        if data["date_to"]:
            events = events.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min,
                                                           tzinfo=LONDON))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.label = EVENT_LABELS.get(event.action) or event.get_action_display()  # type: ignore[attr-defined]  # for the template only
    return render(request, "accounts/sign_in_log.html", {"form": form, "page": page})


# --- Invitations ---------------------------------------------------------------------------------------------

@login_required
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Action.INVITE)
    # "Invite again" on the invitations page fills the form from the old invitation; nothing is sent until POST.
    initial = {name: request.GET[name] for name in INVITE_AGAIN_FIELDS if name in request.GET}
    form = InvitationForm(request.POST or None, inviter=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        accept_url = request.build_absolute_uri(reverse("accounts:accept_invitation", args=["TOKEN"]))
        try:
            invitation = services.invite(by=request.user, accept_url=accept_url, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works once, for "
                                      f"{services.INVITATION_HOURS} hours.")
            return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@login_required
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request.user, Action.INVITE)
    form = InvitationFilterForm(request.GET or None)
    invitations = services.manageable_invitations(request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        invitations = invitations.with_status(form.cleaned_data["status"])
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/invitation_list.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only the POST revokes. Invitations the user may not manage are a 404."""
    _require(request.user, Action.INVITE)
    invitation = get_object_or_404(services.manageable_invitations(request.user), pk=pk)
    if request.method == "GET":
        if invitation.is_open:
            return render(request, "accounts/invitation_revoke.html", {"invitation": invitation})
        messages.info(request, f"The invitation to {invitation.email} is {invitation.status.label.lower()}: "
                               "there is nothing to revoke.")
        return redirect("accounts:invitation_list")
    try:
        services.revoke_invitation(invitation, by=request.user)
    except ValidationError as error:  # accepted, expired or revoked since the list was loaded
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Invitation to {invitation.email} revoked: its link no longer works.")
    return redirect("accounts:invitation_list")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.link_invitation(token)
    if invitation is None or not invitation.is_open:
        status = invitation.status if invitation is not None else None
        return render(request, "accounts/invitation_invalid.html", {"status": status}, status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(invitation, username=data["username"], password=data["password1"],
                                              first_name=data["first_name"], last_name=data["last_name"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:two_factor_setup")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})
