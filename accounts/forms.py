from __future__ import annotations

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser

from accounts import services
from accounts.models import Invitation
from core.forms import UKDateField
from units.models import Role


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
    unit = forms.ModelChoiceField(label="Unit", queryset=None, empty_label="Choose a unit")
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: object, inviter: AbstractBaseUser, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = services.invitable_units(inviter)
        labels = dict(Role.choices)
        self.fields["role"].choices = [("", "Choose a role")] + [
            (role, labels[role]) for role in services.grantable_roles(inviter)]


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Show", required=False,
                               choices=[("", "All invitations"), *Invitation.Status.choices])


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not like your username or name, not a common or all-number password")
    password2 = forms.CharField(label="Password again", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Password again must match the password")
        return data


class LogFilterForm(forms.Form):
    KINDS = [
        ("", "All"),
        ("sign_in", "Sign-ins and sign-outs"),
        ("failure", "Failures and lockouts"),
        ("account", "Two-factor, unlocks and invitations"),
        ("export", "Exports"),
    ]
    kind = forms.ChoiceField(label="Show", choices=KINDS, required=False)
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = UKDateField(label="From", required=False)
    date_to = UKDateField(label="To", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "To must be on or after From")
        return data
