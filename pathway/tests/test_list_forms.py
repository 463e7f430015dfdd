"""The case-list filter form and where service errors land: names, labels and order as the pages show them. The
entered-in-error form, shared with POP, is pinned for both in pop/tests/test_list_forms.py."""

from __future__ import annotations

from datetime import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway import services
from pathway.forms import CaseFilterForm, NewCaseForm, add_service_errors
from pathway.models import Case


def test_filter_form_fields_in_page_order(people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="A"), by=people.nurse)
    form = CaseFilterForm({}, user=people.clinician, cases=Case.objects.all())
    assert [(f.name, f.label, f.id_for_label) for f in form] == [
        ("q", "Case reference or NHS number", "filter-q"), ("birth_unit", "Birth unit", "filter-birth_unit"),
        ("cooling_centre", "Cooling centre", "filter-cooling_centre"), ("year", "Year of birth", "filter-year"),
        ("stage", "Stage", "filter-stage"), ("flagged", "Data-quality warnings", "filter-flagged"),
        ("cooled", "Cooled", "filter-cooled"),
        ("include_error", "Include cases entered in error", "filter-include_error"),
    ]
    assert form.fields["year"].choices == [("", "Any"), (2024, "2024")]
    assert {u.ods_code for u in form.fields["birth_unit"].queryset} == {"RWG02", "RGT01"}


def test_filter_form_filters(people: Personas) -> None:
    kept = services.case_create(values=cooled_case_values(case_ref="A"), by=people.nurse)
    gone = services.case_create(values=cooled_case_values(case_ref="B", nhs_number=""), by=people.nurse)
    Case.objects.filter(pk=gone.pk).update(entered_in_error=True)
    cases = Case.objects.all()
    assert list(CaseFilterForm({}, user=people.nurse, cases=cases).filter(cases)) == [kept]
    assert set(CaseFilterForm({"include_error": "on"}, user=people.nurse, cases=cases).filter(cases)) == {kept, gone}
    older = services.case_create(values=cooled_case_values(case_ref="C", nhs_number="", birth=datetime(
        2023, 5, 14, 3, 10, tzinfo=LONDON)), by=people.nurse)
    assert list(CaseFilterForm({"year": "2023"}, user=people.nurse, cases=cases).filter(cases)) == [older]
    assert list(CaseFilterForm({"q": "A", "year": "2024", "cooled": "yes", "birth_unit": str(kept.birth_unit_id)},
                               user=people.nurse, cases=cases).filter(cases)) == [kept]
    assert set(CaseFilterForm({"year": "nonsense"}, user=people.nurse, cases=cases).filter(cases)) == {kept, older}


@pytest.mark.parametrize(("error", "placed"), [
    (ValidationError("Whole record"), {"__all__": ["Whole record"]}),
    (ValidationError({"birth_weight_g": "Too heavy"}), {"birth_weight_g": ["Too heavy"]}),
    (ValidationError({"outcome": "Wrong"}),
     {"__all__": ["Outcome at discharge (Discharge, safety and placenta): Wrong"]}),
    (ValidationError({"elsewhere": "Refused"}), {"__all__": ["Refused"]}),
])
def test_service_errors_land_beside_the_field_or_above_the_form(
        people: Personas, error: ValidationError, placed: dict[str, list[str]]) -> None:
    form: forms.Form = NewCaseForm({}, user=people.nurse)
    form.is_valid()
    form._errors = {}  # only what the service said
    add_service_errors(form, error)
    assert form.errors == placed
