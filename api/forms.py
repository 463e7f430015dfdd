from __future__ import annotations

from typing import Any

from django import forms

from api.models import Scope
from pathway import csv_io
from units.access import UserLike

READ_CHOICES = [
    (Scope.READ_PSEUDONYMISED.value, "Pseudonymised: no NHS numbers, case references replaced, dates moved to the "
                                     "1st of the month (as the pseudonymised CSV)"),
    (Scope.READ_IDENTIFIABLE.value, "Identifiable: real case references and NHS numbers (needs a reason)"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token", max_length=80,
        help_text="What will use it, so you can tell your tokens apart, e.g. 'Watford EPR nightly extract'",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-30"}),
        error_messages={"required": "Enter a name for the token, e.g. what will use it"})
    read = forms.ChoiceField(label="What it reads", choices=READ_CHOICES, initial=Scope.READ_PSEUDONYMISED.value,
                             widget=forms.RadioSelect, required=False)
    write = forms.BooleanField(label="It may also add and change cases (write)", required=False,
                               help_text="Only as far as your role allows on the screens")
    reason = forms.CharField(
        label="Reason for identifiable reads", required=False, max_length=csv_io.MAX_REASON_CHARS,
        help_text="Required for an identifiable token; kept in the audit trail and the export log",
        widget=forms.Textarea(attrs={"rows": 2, "class": "nhsuk-textarea"}))

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not csv_io.may_export_identifiable(user):
            # Only roles that may export identifiable data are offered (and given) identifiable reads.
            self.fields["read"].choices = READ_CHOICES[:1]  # type: ignore[attr-defined]
            del self.fields["reason"]

    def clean_read(self) -> str:
        return self.cleaned_data.get("read") or Scope.READ_PSEUDONYMISED.value  # the default, unless chosen

    @property
    def scopes(self) -> list[str]:
        return [self.cleaned_data["read"], *([Scope.WRITE.value] if self.cleaned_data.get("write") else [])]
