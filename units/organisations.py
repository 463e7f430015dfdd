"""Reading an organisations reference file (docs/organisations.md): regions, ICBs, LMNS, trusts, networks and
units with their effective-dated placements, one CSV row each.

`parse` checks the whole file first and returns every error with its line and column, so a bad file writes
nothing; `units.services.organisations_load` writes the rows. The file is a CSV a network manager can open in
a spreadsheet: lines starting with `#` are comments (the file's source), the first other line is the header.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from units.models import Designation, OrgKind

COLUMNS: tuple[str, ...] = ("kind", "code", "name", "short_name", "region", "network", "trust", "lmns", "icb",
                            "designation", "cooling_centre", "former_codes", "latitude", "longitude",
                            "valid_from", "valid_to")
REQUIRED: tuple[str, ...] = ("kind", "code", "name")
ORG_KINDS: dict[str, str] = {"region": OrgKind.REGION, "icb": OrgKind.ICB, "lmns": OrgKind.LMNS,
                             "trust": OrgKind.TRUST}
KINDS = (*ORG_KINDS, "network", "unit")
YES, NO = frozenset({"yes", "y", "true", "1"}), frozenset({"no", "n", "false", "0", ""})
MAX_CODE = {"region": 12, "icb": 12, "lmns": 12, "trust": 5, "network": 12, "unit": 10}


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class OrgRow:
    line: int
    kind: str  # OrgKind value
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class NetworkRow:
    line: int
    code: str
    name: str
    short_name: str
    region: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class UnitRow:
    """One placement of a unit; a unit that moved has one row per period (the open or latest one is now)."""

    line: int
    ods: str
    name: str
    short_name: str
    network: str
    trust: str
    lmns: str
    icb: str
    designation: str
    cooling_centre: bool
    former_codes: tuple[str, ...]
    latitude: Decimal | None
    longitude: Decimal | None
    valid_from: date | None
    valid_to: date | None


@dataclass
class ReferenceFile:
    organisations: list[OrgRow] = field(default_factory=list)
    networks: list[NetworkRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-comment, non-blank line. One row per line: no quoted newlines."""
    rows = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        rows.append((number, next(csv.reader([raw]))))
    return rows


