"""The board report form (scope, period, sections, narrative), the publish form and the case-export form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import UKDateField
from kpis import dashboard
from kpis.periods import PeriodType
from reporting import periods
from reporting import scope as report_scope
from reporting.models import UNIT_LEVELS, BoardReport, Section, all_sections
from units.access import UserLike
from units.models import Unit


def report_period_choices() -> list[tuple[str, str]]:
    """Calendar and financial years and quarters of the years with stored figures, newest first."""
    years = [int(c.key) for c in dashboard.available_periods().get(PeriodType.YEAR, [])]
    return periods.choices(years, timezone.localdate())


class BoardReportForm(forms.ModelForm):
    scope = forms.ChoiceField(
        label="Report for", help_text="A region, network, integrated care board, local maternity and neonatal "
                                      "system, NHS trust, birth unit or cooling centre you may report on",
        error_messages={"required": "Report for: choose the organisation the report is for",
                        "invalid_choice": "Report for: choose one of the organisations listed"})
    period_key = forms.ChoiceField(label="Period", help_text="A calendar year or quarter, or an NHS financial "
                                                             "year (April to March) or quarter, with stored figures")
    sections = forms.MultipleChoiceField(
        choices=Section.choices, widget=forms.CheckboxSelectMultiple, initial=all_sections,
        help_text="The parts of the programme the report shows",
        error_messages={"required": "Sections: choose at least one part of the programme to report on"})
    impact_from = UKDateField(label="Programme start (optional)", required=False,
                              help_text="Impact estimates are also added up from this date to the end of the period. "
                                        "For example, 01/04/2019")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BoardReport
        fields = ["title", "period_key", "sections", "for_external", "impact_from", "what_changed",
                  "summary", "highlights", "concerns", "actions"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in (*BoardReport.NARRATIVE_FIELDS, "what_changed")}

    field_order = ["title", "scope"]

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[Any] = report_scope.choices_for(user, timezone.localdate())
        current = self._current_scope()
        offered = {value for _, options in groups for value, _label in options}
        if current and current not in offered:  # a report made before the user's roles changed keeps its scope
            groups.insert(0, ("Now", [(current, self.instance.scope_name)]))
        scope = cast(forms.ChoiceField, self.fields["scope"])
        scope.choices = [("", "Choose an organisation"), *groups]
        networks = [value for value, _label in next((options for label, options in groups if label == "Network"), [])]
        scope.initial = current or next(iter(networks), "")  # a new report: the user's network
        choices = report_period_choices()
        current = self.instance.period_key if self.instance.pk else ""
        if current and current not in dict(choices):
            choices.insert(0, (current, self.instance.period_label))
        cast(forms.ChoiceField, self.fields["period_key"]).choices = choices
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if not self.instance.corrects_id:
            del self.fields["what_changed"]  # only a correction says what changed

    def _current_scope(self) -> str:
        report = self.instance
        if not report.pk:
            return ""
        return f"{report.level}:{report.org.ods_code if report.org else report.area_code}"

    def clean(self) -> dict[str, Any]:
        """The chosen organisation onto the report, so the model's scope rules check it."""
        cleaned = super().clean() or {}
        if cleaned.get("scope"):
            for name, value in self._scope_values(cleaned["scope"]).items():
                setattr(self.instance, name, value)
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's scope errors (level, unit, organisation code) belong to "Report for"."""
        if hasattr(errors, "error_dict"):
            for name in ("level", "org", "area_code"):
                if name in errors.error_dict:
                    errors.error_dict.setdefault("scope", []).extend(errors.error_dict.pop(name))
        super()._update_errors(errors)  # type: ignore[misc]  # ModelForm has it; the stubs do not

    @staticmethod
    def _scope_values(chosen: str) -> dict[str, Any]:
        level, _, code = chosen.partition(":")
        unit = level in UNIT_LEVELS
        return {"level": level, "org": Unit.objects.filter(ods_code=code).first() if unit else None,
                "area_code": "" if unit else code}

    def values(self) -> dict[str, Any]:
        """The form's fields, with "Report for" as the report's level, unit and organisation code."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        values.update(self._scope_values(self.cleaned_data["scope"]))
        return values


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have checked the figures and sign this report off for the board",
        error_messages={"required": "Tick the box to confirm you have checked the figures and sign the report off"})


class CaseExportForm(forms.Form):
    identifiable = forms.BooleanField(
        required=False, label="Identifiable (real case references and NHS numbers)",
        help_text="Only for clinical nurse specialists and administrators, with a reason")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why the identifiable file is needed; kept in the audit trail")
