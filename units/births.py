"""Live births per unit and calendar year (dataset.md "Live births"): recording, importing and exporting them.

Every write goes through here: it validates (a message naming the field and the rule), saves, writes an
`AuditEvent` and sends `live_births_changed` with the years touched, so the KPI engine (on commit)
recomputes `hie_incidence_per_1000` for them (kpis listens; units never imports kpis).

The file is `live_births.csv`: columns `unit_ods`, `year`, `live_births` (order free, no other column), one
row per unit and year. Re-importing a unit-year replaces its figure. The whole file is checked first and
saved in one transaction: any error names file row, column, value and rule, for every bad row, and nothing
is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from core.spreadsheet import restore_cells, safe_cells
from units.access import Action, UserLike, units_for
from units.models import FIRST_BIRTH_YEAR, LIVE_BIRTHS_MAX, LiveBirths, Unit, UnitQuerySet

COLUMNS = ("unit_ods", "year", "live_births")
OBJECT_TYPE = "live_births"
HEADER_ROW = 1

# Sent inside the write's transaction with `years` (a set of calendar years) and `by`: their figures changed.
live_births_changed = Signal()


@dataclass(frozen=True)
class RowError:
    row: int  # file row number; the header is row 1
    column: str  # "" when the whole row is at fault
    value: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column or '(row)'}, {self.value!r}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Row:
    row: int
    unit: Unit
    year: int
    live_births: int


# --- One figure ------------------------------------------------------------------------------------------


def year_error(year: int) -> str | None:
    """The rule a calendar year breaks, or None: from FIRST_BIRTH_YEAR to the current year (not the future)."""
    this_year = timezone.localdate().year
    if not FIRST_BIRTH_YEAR <= year <= this_year:
        return f"year must be a calendar year from {FIRST_BIRTH_YEAR} to {this_year}"
    return None


def count_error(live_births: int) -> str | None:
    if not 0 <= live_births <= LIVE_BIRTHS_MAX:
        return f"live_births must be a whole number from 0 to {LIVE_BIRTHS_MAX:,}"
    return None


def _validate(*, unit: Unit, year: int, live_births: int) -> None:
    errors = {
        name: message
        for name, message in (
            ("year", year_error(year)),
            ("live_births", count_error(live_births)),
            ("unit", None if unit.active else "the unit is not active"),
        )
        if message
    }
    if errors:
        raise ValidationError(errors)


def unit_year_save(*, unit: Unit, year: int, live_births: int, by: UserLike | None, action: str | None = None) -> str:
    """Create or replace one unit-year and audit it (as `action`, default create or update); "created",
    "updated" or "unchanged" (nothing written, nothing audited)."""
    existing = LiveBirths.objects.select_for_update().filter(unit=unit, year=year).first()
    before = {} if existing is None else {"live_births": existing.live_births}
    if existing is not None and existing.live_births == live_births:
        return "unchanged"
    if action is None:
        action = AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE
    actor = by if by is not None and by.is_authenticated else None
    saved, created = LiveBirths.objects.update_or_create(
        unit=unit, year=year, defaults={"live_births": live_births, "updated_by": actor}
    )
    audit.record(
        actor=by,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=saved.pk,
        summary=f"Live births {unit.ods_code} {year}: {live_births}",
        changes=audit.changes(before, {"live_births": live_births}),
    )
    return "created" if created else "updated"


def _announce(years: Iterable[int], by: UserLike | None) -> None:
    """Inside the write's transaction, as `pathway.signals.case_changed` is: receivers defer their work to
    commit themselves (the KPI engine marks the years pending when it commits)."""
    changed = set(years)
    if changed:
        live_births_changed.send(sender=LiveBirths, years=changed, by=by)


@transaction.atomic
def live_births_record(*, unit: Unit, year: int, live_births: int, by: UserLike | None) -> LiveBirths:
    """Record (or replace) the live births of one unit-year from the screen. ValidationError names the field."""
    _validate(unit=unit, year=year, live_births=live_births)
    state = unit_year_save(unit=unit, year=year, live_births=live_births, by=by)
    if state != "unchanged":
        _announce({year}, by)
    return LiveBirths.objects.get(unit=unit, year=year)


# --- The file ---------------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Rejected(RowError(0, "", "", "the file is not UTF-8 text (save it as 'CSV UTF-8')")) from None


class _Rejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    try:
        for cells in reader:
            row += 1
            yield row, restore_cells(cells)  # undo the quote csv_lines puts before a formula trigger
    except csv.Error as exc:
        raise _Rejected(RowError(row + 1, "", "", f"the file is not valid CSV here ({exc})")) from None


def _header_errors(header: list[str]) -> list[RowError]:
    errors = [
        RowError(HEADER_ROW, name, name, f"unknown column '{name}': the columns are {', '.join(COLUMNS)}")
        for name in header
        if name not in COLUMNS
    ]
    errors += [
        RowError(HEADER_ROW, name, name, f"column '{name}' appears more than once")
        for name in COLUMNS
        if header.count(name) > 1
    ]
    errors += [RowError(HEADER_ROW, name, "", f"missing column '{name}'") for name in COLUMNS if name not in header]
    return errors


def _whole_number(row: int, column: str, text: str) -> tuple[int | None, RowError | None]:
    try:
        return int(text.strip()), None
    except ValueError:
        rule = "is required" if not text.strip() else "must be a whole number"
        return None, RowError(row, column, text, f"{column} {rule}")


def _parse_row(row: int, cells: Mapping[str, str], units: Mapping[str, Unit]) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []
    code = cells["unit_ods"].strip().upper()
    unit = units.get(code)
    if unit is None:
        errors.append(
            RowError(
                row,
                "unit_ods",
                cells["unit_ods"],
                "unit_ods is required" if not code else "unit_ods is not a unit of the network",
            )
        )
    year, error = _whole_number(row, "year", cells["year"])
    if error is None and year is not None and (message := year_error(year)):
        error = RowError(row, "year", cells["year"], message)
    errors += [error] if error else []
    count, error = _whole_number(row, "live_births", cells["live_births"])
    if error is None and count is not None and (message := count_error(count)):
        error = RowError(row, "live_births", cells["live_births"], message)
    errors += [error] if error else []
    if errors or unit is None or year is None or count is None:
        return None, errors
    return _Row(row, unit, year, count), []


def _units_by_code(scope: UnitQuerySet | None = None) -> dict[str, Unit]:
    """Current and former ODS codes (trust mergers renumber sites) of the active units in scope (default:
    every unit; an importer's: `units.access.units_for`, so a code of another network is no unit)."""
    active = list((Unit.objects.all() if scope is None else scope).filter(active=True))
    units: dict[str, Unit] = {}
    for unit in active:
        for code in unit.former_codes:
            units.setdefault(code, unit)
    units.update({unit.ods_code.upper(): unit for unit in active})
    return units


def parse(data: bytes | str, scope: UnitQuerySet | None = None) -> tuple[list[_Row], list[RowError]]:
    """Every row of the file, or every error in it (all of them, not only the first)."""
    try:
        records = list(_records(_decode(data)))
    except _Rejected as exc:
        return [], [exc.error]
    if not records:
        return [], [RowError(HEADER_ROW, "", "", "the file is empty: it needs the header " + ",".join(COLUMNS))]
    (_, header), body = records[0], records[1:]
    header = [name.strip() for name in header]
    if errors := _header_errors(header):
        return [], errors
    units = _units_by_code(scope)
    rows: list[_Row] = []
    errors = []
    seen: dict[tuple[int, int], int] = {}  # (unit, year) → the first row that gave it
    for row, cells in body:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (spreadsheets add them) is not a row
        if len(cells) != len(header):
            errors.append(
                RowError(row, "", ",".join(cells), f"the row has {len(cells)} cells; the header has {len(header)}")
            )
            continue
        parsed, row_errors = _parse_row(row, dict(zip(header, cells, strict=True)), units)
        errors += row_errors
        if parsed is not None:
            key = (parsed.unit.pk, parsed.year)
            if key in seen:
                message = (
                    f"{parsed.unit.ods_code} {parsed.year} is already in row {seen[key]}: one row per unit and year"
                )
                errors.append(RowError(row, "year", str(parsed.year), message))
            seen.setdefault(key, row)
            rows.append(parsed)
    return rows, errors


def live_births_import(data: bytes | str, *, by: UserLike | None) -> ImportResult:
    """Import a live-births file: all rows or nothing. Each row replaces its unit-year's figure. A person
    imports only their networks' units (`units.access.units_for`); a command without --user every unit."""
    scope = units_for(by, Action.LIVE_BIRTHS) if by is not None and by.is_authenticated else None
    rows, errors = parse(data, scope)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            state = unit_year_save(
                unit=row.unit, year=row.year, live_births=row.live_births, by=by, action=AuditEvent.Action.IMPORT
            )
            setattr(result, state, getattr(result, state) + 1)
        if result.created or result.updated:
            _announce({row.year for row in rows}, by)
    return result


def csv_lines(figures: Iterable[LiveBirths]) -> Iterator[str]:
    """The file as lines (header first): it imports back unchanged, and no cell starts a formula
    (`core.spreadsheet.safe_cells`: a unit code is free text typed in the admin)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield out.getvalue()
    for figure in figures:
        out.seek(0)
        out.truncate()
        writer.writerow(safe_cells((figure.unit.ods_code, figure.year, figure.live_births)))
        yield out.getvalue()


def export_queryset(scope: UnitQuerySet | None = None) -> Iterable[LiveBirths]:
    """Every unit-year's figure, or those of the units in scope (a person's download)."""
    figures = LiveBirths.objects.select_related("unit").order_by("unit__ods_code", "year")
    return figures if scope is None else figures.filter(unit__in=scope.values("pk"))


def record_export(*, by: UserLike | None, rows: int, how: str) -> None:
    """Every export is audited (aggregate counts, no patient data, but the rule is every export)."""
    audit.record(
        actor=by,
        action=AuditEvent.Action.EXPORT,
        object_type=OBJECT_TYPE,
        summary=f"Live births exported ({rows} rows, {how})",
        changes={"rows": rows, "how": how},
    )


def figures_by_unit_year() -> dict[tuple[str, int], int]:
    """{(ODS code, year): live births}: what the incidence KPI divides by."""
    return {
        (code, year): births
        for code, year, births in LiveBirths.objects.values_list("unit__ods_code", "year", "live_births")
    }
