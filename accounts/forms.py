from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User

from accounts import services
from accounts.models import Invitation
from core.forms import UKDateField
from units.models import Role, Unit


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=20, help_text="The 6-digit code from your authenticator app",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "class": "nhsuk-input--width-10"}))

    def clean_code(self) -> str:
        code = services.clean_code(self.cleaned_data["code"])
        if not code.isascii() or not code.isalnum():
            raise forms.ValidationError("Code must be 6 digits, or a backup code of letters and numbers")
        return code


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label="Unit", queryset=None,
                                                               empty_label="Choose a unit")
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, inviter: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = services.invitable_units(inviter)
        labels = dict(Role.choices)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Choose a role")] + [
            (role, labels[role]) for role in services.grantable_roles(inviter)]


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Show", required=False,
                               choices=[("", "All invitations"), *Invitation.Status.choices])


PASSWORD_HELP = "At least 12 characters, not like your username or name, not a common or all-number password"


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=PASSWORD_HELP)
    password2 = forms.CharField(label="Password again", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returned
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Password again must match the password")
        return data


class NewPasswordForm(SetPasswordForm):
    """The new password, twice, from an emailed reset link. Django's form applies AUTH_PASSWORD_VALIDATORS;
    the save goes through accounts.services so it is audited."""

    reset = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""
        self.error_messages = {**self.error_messages, "password_mismatch": "New password again must match the "
                                                                          "new password"}

    def clean(self) -> dict[str, Any] | None:
        # As SetPasswordForm.clean, but the validators' errors go by "New password", where its hint is.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean()

    def save(self, commit: bool = True) -> User:
        services.set_password(self.user, self.cleaned_data["new_password1"], reset=self.reset)
        return self.user


class ChangePasswordForm(NewPasswordForm, PasswordChangeForm):
    """Current password, then the new one twice (signed in)."""

    reset = False
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.error_messages["password_incorrect"] = "Current password is not correct: enter it again"


class ResetRequestForm(PasswordResetForm):
    """Django's reset request: it emails only active accounts with a usable password, and says the same
    whatever the address. The email holds the link and nothing that identifies anyone."""

    email = forms.EmailField(label="Email address", max_length=254,
                             help_text="The email address your account was set up with",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  *args: Any, **kwargs: Any) -> None:
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
        services.record_reset_link_sent(context["user"])


class LogFilterForm(forms.Form):
    KINDS = [
        ("", "All"),
        ("sign_in", "Sign-ins and sign-outs"),
        ("failure", "Failures and lockouts"),
        ("account", "Passwords, two-factor, unlocks and invitations"),
        ("export", "Exports"),
    ]
    kind = forms.ChoiceField(label="Show", choices=KINDS, required=False)
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = UKDateField(label="From", required=False)
    date_to = UKDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returned
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "To must be on or after From")
        return data
