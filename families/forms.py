"""Forms of the families app: the support log, contacts, invitations, events, website pages and feedback.

Forms give good messages; `families.services` checks the rules again inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.fields import concrete_field
from core.forms import LocalDateTimeField, UKDateField
from families import feedback as spam
from families.models import ContactMode, FamilyEvent, FamilySupportLog, InvitationStatus, Page, PageVersion
from families.services import LOG_FIELDS
from units.models import Designation, Network, Unit

_TEXT = {"class": "nhsuk-input"}
_NAME = {"class": "nhsuk-input nhsuk-input--width-20", "autocomplete": "off"}


def _version_field(initial: int) -> forms.IntegerField:
    message = "Reload the page and enter your change again"
    return forms.IntegerField(widget=forms.HiddenInput, initial=initial,
                              error_messages={"required": message, "invalid": message})


class _LogForm(forms.Form):
    """One part of the support log (booklet and website, or consent), with the log's version."""

    names: tuple[str, ...] = ()

    def __init__(self, data: Any = None, *, log: FamilySupportLog | None, prefix: str) -> None:
        initial = {name: getattr(log, name) for name in self.names} if log else {}
        super().__init__(data, initial=initial, prefix=prefix)
        self.fields["version"] = _version_field(log.version if log else 1)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.names if name in LOG_FIELDS}

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])


class GivenForm(_LogForm):
    names = ("booklet_given_on", "booklet_given_by", "website_given_on", "website_given_by")

    booklet_given_on = UKDateField(label="Date the family booklet was given", required=False,
                                   help_text="Leave empty if not given yet. e.g. 14/05/2026")
    booklet_given_by = forms.CharField(label="Booklet given by", required=False, max_length=120,
                                       widget=forms.TextInput(_NAME))
    website_given_on = UKDateField(label="Date the website details were given", required=False)
    website_given_by = forms.CharField(label="Website details given by", required=False, max_length=120,
                                       widget=forms.TextInput(_NAME))


class ConsentForm(_LogForm):
    names = ("consent_given_on", "consent_given_by", "consent_withdrawn_on", "consent_withdrawn_by")

    consent_given_on = UKDateField(label="Date the family gave consent to be contacted", required=False)
    consent_given_by = forms.CharField(label="Consent recorded by", required=False, max_length=120,
                                       widget=forms.TextInput(_NAME))
    consent_withdrawn_on = UKDateField(
        label="Date the family withdrew consent", required=False,
        help_text="From this date no invitation can be recorded or sent, and invitations not yet sent are "
                  "cancelled. e.g. 14/05/2026")
    consent_withdrawn_by = forms.CharField(label="Withdrawal recorded by", required=False, max_length=120,
                                           widget=forms.TextInput(_NAME))


class ContactForm(forms.Form):
    contacted_on = UKDateField(label="Date of contact")
    by_name = forms.CharField(label="Contact made by", max_length=120, widget=forms.TextInput(_NAME))
    mode = forms.ChoiceField(label="How", choices=ContactMode.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           widget=forms.Textarea({"class": "nhsuk-textarea", "rows": 3}),
                           help_text="What was discussed or agreed. No more than 2000 characters")

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="contact", **kwargs)


class InviteForm(forms.Form):
    event = forms.ModelChoiceField(label="Family event", queryset=FamilyEvent.objects.none(),
                                   empty_label="Choose an event")

    def __init__(self, data: Any = None, *, events: QuerySet[FamilyEvent], **kwargs: Any) -> None:
        super().__init__(data, prefix="invite", **kwargs)
        self.fields["event"].queryset = events  # type: ignore[attr-defined]
        self.fields["event"].widget.attrs["class"] = "nhsuk-select"


class InvitationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=InvitationStatus.choices)


class EventForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends", required=False)

    class Meta:
        model = FamilyEvent
        fields = ["title", "starts_at", "ends_at", "venue", "host_unit", "families_attending", "staff_attending",
                  "notes", "published"]
        widgets = {
            "title": forms.TextInput(_TEXT),
            "venue": forms.TextInput(_TEXT),
            "families_attending": forms.TextInput({"class": "nhsuk-input nhsuk-input--width-4",
                                                   "inputmode": "numeric"}),
            "staff_attending": forms.TextInput({"class": "nhsuk-input nhsuk-input--width-4", "inputmode": "numeric"}),
            "notes": forms.Textarea({"class": "nhsuk-textarea", "rows": 3}),
        }

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units.filter(active=True).exclude(designation=Designation.TRANSPORT)
        self.fields["host_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["host_unit"].empty_label = "Choose a unit"  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PageForm(forms.Form):
    title = forms.CharField(max_length=120, widget=forms.TextInput(_TEXT))
    summary = forms.CharField(max_length=250, required=False, widget=forms.TextInput(_TEXT),
                              help_text="One sentence shown in the list of pages")
    body = forms.CharField(label="Text", max_length=20000,
                           widget=forms.Textarea({"class": "nhsuk-textarea", "rows": 18}),
                           help_text=concrete_field(PageVersion, "body").help_text)
    note = forms.CharField(label="What changed", max_length=200, required=False, widget=forms.TextInput(_TEXT))


class NewPageForm(PageForm):
    slug = forms.SlugField(label="Web address", max_length=60, help_text=concrete_field(Page, "slug").help_text,
                           widget=forms.TextInput({"class": "nhsuk-input nhsuk-input--width-20"}))
    position = forms.IntegerField(label="Order in the menu and booklet", min_value=0, max_value=999, initial=10,
                                  widget=forms.TextInput({"class": "nhsuk-input nhsuk-input--width-4",
                                                          "inputmode": "numeric"}))
    network = forms.ModelChoiceField(queryset=Network.objects.none(), label="Website of", empty_label=None)
    field_order = ["network", "slug", "position", "title", "summary", "body"]

    def __init__(self, *args: Any, networks: Sequence[Network] = (), **kwargs: Any) -> None:
        """`networks`: whose website the page joins; asked only of someone who runs several."""
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        if len(networks) > 1:
            cast(forms.ModelChoiceField, self.fields["network"]).queryset = Network.objects.filter(
                pk__in=[n.pk for n in networks]).order_by("name")
        else:
            del self.fields["network"]


class FeedbackForm(forms.Form):
    """Anonymous feedback. `website` is the honeypot; `started` the signed time the form was shown."""

    message = forms.CharField(
        label="Your feedback", max_length=2000,
        widget=forms.Textarea({"class": "nhsuk-textarea", "rows": 6}),
        help_text="Please do not include names, your baby's details or anything that could identify you. "
                  "No more than 2000 characters.")
    website = forms.CharField(label="Leave this empty", required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, initial={"started": spam.started_token()}, **kwargs)

    @property
    def is_robot(self) -> bool:
        """Filled the honeypot: accept silently, store nothing (telling a robot why only teaches it)."""
        return bool(self.data.get("website"))

    def clean_started(self) -> str:
        token = self.cleaned_data["started"]
        elapsed = spam.seconds_since(token)
        if elapsed is None:
            raise ValidationError("This form has expired: please copy your feedback, reload the page and send it "
                                  "again")
        if elapsed < settings.FAMILIES_FEEDBACK_MIN_SECONDS:
            raise ValidationError("The form was sent too quickly to have been typed: please check your feedback "
                                  "and send it again")
        return token
