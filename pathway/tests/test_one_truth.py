"""One truth per value (issue 13): the temperature readings and the summary fields (lowest before arrival,
arrival temperature, target reached) never overwrite each other silently.

A typed value is kept, whether typed on the screen, imported or written through the API; where the readings
give another value the case shows both, with "use the value from the readings" (audited). A field that is
empty, or still holds what the readings gave, follows the readings.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from api.models import Scope
from api.tests.conftest import token_client
from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON, format_for_input
from pathway import csv_io, services
from pathway.dataset import COLUMNS
from pathway.models import Case
from pathway.sections import SECTION_OF_FIELD

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)


def at(minutes: int) -> datetime:
    return BIRTH + timedelta(minutes=minutes)


# The example: 33.1 °C typed, then readings of 35.4, 34.3 (before arrival at 240 min) and 33.9 °C (the
# admission reading at 245 min). The readings give: lowest before arrival 34.3, arrival 33.9, target 245 min
# (the first core reading in 33.0–34.0 °C after cooling started at 30 min).
READINGS = ((60, "35.4"), (120, "34.3"), (245, "33.9"))
FROM_READINGS: dict[str, Any] = {
    "lowest_temp_before_arrival_c": Decimal("34.3"),
    "arrival_temp_c": Decimal("33.9"),
    "target_temp_reached": at(245),
}
TYPED: dict[str, Any] = {
    "lowest_temp_before_arrival_c": Decimal("33.1"),
    "arrival_temp_c": Decimal("33.6"),
    "target_temp_reached": at(230),
}
FIELDS = tuple(FROM_READINGS)


def add_readings(case: Case, by: Any) -> None:
    for minutes, temp in READINGS:
        services.temperature_add(case=case, observed_at=at(minutes), temp_c=Decimal(temp), site="rectal", by=by)


def typed_case(people: Personas, **overrides: Any) -> Case:
    values = cooled_case_values(birth=BIRTH, **{**TYPED, **overrides})
    return services.case_create(values=values, by=people.nurse)


def shown(field: str, value: Any) -> str:
    return f"{value:f} °C" if isinstance(value, Decimal) else f"{value.astimezone(LONDON):%d/%m/%Y %H:%M}"


def test_readings_added_after_typed_values_keep_them_and_show_both(people: Personas) -> None:
    case = typed_case(people)
    add_readings(case, people.nurse)

    case.refresh_from_db()
    for field in FIELDS:
        assert getattr(case, field) == TYPED[field], field
    found = {d.field: (d.recorded, d.from_readings) for d in services.reading_disagreements(case)}
    assert found == {field: (shown(field, TYPED[field]), shown(field, FROM_READINGS[field])) for field in FIELDS}


def test_empty_fields_follow_the_readings_until_someone_types_another_value(people: Personas) -> None:
    case = typed_case(people, **dict.fromkeys(FIELDS))
    add_readings(case, people.nurse)
    case.refresh_from_db()
    assert {field: getattr(case, field) for field in FIELDS} == FROM_READINGS
    assert services.reading_disagreements(case) == []

    # A lower reading before arrival moves the value that came from the readings...
    services.temperature_add(case=case, observed_at=at(150), temp_c=Decimal("32.8"), site="rectal", by=people.nurse)
    case.refresh_from_db()
    assert case.lowest_temp_before_arrival_c == Decimal("32.8")
    # ...but once a different value is typed, the next reading does not touch it.
    case = services.case_update(case=case, values={"lowest_temp_before_arrival_c": Decimal("33.5")},
                                expected_version=case.version, by=people.nurse)
    services.temperature_add(case=case, observed_at=at(160), temp_c=Decimal("32.5"), site="rectal", by=people.nurse)
    case.refresh_from_db()
    assert case.lowest_temp_before_arrival_c == Decimal("33.5")
    assert [d.field for d in services.reading_disagreements(case)] == ["lowest_temp_before_arrival_c"]


# --- Per field and interface: the screen, the import and the API keep a typed value ---------------------------


def _screen_write(people: Personas, case: Case, field: str, value: Any) -> None:
    from pathway.forms import SECTION_FORMS

    client = Client()
    client.force_login(people.nurse)
    slug = SECTION_OF_FIELD[field].slug
    form = SECTION_FORMS[slug](user=people.nurse, case=case)
    data: dict[str, Any] = {}
    for name in form.fields:
        current = form[name].value()
        current = getattr(current, "pk", current)
        data[name] = format_for_input(current) if isinstance(current, datetime) else ("" if current is None
                                                                                         else current)
    data[field] = format_for_input(value) if isinstance(value, datetime) else str(value)
    response = client.post(f"/cases/{case.pk}/section/{slug}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _import_write(people: Personas, case: Case, field: str, value: Any) -> None:
    out = io.StringIO()
    [row] = list(csv.DictReader(io.StringIO("".join(csv_io.csv_lines(csv_io.export_rows(
        csv_io.export_queryset(Case.objects.filter(pk=case.pk)), None))), newline="")))
    row[field] = value.astimezone(LONDON).isoformat() if isinstance(value, datetime) else str(value)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([row[column] for column in COLUMNS])
    result = csv_io.import_file(out.getvalue().encode(), by=people.nurse)
    assert result.errors == []
    assert result.updated == 1


def _api_write(people: Personas, case: Case, field: str, value: Any) -> None:
    client = token_client(people.nurse, scopes=[Scope.READ_PSEUDONYMISED, Scope.WRITE])
    body = {"version": case.version, field: value.isoformat() if isinstance(value, datetime) else str(value)}
    response = client.patch(f"/api/v1/cases/{case.pk}/", body, format="json")
    assert response.status_code == 200, response.content


WRITERS = {"screen": _screen_write, "import": _import_write, "api": _api_write}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("interface", tuple(WRITERS))
def test_a_typed_value_is_kept_beside_the_readings_and_one_click_uses_theirs(
        people: Personas, interface: str, field: str) -> None:
    case = typed_case(people, **dict.fromkeys(FIELDS))
    add_readings(case, people.nurse)
    case.refresh_from_db()
    assert getattr(case, field) == FROM_READINGS[field]  # empty, so it followed the readings

    WRITERS[interface](people, case, field, TYPED[field])

    case.refresh_from_db()
    assert getattr(case, field) == TYPED[field]
    # The case page shows both values side by side, with the one-click action.
    client = Client()
    client.force_login(people.nurse)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "The temperature readings give a different value" in page
    assert shown(field, TYPED[field]) in page
    assert shown(field, FROM_READINGS[field]) in page
    action = f"/cases/{case.pk}/use-readings/{field}/"
    assert f'action="{action}"' in page

    # Another reading does not overwrite the typed value either.
    services.temperature_add(case=case, observed_at=at(300), temp_c=Decimal("33.4"), site="rectal", by=people.nurse)
    case.refresh_from_db()
    assert getattr(case, field) == TYPED[field]

    response = client.post(action, {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert getattr(case, field) == FROM_READINGS[field]
    event = AuditEvent.objects.filter(object_type="pathway.case", object_id=str(case.pk)).order_by("-id").first()
    assert event is not None
    assert event.actor == people.nurse
    assert "used the value from the temperature readings" in event.summary
    assert field in event.changes
    assert services.reading_disagreements(case) == []


def test_use_the_readings_refuses_a_stale_page_and_a_user_who_may_not_edit(people: Personas) -> None:
    case = typed_case(people)
    add_readings(case, people.nurse)
    case.refresh_from_db()
    client = Client()
    client.force_login(people.nurse)
    stale = client.post(f"/cases/{case.pk}/use-readings/arrival_temp_c/", {"version": case.version - 1})
    assert stale.status_code == 302
    case.refresh_from_db()
    assert case.arrival_temp_c == TYPED["arrival_temp_c"]

    reader = Client()
    reader.force_login(people.lead)  # reads every case, changes none
    refused = reader.post(f"/cases/{case.pk}/use-readings/arrival_temp_c/", {"version": case.version})
    assert refused.status_code in (403, 404)
    case.refresh_from_db()
    assert case.arrival_temp_c == TYPED["arrival_temp_c"]
