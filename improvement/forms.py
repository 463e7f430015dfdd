"""Forms of the improvement screens (NHS.UK crispy pack). Rules live in improvement.services; a form parses,
and `add_service_errors` (training.forms) puts what the service refused beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from core.forms import UKDateField
from improvement import catalogue
from improvement.models import Status
from units.models import Unit, UnitQuerySet

NETWORK_CHOICE = ""


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionForm(forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Network (all units)",
        help_text="The unit whose practice this action changes")
    kpi = forms.ChoiceField(label="KPI", choices=())
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="What the KPI shows")
    change_idea = forms.CharField(label="Change idea", widget=forms.Textarea(attrs={"rows": 3}))
    owner = OwnerChoiceField(queryset=get_user_model().objects.filter(is_active=True, memberships__isnull=False)
                                   .distinct().order_by("first_name", "last_name", "username"))
    due_date = UKDateField(label="Due date")
    status = forms.ChoiceField(choices=Status.choices, initial=Status.PLANNED)
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Required when the action is done or abandoned")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: UnitQuerySet, network_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        if not network_wide:
            unit_field.required = True
            unit_field.empty_label = None
        self.fields["kpi"].choices = [("", "Choose a KPI"), *catalogue.choices()]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in
                ("unit", "kpi", "problem", "change_idea", "owner", "due_date", "status", "outcome")}


class CycleForm(forms.Form):
    cycle_date = UKDateField(label="Date")
    plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What change, and what you predict")
    do = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What happened when you tried it")
    study = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What the data showed")
    act = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Adopt, adapt or abandon, and next")


class FilterForm(forms.Form):
    unit = forms.CharField(required=False)
    kpi = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    overdue = forms.BooleanField(required=False)