class _Row:
    """One line's cells by column, collecting the line's errors as they are read."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[LineError]) -> None:
        self.line, self.cells, self.errors = line, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(LineError(self.line, column, message))

    def text(self, column: str, *, required: bool = False, upper: bool = False, max_length: int = 160) -> str:
        value = self.cells.get(column, "").strip()
        if upper:
            value = value.upper()
        if required and not value:
            self.error(column, "required for this kind of row")
        if len(value) > max_length:
            self.error(column, f"“{value}” is longer than {max_length} characters")
        return value

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(column, f"“{value}” is not a date in the form 2024-04-01")
            return None

    def number(self, column: str, low: int, high: int) -> Decimal | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.error(column, f"“{value}” is not a number")
            return None
        if not low <= number <= high:
            self.error(column, f"{value} is outside {low} to {high}")
            return None
        return number.quantize(Decimal("0.00001"))

    def dates(self) -> tuple[date | None, date | None]:
        start, end = self.day("valid_from"), self.day("valid_to")
        if start and end and end < start:
            self.error("valid_to", f"{end.isoformat()} is before valid_from {start.isoformat()}")
        return start, end


def _unit(row: _Row, code: str, name: str) -> UnitRow:
    designation = row.text("designation", required=True, upper=True)
    if designation and designation not in Designation.values:
        row.error("designation", f"“{designation}” is not one of {', '.join(Designation.values)}")
    cooling = row.text("cooling_centre").lower()
    if cooling not in YES | NO:
        row.error("cooling_centre", f"“{cooling}” is not yes or no")
    start, end = row.dates()
    former = tuple(c.strip().upper() for c in row.text("former_codes", max_length=100).split(";") if c.strip())
    return UnitRow(line=row.line, ods=code, name=name, short_name=row.text("short_name", required=True, max_length=60),
                   network=row.text("network", required=True, upper=True), trust=row.text("trust", upper=True),
                   lmns=row.text("lmns", upper=True), icb=row.text("icb", upper=True), designation=designation,
                   cooling_centre=cooling in YES, former_codes=former, latitude=row.number("latitude", -90, 90),
                   longitude=row.number("longitude", -180, 180), valid_from=start, valid_to=end)


def _check_references(parsed: ReferenceFile, known: dict[str, set[str]], errors: list[LineError]) -> None:
    """Every code a network or unit names is an organisation of that kind, in the file or already loaded."""
    in_file: dict[str, set[str]] = {kind: set() for kind in (*ORG_KINDS.values(), "network")}
    for org in parsed.organisations:
        in_file[org.kind].add(org.code)
    in_file["network"] = {n.code for n in parsed.networks}
    for network in parsed.networks:
        if network.region and network.region not in in_file[OrgKind.REGION] | known[OrgKind.REGION]:
            errors.append(LineError(network.line, "region", f"no region with code “{network.region}”"))
    for unit in parsed.units:
        for column, kind in (("network", "network"), ("trust", OrgKind.TRUST), ("lmns", OrgKind.LMNS),
                             ("icb", OrgKind.ICB)):
            code = getattr(unit, column)
            if code and code not in in_file[kind] | known[kind]:
                errors.append(LineError(unit.line, column, f"no {column} with code “{code}”"))


def _check_periods(units: list[UnitRow], errors: list[LineError]) -> None:
    """A unit's rows are periods that must not overlap (one placement per day) nor repeat a start."""
    by_unit: dict[str, list[UnitRow]] = {}
    for unit in units:
        by_unit.setdefault(unit.ods, []).append(unit)
    for rows in by_unit.values():
        ordered = sorted(rows, key=lambda r: r.valid_from or date.min)
        for before, after in pairwise(ordered):
            if before.valid_to is None or (after.valid_from or date.min) <= before.valid_to:
                errors.append(LineError(after.line, "valid_from", f"{after.ods}'s period overlaps the one on line "
                                                                   f"{before.line}: end that one first (valid_to)"))


def parse(text: str, known: dict[str, set[str]]) -> tuple[ReferenceFile, list[LineError]]:
    """The file's rows, or every error in it. `known`: codes by kind already in the database."""
    lines = _lines(text)
    if not lines:
        return ReferenceFile(), [LineError(1, "", "the file is empty: it needs the header " + ",".join(COLUMNS))]
    (header_line, header), body = lines[0], lines[1:]
    header = [name.strip().lower() for name in header]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        message = "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                          f"unknown {', '.join(unknown)}" if unknown else ""]))
        return ReferenceFile(), [LineError(header_line, "", f"header: {message} (columns: {', '.join(COLUMNS)})")]
    parsed, errors = ReferenceFile(), []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in body:
        if len(cells) > len(header):
            errors.append(LineError(number, "", f"the row has {len(cells)} cells; the header has {len(header)}"))
            continue
        row = _Row(number, dict(zip(header, cells, strict=False)), errors)
        kind = row.text("kind", required=True).lower()
        if kind and kind not in KINDS:
            row.error("kind", f"“{kind}” is not one of {', '.join(KINDS)}")
            continue
        code = row.text("code", required=True, upper=True, max_length=MAX_CODE.get(kind, 12))
        name = row.text("name", required=True, max_length=120 if kind in ("network", "unit") else 160)
        key = (kind, code, row.cells.get("valid_from", "").strip() if kind == "unit" else "")
        if key in seen:
            row.error("code", f"{kind} {code} is already on line {seen[key]}")
        seen.setdefault(key, number)
        if kind in ORG_KINDS:
            parsed.organisations.append(OrgRow(number, ORG_KINDS[kind], code, name, *row.dates()))
        elif kind == "network":
            parsed.networks.append(NetworkRow(number, code, name, row.text("short_name", required=True, max_length=40),
                                              row.text("region", upper=True), *row.dates()))
        elif kind == "unit":
            parsed.units.append(_unit(row, code, name))
    _check_references(parsed, known, errors)
    _check_periods(parsed.units, errors)
    return parsed, sorted(errors, key=lambda e: e.line)
