"""The board report form (scope, period, title, narrative) and the background case-export form."""

from __future__ import annotations

from typing import Any

from django import forms

from kpis import dashboard
from kpis.periods import PeriodType
from reporting.models import BoardReport
from units.models import Designation, Unit


def report_period_choices() -> list[tuple[str, str]]:
    """Stored quarters and years, newest first (a report of a period without figures would be empty)."""
    stored = dashboard.available_periods()
    return [(c.key, c.label) for kind in (PeriodType.YEAR, PeriodType.QUARTER) for c in stored.get(kind, [])]


class BoardReportForm(forms.ModelForm):
    period_key = forms.ChoiceField(label="Period", help_text="A calendar quarter or year with stored figures")

    class Meta:
        model = BoardReport
        fields = ["title", "level", "org", "period_key", "for_external", "summary", "highlights", "concerns",
                  "actions"]
        labels = {"level": "Report for", "org": "Unit"}
        help_texts = {"org": "The birth unit or cooling centre; leave empty for a network report"}
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in BoardReport.NARRATIVE_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = report_period_choices()
        current = self.instance.period_key if self.instance.pk else ""
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["period_key"].choices = choices
        self.fields["org"].queryset = Unit.objects.exclude(designation=Designation.TRANSPORT).order_by("short_name")
        self.fields["org"].required = False


class CaseExportForm(forms.Form):
    identifiable = forms.BooleanField(
        required=False, label="Identifiable (real case references and NHS numbers)",
        help_text="Only for clinical nurse specialists and administrators, with a reason")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why the identifiable file is needed; kept in the audit trail")
