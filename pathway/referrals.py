"""Referrals, cooled or not (dataset.md v2 "Referral and transport"; issue 14 "Referrals not cooled are
first-class"): every case with a referral call, its decision and, when not cooled, the reason.

`referrals(cases)` narrows any case queryset (already scoped to the user by `pathway.access`) to referrals;
`ReferralFilterForm` filters them by unit (born or cooled there, as access counts), UK date of the referral
call, decision and reason; `counts(cases)` is the summary the list and the network dashboard show: referrals,
cooled, not cooled by reason, and how many have no decision recorded. One query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet

from core.forms import UKDateField
from pathway import choices as c
from pathway.models import Case, CaseQuerySet
from units.models import Unit

NO_DECISION = "none"  # the decision filter's value for "no decision recorded"
NOT_GIVEN = "none"  # the reason filter's value for "not cooled, no reason recorded"


def referrals(cases: CaseQuerySet) -> CaseQuerySet:
    """Current cases with a referral call, newest call first, with the units the list shows."""
    return (cases.current().filter(referral_datetime__isnull=False)
            .select_related("birth_unit", "cooling_centre").order_by("-referral_datetime", "-pk"))


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class ReferralCounts:
    referrals: int
    cooled: int
    not_cooled: int
    no_decision: int
    by_reason: tuple[ReasonCount, ...]  # not cooled, every reason (zeros too), then "no reason recorded"

    @property
    def not_cooled_percent(self) -> str:
        """"25%" of the referrals; "" when there are none."""
        return f"{self.not_cooled / self.referrals:.0%}" if self.referrals else ""


def counts(cases: QuerySet[Case]) -> ReferralCounts:
    """The summary of these referrals (one grouped query)."""
    rows = (cases.filter(referral_datetime__isnull=False).order_by()
            .values("therapeutic_hypothermia", "not_cooled_reason")
            .annotate(n=Count("pk"), undecided=Count("pk", filter=Q(referral_decision=""))))
    cooled = not_cooled = undecided = 0
    reasons: dict[str, int] = {}
    for row in rows:
        undecided += row["undecided"]
        if row["therapeutic_hypothermia"] == c.YesNo.YES:
            cooled += row["n"]
        else:
            not_cooled += row["n"]
            key = row["not_cooled_reason"] or NOT_GIVEN
            reasons[key] = reasons.get(key, 0) + row["n"]
    by_reason = [ReasonCount(code, str(label), reasons.get(code, 0)) for code, label in c.NotCooledReason.choices]
    by_reason.append(ReasonCount(NOT_GIVEN, "No reason recorded", reasons.get(NOT_GIVEN, 0)))
    return ReferralCounts(referrals=cooled + not_cooled, cooled=cooled, not_cooled=not_cooled, no_decision=undecided,
                          by_reason=tuple(by_reason))


def in_dates(cases: CaseQuerySet, start: date | None, end: date | None) -> CaseQuerySet:
    """Referral calls on these UK dates, both included (`__date` on an aware field reads Europe/London)."""
    if start is not None:
        cases = cases.filter(referral_datetime__date__gte=start)
    if end is not None:
        cases = cases.filter(referral_datetime__date__lte=end)
    return cases


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "nhsuk-select"})


class ReferralFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label="Unit (born or cooled there)", queryset=Unit.objects.none(),
                                  required=False, empty_label="Any", to_field_name="ods_code", widget=_select())
    start = UKDateField(label="Referred from", required=False)
    end = UKDateField(label="Referred to", required=False)
    decision = forms.ChoiceField(label="Decision on the call", required=False, widget=_select(),
                                 choices=[("", "Any"), *c.ReferralDecision.choices, (NO_DECISION, "Not recorded")])
    reason = forms.ChoiceField(label="Reason not cooled", required=False, widget=_select(),
                               choices=[("", "Any"), *c.NotCooledReason.choices, (NOT_GIVEN, "Not cooled, no reason")])
    cooled = forms.ChoiceField(label="Cooled", required=False, widget=_select(),
                               choices=[("", "Any"), ("yes", "Yes"), ("no", "No")])

    def __init__(self, data: Any, *, units: QuerySet[Unit]) -> None:
        super().__init__(data, auto_id="filter-%s")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-10"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "Referred to must be on or after Referred from")
        return data

    def filter(self, cases: CaseQuerySet) -> CaseQuerySet:
        """The referrals matching the valid filters (an invalid value is shown and ignored, never a failure)."""
        self.is_valid()
        data = self.cleaned_data
        if unit := data.get("unit"):
            cases = cases.filter(Q(birth_unit=unit) | Q(cooling_centre=unit))
        cases = in_dates(cases, data.get("start"), data.get("end") if "end" not in self.errors else None)
        cases = _by_decision(cases, data.get("decision") or "")
        cases = _by_reason(cases, data.get("reason") or "")
        if data.get("cooled") in ("yes", "no"):
            cooled = Q(therapeutic_hypothermia=c.YesNo.YES)
            cases = cases.filter(cooled) if data["cooled"] == "yes" else cases.exclude(cooled)
        return cases


def _by_decision(cases: CaseQuerySet, decision: str) -> CaseQuerySet:
    if decision == NO_DECISION:
        return cases.filter(referral_decision="")
    return cases.filter(referral_decision=decision) if decision else cases


def _by_reason(cases: CaseQuerySet, reason: str) -> CaseQuerySet:
    if reason == NOT_GIVEN:
        return cases.exclude(therapeutic_hypothermia=c.YesNo.YES).filter(not_cooled_reason="")
    return cases.filter(not_cooled_reason=reason) if reason else cases
