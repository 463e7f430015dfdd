"""Live births per unit and year (dataset.md "Live births"): the service, the file (import and export), the
commands, the screen and who may use it, and the KPI recompute a change queues."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis.models import KpiRun
from units import births
from units.births_demo import BIRTHS_PER_YEAR, seed_live_births
from units.models import Designation, LiveBirths, Unit

LAST_YEAR = timezone.localdate().year - 1


def _unit(code: str) -> Unit:
    return Unit.objects.get(ods_code=code)


def _figures() -> dict[tuple[str, int], int]:
    return births.figures_by_unit_year()


# --- The service ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_recording_creates_then_replaces_and_audits_both(people: Personas) -> None:
    births.live_births_record(unit=_unit("RWG02"), year=2024, live_births=5400, by=people.nurse)
    births.live_births_record(unit=_unit("RWG02"), year=2024, live_births=5412, by=people.nurse)

    assert _figures() == {("RWG02", 2024): 5412}
    events = list(AuditEvent.objects.filter(object_type="live_births").order_by("id"))
    assert [(e.action, e.changes, e.actor) for e in events] == [
        ("create", {"live_births": ["", "5400"]}, people.nurse),
        ("update", {"live_births": ["5400", "5412"]}, people.nurse),
    ]


@pytest.mark.django_db
def test_recording_the_same_figure_again_writes_and_audits_nothing(people: Personas) -> None:
    births.live_births_record(unit=_unit("RWG02"), year=2024, live_births=5400, by=people.nurse)
    births.live_births_record(unit=_unit("RWG02"), year=2024, live_births=5400, by=people.nurse)
    assert AuditEvent.objects.filter(object_type="live_births").count() == 1


@pytest.mark.parametrize(
    ("year", "count", "field"),
    [
        (1999, 5000, "year"),  # before FIRST_BIRTH_YEAR
        (LAST_YEAR + 2, 5000, "year"),  # the future
        (2024, 20_001, "live_births"),  # above the dataset's 20,000
        (2024, -1, "live_births"),
    ],
)
@pytest.mark.django_db
def test_a_bad_figure_is_refused_naming_the_field(people: Personas, year: int, count: int, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        births.live_births_record(unit=_unit("RWG02"), year=year, live_births=count, by=people.nurse)
    assert list(refused.value.message_dict) == [field]
    assert not LiveBirths.objects.exists()


@pytest.mark.parametrize("count", [0, 20_000])
@pytest.mark.django_db
def test_both_ends_of_the_range_are_accepted(people: Personas, count: int) -> None:
    births.live_births_record(unit=_unit("RWG02"), year=2000, live_births=count, by=people.nurse)
    assert _figures() == {("RWG02", 2000): count}


@pytest.mark.django_db
def test_a_change_queues_the_year_of_the_incidence_kpi(
    people: Personas, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        births.live_births_record(unit=_unit("RWG02"), year=2024, live_births=5400, by=people.nurse)
    # Without a broker the drain runs at once: one HIE run of exactly that year.
    run = KpiRun.objects.get(producer="hie")
    assert (run.scope, run.period_keys, run.status) == ("periods", ["2024"], "succeeded")


# --- The file ---------------------------------------------------------------------------------------------


GOOD_FILE = "unit_ods,year,live_births\r\nRWG02,2024,5400\r\nrde03,2024,3500\r\nRWG02,2023,5460\r\n"


@pytest.mark.django_db
def test_import_then_export_gives_the_same_rows_back(people: Personas) -> None:
    result = births.live_births_import(GOOD_FILE, by=people.nurse)

    assert (result.ok, result.created, result.updated) == (True, 3, 0)
    exported = "".join(births.csv_lines(births.export_queryset()))
    assert exported == "unit_ods,year,live_births\r\nRDE03,2024,3500\r\nRWG02,2023,5460\r\nRWG02,2024,5400\r\n"
    again = births.live_births_import(exported, by=people.nurse)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_reimport_replaces_only_the_unit_years_in_the_file(people: Personas) -> None:
    births.live_births_import(GOOD_FILE, by=people.nurse)
    result = births.live_births_import("year,live_births,unit_ods\n2024,5500,RWG02\n", by=people.nurse)

    assert (result.created, result.updated) == (0, 1)
    assert _figures() == {("RWG02", 2024): 5500, ("RDE03", 2024): 3500, ("RWG02", 2023): 5460}
    assert AuditEvent.objects.filter(object_type="live_births", action="import").count() == 4


@pytest.mark.django_db
def test_a_former_ods_code_finds_its_unit(people: Personas) -> None:
    births.live_births_import("unit_ods,year,live_births\nRDDH0,2022,4100\n", by=people.nurse)
    assert _figures() == {("RAJ12", 2022): 4100}


@pytest.mark.django_db
def test_every_bad_row_is_reported_and_nothing_is_written(people: Personas) -> None:
    births.live_births_import("unit_ods,year,live_births\nRWG02,2024,5400\n", by=people.nurse)
    data = (
        "unit_ods,year,live_births\n"
        "RWG02,2024,9999\n"  # good, but must not be written: another row is bad
        "XXX01,2024,100\n"
        "RDE03,24,3500\n"
        "RDE03,2023,20001\n"
        "RDE03,2022,many\n"
        ",2021,\n"
        "RWG02,2024,5000\n"
    )
    result = births.live_births_import(data, by=people.nurse)

    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "unit_ods", "XXX01"),
        (4, "year", "24"),
        (5, "live_births", "20001"),
        (6, "live_births", "many"),
        (7, "unit_ods", ""),
        (7, "live_births", ""),
        (8, "year", "2024"),
    ]
    messages = [e.message for e in result.errors]
    assert messages[0] == "unit_ods is not a unit of the network"
    assert messages[1].startswith("year must be a calendar year from 2000 to ")
    assert messages[2] == "live_births must be a whole number from 0 to 20,000"
    assert messages[3] == "live_births must be a whole number"
    assert messages[5] == "live_births is required"
    assert messages[6] == "RWG02 2024 is already in row 2: one row per unit and year"
    assert _figures() == {("RWG02", 2024): 5400}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("unit,year,live_births\nRWG02,2024,1\n", [(1, "unit"), (1, "unit_ods")]),
        ("unit_ods,year,live_births,notes\n", [(1, "notes")]),
        ("", [(1, "")]),
        (b"unit_ods,year,live_births\n\xff\n", [(0, "")]),
    ],
)
@pytest.mark.django_db
def test_a_bad_header_or_file_is_refused(people: Personas, data: str | bytes, expected: list[tuple[int, str]]) -> None:
    result = births.live_births_import(data, by=people.nurse)
    assert [(e.row, e.column) for e in result.errors] == expected
    assert not LiveBirths.objects.exists()


# --- Commands -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commands_import_and_export_and_audit(people: Personas, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(GOOD_FILE)
    out = StringIO()
    call_command("import_live_births", str(source), "--user", "nina", stdout=out)
    assert "Imported 3 unit-years: 3 created" in out.getvalue()
    call_command("export_live_births", str(target), "--user", "nina", stdout=StringIO())
    assert target.read_text().splitlines()[1:] == ["RDE03,2024,3500", "RWG02,2023,5460", "RWG02,2024,5400"]
    exported = AuditEvent.objects.get(object_type="live_births", action="export")
    assert (exported.actor, exported.changes["rows"]) == (people.nurse, 3)


@pytest.mark.django_db
def test_import_command_names_row_and_field_and_fails(people: Personas, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("unit_ods,year,live_births\nRWG02,2024,lots\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_live_births", str(source), stderr=err)
    assert err.getvalue().strip() == "Row 2, live_births, 'lots': live_births must be a whole number"


@pytest.mark.django_db
def test_demo_gives_every_birth_unit_plausible_complete_years(people: Personas) -> None:
    seed_live_births(last_year=2025, years=6, seed=1, by=people.nurse)
    figures = _figures()
    birth_units = set(Unit.objects.exclude(designation=Designation.TRANSPORT).values_list("ods_code", flat=True))
    assert {code for code, _ in figures} == birth_units == set(BIRTHS_PER_YEAR)
    assert {year for _, year in figures} == set(range(2020, 2026))
    assert all(2_000 <= n <= 9_000 for n in figures.values())
    assert 60_000 <= sum(n for (_, year), n in figures.items() if year == 2025) <= 72_000  # EoE 65–70k
    assert 5_200 <= figures[("RWG02", 2025)] <= 5_600  # Watford ~5,400 (domain.md §3.3)


# --- The screen -------------------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_screen_shows_the_table_to_everyone_and_the_forms_to_editors(people: Personas) -> None:
    births.live_births_record(unit=_unit("RWG02"), year=LAST_YEAR, live_births=5400, by=people.nurse)
    url = reverse("units:live_births")
    for persona, editor in (("nurse", True), ("admin_user", True), ("lead", False), ("clinician", False)):
        page = _client(getattr(people, persona)).get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "5,400" in html and "Not recorded" in html
        assert ("Save live births" in html) is editor, persona


@pytest.mark.parametrize("persona", ["lead", "consultant", "clinician"])
@pytest.mark.django_db
def test_non_editors_cannot_write_import_or_download(people: Personas, persona: str) -> None:
    client = _client(getattr(people, persona))
    unit = _unit("RWG02")
    assert (
        client.post(reverse("units:live_births"), {"unit": unit.pk, "year": 2024, "live_births": 1}).status_code == 403
    )
    assert client.post(reverse("units:live_births_import"), {}).status_code == 403
    assert client.get(reverse("units:live_births_export")).status_code == 403
    assert not LiveBirths.objects.exists()


@pytest.mark.django_db
def test_nurse_saves_imports_and_downloads_through_the_screen(people: Personas) -> None:
    client = _client(people.nurse)
    unit = _unit("RWG02")
    saved = client.post(reverse("units:live_births"), {"unit": unit.pk, "year": 2024, "live_births": 5400})
    assert saved.status_code == 302
    refused = client.post(reverse("units:live_births"), {"unit": unit.pk, "year": 1990, "live_births": 5400})
    assert "year must be a calendar year from 2000" in refused.content.decode()

    bad = client.post(
        reverse("units:live_births_import"), {"file": _upload("unit_ods,year,live_births\nRWG02,2023,x\n")}
    )
    assert "Row 2, live_births" in bad.content.decode()
    good = client.post(reverse("units:live_births_import"), {"file": _upload(GOOD_FILE)})
    assert good.status_code == 302
    download = client.get(reverse("units:live_births_export"))
    assert b"".join(download.streaming_content).decode().startswith("unit_ods,year,live_births\r\nRDE03,2024,3500")  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(object_type="live_births", action="export", actor=people.nurse).count() == 1


def _upload(text: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("live_births.csv", text.encode(), content_type="text/csv")
