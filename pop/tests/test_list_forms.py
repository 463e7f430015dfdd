"""The POP record-list filter form, the entered-in-error form (HIE and POP: one shared form) and where service
errors land: names, labels and order as the pages show them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway import services as pathway_services
from pathway.forms import EnteredInErrorForm as HieEnteredInErrorForm
from pop import services
from pop.forms import EnteredInErrorForm, PopFilterForm, PopRecordForm, add_service_errors
from pop.models import PopRecord
from pop.tests.factories import pop_values


def test_filter_form_fields_in_page_order(people: Personas) -> None:
    services.pop_create(values=pop_values(), by=people.nurse)
    form = PopFilterForm({}, user=people.clinician, records=PopRecord.objects.all())
    assert [(f.name, f.label, f.id_for_label) for f in form] == [
        ("q", "Case reference or NHS number", "filter-q"), ("birth_unit", "Birth unit", "filter-birth_unit"),
        ("year", "Year of birth", "filter-year"),
        ("include_error", "Include records entered in error", "filter-include_error"),
    ]
    assert cast(forms.ChoiceField, form.fields["year"]).choices == [("", "Any"), (2024, "2024")]
    units = cast(forms.ModelChoiceField, form.fields["birth_unit"]).queryset
    assert units is not None and [u.ods_code for u in units] == ["RWG02"]


def test_filter_form_filters(people: Personas) -> None:
    kept = services.pop_create(values=pop_values(), by=people.nurse)
    gone = services.pop_create(values=pop_values(birth_unit="RGT01"), by=people.nurse)
    older = services.pop_create(values=pop_values(birth=datetime(2023, 5, 14, 3, 10, tzinfo=LONDON)), by=people.nurse)
    PopRecord.objects.filter(pk=gone.pk).update(entered_in_error=True)
    records = PopRecord.objects.all()

    def filtered(data: dict[str, str]) -> set[PopRecord]:
        return set(PopFilterForm(data, user=people.nurse, records=records).filter(records))

    assert filtered({}) == {kept, older}
    assert filtered({"include_error": "on"}) == {kept, gone, older}
    assert filtered({"year": "2023"}) == {older}
    assert filtered({"include_error": "on", "birth_unit": str(gone.birth_unit_id)}) == {gone}
    assert filtered({"q": kept.case_ref}) == {kept}
    assert filtered({"year": "nonsense"}) == {kept, older}


def _hie_case(people: Personas) -> tuple[Any, Callable[..., forms.Form]]:
    case = pathway_services.case_create(values=cooled_case_values(case_ref="A"), by=people.nurse)
    return case, lambda data=None: HieEnteredInErrorForm(data, case=case)


def _pop_record(people: Personas) -> tuple[Any, Callable[..., forms.Form]]:
    record = services.pop_create(values=pop_values(), by=people.nurse)
    return record, lambda data=None: EnteredInErrorForm(data, record=record)


@pytest.mark.parametrize(("make", "noun", "example"), [
    (_hie_case, "case", "EOE-2024-0153"), (_pop_record, "record", "POP-2024-0153")])
def test_entered_in_error_forms(people: Personas, make: Callable[[Personas], tuple[Any, Callable[..., forms.Form]]],
                                noun: str, example: str) -> None:
    record, form_for = make(people)
    form = form_for({"version": "1"})
    assert [(f.name, f.label, f.id_for_label) for f in form] == [
        ("entered_in_error_reason", f"Why was this {noun} entered in error?", "eie-entered_in_error_reason"),
        ("version", "Version", "eie-version")]
    assert form.fields["entered_in_error_reason"].help_text == (
        f"For example: duplicate of {example}, or details of the wrong baby. Up to 255 characters.")
    assert form.errors == {"entered_in_error_reason": [f"Give the reason the {noun} was entered in error"]}
    assert form_for()["version"].value() == record.version
    assert not form_for({"version": "1", "entered_in_error_reason": "x" * 256}).is_valid()


@pytest.mark.parametrize(("error", "placed"), [
    (ValidationError("Whole record"), {"__all__": ["Whole record"]}),
    (ValidationError({"birth_weight_g": "Too heavy"}), {"birth_weight_g": ["Too heavy"]}),
    (ValidationError({"dq_flags": "Refused"}), {"__all__": ["Data-quality flags: Refused"]}),
])
def test_service_errors_land_beside_the_field_or_above_the_form(
        people: Personas, error: ValidationError, placed: dict[str, list[str]]) -> None:
    form = PopRecordForm({}, user=people.nurse)
    form.is_valid()
    form._errors = {}  # type: ignore[attr-defined]  # private, left out of the stubs; only what the service said
    add_service_errors(form, error)
    assert form.errors == placed
