"""Forms of the training screens (rendered by the NHS.UK crispy pack). Rules live in training.services; a
form only parses, and `add_service_errors` puts what the service refused beside the field it names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.forms import UKDateField
from training.models import Establishment, KeyMessage, StaffRole, TrainingFormat, TrainingSession
from training.services import SessionValues
from units.models import Network, Unit, UnitQuerySet

HEADCOUNT_HINT = "Number of staff (0 if none)"


def _headcount_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, initial=0, required=False, help_text=HEADCOUNT_HINT,
                              widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}))


class HeadcountsMixin:
    """One whole-number field per staff role, named `headcount_<role>`."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_headcount_fields(self, initial: dict[str, int] | None = None) -> None:
        for role in StaffRole:
            name = f"headcount_{role.value}"
            self.fields[name] = _headcount_field(role.label)
            if initial is not None:
                self.fields[name].initial = initial.get(role.value, 0)

    def headcounts(self) -> dict[str, int]:
        return {role.value: self.cleaned_data.get(f"headcount_{role.value}") or 0 for role in StaffRole}


class SessionForm(HeadcountsMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Unit", empty_label="Choose a unit")
    date = UKDateField(label="Date of session")
    trainer = forms.CharField(label="Trainer", max_length=120)
    format = forms.ChoiceField(label="Format", choices=TrainingFormat.choices, widget=forms.RadioSelect)
    key_messages = forms.ModelMultipleChoiceField(
        queryset=KeyMessage.objects.none(), required=False, label="Key messages covered",
        widget=forms.CheckboxSelectMultiple)
    named_attendees = forms.CharField(
        label="Named attendees (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One name per line. The headcount above is what coverage counts.")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The version the form was opened at: a save from an older one is refused (services.session_update).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: UnitQuerySet, session: TrainingSession | None = None,
                 **kwargs: Any) -> None:
        if session is not None:
            kwargs.setdefault("initial", {
                "unit": session.unit, "date": session.date, "trainer": session.trainer, "format": session.format,
                "key_messages": list(session.key_messages.all()), "named_attendees": session.named_attendees,
                "notes": session.notes, "version": session.version})
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units.order_by("short_name")
        # The lists of the units' networks (each network keeps its own: the service checks the unit's). Retired
        # messages stay selectable on a session that already covered them.
        lists = KeyMessage.objects.filter(network_id__in=units.values("network_id"))
        messages = lists.active()
        if session is not None:
            messages = lists.filter(Q(active=True) | Q(sessions=session)).distinct()
        cast(forms.ModelMultipleChoiceField, self.fields["key_messages"]).queryset = messages.order_by("order", "text")
        self.add_headcount_fields({a.role: a.headcount for a in session.attendance.all()} if session else None)
        # Headcounts read best right after "who came": put them before the names.
        order = ["unit", "date", "trainer", "format", "key_messages",
                 *[f"headcount_{r.value}" for r in StaffRole], "named_attendees", "notes"]
        self.order_fields(order)

    def values(self) -> SessionValues:
        data = self.cleaned_data
        return SessionValues(date=data["date"], trainer=data["trainer"], format=data["format"],
                             headcounts=self.headcounts(), key_messages=list(data["key_messages"]),
                             named_attendees=data["named_attendees"], notes=data["notes"])


class EstablishmentForm(HeadcountsMixin, forms.Form):
    effective_from = UKDateField(label="In force from",
                                 help_text="The date these numbers apply from, e.g. 01/04/2026. Earlier "
                                           "establishments are kept.")

    def __init__(self, *args: Any, current: Establishment | None = None, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_from": today})
        super().__init__(*args, **kwargs)
        self.add_headcount_fields(current.headcounts() if current else None)


class KeyMessageForm(forms.Form):
    network = forms.ModelChoiceField(queryset=Network.objects.none(), label="Network", empty_label=None)
    text = forms.CharField(label="Key message", max_length=200)
    order = forms.IntegerField(label="Position in the list", min_value=0, initial=0, required=False,
                               widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}))
    active = forms.BooleanField(label="In use (untick to retire it; past sessions keep it)", required=False,
                                initial=True)

    def __init__(self, *args: Any, networks: Sequence[Network] = (), **kwargs: Any) -> None:
        """`networks`: whose list a new message joins; asked only of someone who manages several lists."""
        super().__init__(*args, **kwargs)
        if len(networks) > 1:
            cast(forms.ModelChoiceField, self.fields["network"]).queryset = Network.objects.filter(
                pk__in=[n.pk for n in networks]).order_by("name")
        else:
            del self.fields["network"]


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what a service refused beside the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
