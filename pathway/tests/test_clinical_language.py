"""Consistent clinical language on the case screens (issue 13): UK date-times in edit fields, labels a
clinician writes, and every required-field message naming its field."""

from __future__ import annotations

import re

from django.test import Client

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pathway.forms import NewCaseForm


def signed_in(people: Personas) -> Client:
    client = Client()
    client.force_login(people.nurse)
    return client


def test_every_required_field_message_names_its_field(people: Personas) -> None:
    form = NewCaseForm({}, user=people.nurse)
    assert not form.is_valid()
    required = [name for name, field in form.fields.items() if field.required]
    assert required
    for name in required:
        [message] = form.errors[name]
        message = str(message)
        assert message != "This field is required."
        label = str(form.fields[name].label)
        assert label.lower().strip("'") in message.lower(), (name, message)


def test_edit_fields_show_uk_date_times_and_labels_a_clinician_writes(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(), by=people.nurse)
    page = signed_in(people).get(f"/cases/{case.pk}/").content.decode()
    # The birth at 14/05/2024 03:10 BST is shown for editing as it is written, not as ISO 8601.
    assert 'value="14/05/2024 03:10"' in page
    assert not re.search(r'value="\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}', page)
    for label in ("Time of death", "Time of discharge", "Time active cooling started", "aEEG",
                  "Gestation (completed weeks)", "Change MRI", "Save MRI"):
        assert label in page, label
    for raw in ("AEEG", "death datetime", "Death datetime", "mri and discharge", "Gestation weeks"):
        assert raw not in page, raw


def _posted(form: object) -> dict[str, object]:
    """What the section form shows, as the browser posts it back (times as the edit fields show them)."""
    from datetime import datetime

    from core.timeutil import format_for_input

    data: dict[str, object] = {}
    for name in form.fields:  # type: ignore[attr-defined]
        value = form[name].value()  # type: ignore[index]
        value = getattr(value, "pk", value)
        data[name] = format_for_input(value) if isinstance(value, datetime) else ("" if value is None else value)
    return data


def test_a_typed_uk_time_is_read_back_and_a_conditional_rule_names_the_answer(people: Personas) -> None:
    from pathway.forms import SECTION_FORMS
    from pathway.sections import SECTION_OF_FIELD

    case = services.case_create(values=cooled_case_values(outcome="", discharge_datetime=None), by=people.nurse)
    client = signed_in(people)
    slug = SECTION_OF_FIELD["death_datetime"].slug
    data = _posted(SECTION_FORMS[slug](user=people.nurse, case=case))
    data.update(outcome="died", death_datetime="", discharge_datetime="")
    page = client.post(f"/cases/{case.pk}/section/{slug}/", data).content.decode()
    assert "Enter the time of death: it is required when outcome at discharge is &#x27;Died&#x27;" in page

    data["death_datetime"] = "22/05/2024 06:30"
    assert client.post(f"/cases/{case.pk}/section/{slug}/", data).status_code == 302
    case.refresh_from_db()
    assert case.death_datetime is not None
    assert f"{case.death_datetime:%Y-%m-%d %H:%M %Z}" == "2024-05-22 05:30 UTC"
