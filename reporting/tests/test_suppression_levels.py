"""Secondary suppression at the levels above the unit, on small tables worked out by hand (no database).

Each table is one KPI (cooling started within 6 hours) for an area and the units the report prints under it;
the units sit in the area through `units.hierarchy` (built here in memory). The policy is the default: counts
from 1 to 4 hidden for units, trusts, LMNSs and ICBs, region and network counts shown in full.

The cases, and what each asserts exactly:

- a trust whose birth units add up to it: the classic pattern (a 2 × 2 block of hidden cells);
- a trust whose cooling centre also cools other trusts' babies, so the centre does not add up to the trust:
  nothing is hidden for that false sum, and the trust's headline stays;
- a region one of whose units joined it mid-year, so its units add up to more than the region: the hidden
  unit cell needs only its own row's complement;
- a unit report whose network is that unit alone (a unit beside a total it equals): the network's counts
  would give the unit's back, so they go too.

Then a reader's attack on every table: every sum the report seems to print (each row's met + not met =
eligible, the area = its units of each level, each column) is used to subtract, over and over, and no hidden
cell comes back with its true value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kpis.models import KpiAggregate
from reporting import periods
from reporting.figures import COUNT_COLUMNS, FigureRow, Scope, apply_suppression, families
from reporting.policy import Policy
from units.hierarchy import Hierarchy, OrgPath
from units.models import Unit

KPI = "cooling_started_6h"
POLICY = Policy(unit_threshold=5, network_threshold=0, rounding=0)
YEAR = periods.parse("2024")


def _path(trust: str, network: str = "N1", region: str = "R1") -> OrgPath:
    return OrgPath(trust=trust, lmns=None, icb=None, network=network, region=region)


# Where every unit sat at the end of 2024.
HIERARCHY = Hierarchy({}, {"A": _path("T1"), "B": _path("T1"), "C": _path("T1"), "D": _path("T2"),
                           "E": _path("T2"), "P": _path("T3"), "Q": _path("T4"), "S": _path("T5", "N2"),
                           "U": _path("T6", "N9", "R9"), "X": _path("T9", "N3", "R3")})


@dataclass(frozen=True)
class Line:
    level: str
    code: str
    met: int
    not_met: int
    not_eligible: int = 0
    missing: int = 0


def _rows(lines: list[Line]) -> list[FigureRow]:
    return [FigureRow(line.level, line.code, line.code, KPI, KpiAggregate(
        kpi=KPI, level=line.level, org_code=line.code, numerator=line.met, denominator=line.met + line.not_met,
        not_eligible=line.not_eligible, missing=line.missing, rate=line.met / ((line.met + line.not_met) or 1)), POLICY)
        for line in lines]


def _suppressed(scope: Scope, lines: list[Line]) -> tuple[list[FigureRow], dict[str, set[str]]]:
    rows = _rows(lines)
    apply_suppression(rows, POLICY, scope, HIERARCHY)
    return rows, {f"{r.level}:{r.org_code}": r.hidden for r in rows if r.hidden}


TRUST_1 = Scope("trust", None, YEAR, code="T1", title="Trust one", units=("A", "B", "C"))
TRUST_1_TABLE = [Line("trust", "T1", 35, 22, not_eligible=40, missing=13),
                 Line("birth_unit", "A", 3, 7, not_eligible=12, missing=0),
                 Line("birth_unit", "B", 12, 6, not_eligible=13, missing=6),
                 Line("birth_unit", "C", 20, 9, not_eligible=15, missing=7)]

# Trust T2: birth units D and E add up to it; E is also a cooling centre that cools other trusts' babies.
TRUST_2 = Scope("trust", None, YEAR, code="T2", title="Trust two", units=("D", "E"))
TRUST_2_TABLE = [Line("trust", "T2", 17, 13, not_eligible=20),
                 Line("birth_unit", "D", 2, 8, not_eligible=9),
                 Line("birth_unit", "E", 15, 5, not_eligible=11),
                 Line("cooling_centre", "E", 30, 4, not_eligible=0)]

# Region R1 on 31/12/2024: P, Q and S. S joined in July: its babies before then are not the region's, so
# the region's 44 met, 29 not met are less than P + Q + S's 59 and 32.
REGION = Scope("region", None, YEAR, code="R1", title="Region one", units=("P", "Q", "S"))
REGION_TABLE = [Line("region", "R1", 44, 29, not_eligible=50),
                Line("birth_unit", "P", 4, 16, not_eligible=10),
                Line("birth_unit", "Q", 25, 10, not_eligible=20),
                Line("birth_unit", "S", 30, 6, not_eligible=25)]


def test_trust_whose_units_add_up_hides_a_two_by_two_block() -> None:
    """A's 3 met is small. Its row: met + not met = 10, so its not met (7) goes. Then the trust's 35 met
    less B's and C's would give A's back: the smaller, B's 12, goes; likewise B's 6 not met for A's 7. B's
    row then has two hidden cells; A's and B's eligible (10, 18) stay. The four hidden cells solve to a line,
    not a point: A met + B met = 15, A not met + B not met = 13, A's row 10, B's 18."""
    rows, hidden = _suppressed(TRUST_1, TRUST_1_TABLE)
    assert hidden == {"birth_unit:A": {"numerator", "not_met"}, "birth_unit:B": {"numerator", "not_met"}}
    trust = rows[0]
    assert (trust.shown("numerator"), trust.shown("denominator"), trust.rate) == ("35", "57", 35 / 57)
    assert [r.rate is None for r in rows] == [False, True, True, False]


def test_a_trusts_own_small_count_is_hidden_and_its_units_protect_it() -> None:
    """A trust is a few units: its own counts follow the unit threshold. Its 3 missing (A 0, B 1, C 2) are
    all small but A's 0: three hidden cells in one sum, none of which can be worked out, so nothing more goes,
    and its rate (from met and not met) is still shown."""
    table = [Line("trust", "T1", 35, 22, missing=3), *(
        Line(line.level, line.code, line.met, line.not_met, missing=m) for line, m in zip(TRUST_1_TABLE[1:], (0, 1, 2),
                                                                                           strict=True))]
    rows, hidden = _suppressed(TRUST_1, table)
    assert hidden == {"trust:T1": {"missing"}, "birth_unit:A": {"numerator", "not_met"},
                      "birth_unit:B": {"numerator", "not_met", "missing"}, "birth_unit:C": {"missing"}}
    assert rows[0].rate == 35 / 57 and rows[0].shown("missing") == "[c]"


def test_trust_with_a_centre_that_also_cools_other_trusts_babies_keeps_its_headline() -> None:
    """D's 2 met is small: D's not met (8) goes with it, and through the birth units' sums E's 15 met and
    5 not met. The centre's 4 not met is small: its 30 met goes with it (met + not met = 34 is printed). The
    centre's 34 babies are not the trust's 30 (it cools other trusts' too), so the trust = centre "sum" is
    not one: nothing more is hidden for it, and the trust's 17 of 30 stays. (Adding the centre up to the
    trust, as for a network, hid the trust's met and not met, its headline, as the centre's complement.)"""
    rows, hidden = _suppressed(TRUST_2, TRUST_2_TABLE)
    assert hidden == {"birth_unit:D": {"numerator", "not_met"}, "birth_unit:E": {"numerator", "not_met"},
                      "cooling_centre:E": {"numerator", "not_met"}}
    trust = rows[0]
    assert (trust.shown("numerator"), trust.shown("not_met"), trust.shown("denominator")) == ("17", "13", "30")
    assert trust.rate == 17 / 30 and not trust.hidden


def test_region_whose_units_do_not_add_up_hides_only_the_units_own_row() -> None:
    """P's 4 met is small; its 16 not met goes (its row prints 20). The region is not P + Q + S (S joined
    mid-year), so subtracting Q and S from the region gives −11, not P's 4: nothing else is hidden. The
    region's counts are a whole population's (threshold 0): shown in full."""
    rows, hidden = _suppressed(REGION, REGION_TABLE)
    assert hidden == {"birth_unit:P": {"numerator", "not_met"}}
    assert [rows[0].shown(c) for c in ("numerator", "not_met", "denominator")] == ["44", "29", "73"]
    assert rows[0].rate == 44 / 73


def test_region_whose_units_add_up_protects_through_the_units() -> None:
    """The same region without the move (S's figures are all the region's, 59 and 32): now the region's
    sums hold. P's 4 met goes with its 16 not met (its row). The region's met less Q's and S's would give
    P's back: Q's 25, the smaller, goes; then Q's row (35 printed) would give it back from Q's 10 not met,
    which goes too, and with P's and Q's not met both hidden the not-met sum is safe: a 2 × 2 block (P met +
    Q met = 29, P not met + Q not met = 26, rows 20 and 35: a line, not a point). S's row, every unit's
    eligible and the region's 59 of 91 stay."""
    table = [Line("region", "R1", 59, 32, not_eligible=55), *REGION_TABLE[1:]]
    rows, hidden = _suppressed(REGION, table)
    assert hidden == {"birth_unit:P": {"numerator", "not_met"}, "birth_unit:Q": {"numerator", "not_met"}}
    assert [rows[0].shown(c) for c in ("numerator", "not_met", "denominator")] == ["59", "32", "91"]


def test_a_unit_beside_a_network_it_makes_up_alone_hides_the_networks_counts_too() -> None:
    """U is the only unit of network N9: the network's 3 met and 9 not met are U's. U's 3 is small, so the
    network's met and not met would give it (and its not met complement) straight back: they go, though the
    network's threshold is 0 — there is no other cell that would protect U."""
    scope = Scope("birth_unit", Unit(ods_code="U", short_name="U"), YEAR)
    rows = _rows([Line("birth_unit", "U", 3, 9), Line("network", "N9", 3, 9)])
    apply_suppression(rows, POLICY, scope, HIERARCHY)
    assert {r.level: r.hidden for r in rows} == {"birth_unit": {"numerator", "not_met"},
                                                 "network": {"numerator", "not_met"}}
    assert rows[1].shown("numerator") == "[c]" and rows[1].rate is None


def test_the_units_of_a_level_are_those_the_hierarchy_places_in_the_area() -> None:
    rows = _rows([*TRUST_2_TABLE, Line("birth_unit", "X", 5, 5)])  # X sits in another trust
    assert families(rows, YEAR.end, HIERARCHY) == [(("trust", "T2"), "birth_unit", ["D", "E"]),
                                                   (("trust", "T2"), "cooling_centre", ["E"])]


# --- A reader's attack: subtract through every sum the report seems to print ------------------------------------


def _printed(rows: list[FigureRow]) -> dict[tuple[str, str, str], int | None]:
    """What the report prints: a number, or None for a hidden cell."""
    cells: dict[tuple[str, str, str], int | None] = {}
    for row in rows:
        for column in COUNT_COLUMNS:
            text = row.shown(column)
            if text:
                cells[(row.level, row.org_code, column)] = int(text) if text.isdigit() else None
    return cells


def _attack(rows: list[FigureRow]) -> dict[tuple[str, str, str], int]:
    """Every hidden cell a reader works out by subtraction, assuming every sum a report like this seems to
    print: each row's met + not met = eligible, and each column's area = the units of each level below it."""
    known = _printed(rows)
    sums: list[tuple[tuple[str, str, str], list[tuple[str, str, str]]]] = []
    for row in rows:
        key = (row.level, row.org_code)
        sums.append(((*key, "denominator"), [(*key, "numerator"), (*key, "not_met")]))
    area = rows[0]
    for level in ("birth_unit", "cooling_centre"):
        units = [r for r in rows[1:] if r.level == level]
        for column in COUNT_COLUMNS:
            if units and (area.level, area.org_code, column) in known:
                sums.append(((area.level, area.org_code, column), [(level, r.org_code, column) for r in units]))
    worked_out: dict[tuple[str, str, str], int] = {}
    value = {k: v for k, v in known.items() if v is not None}
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            members = [total, *parts]
            missing = [m for m in members if m not in value]
            if len(missing) != 1:
                continue
            gone = missing[0]
            rest = sum(value[p] for p in parts if p != gone)
            value[gone] = value[total] - rest if gone != total else rest
            worked_out[gone] = value[gone]
            changed = True
    return worked_out


def _true(rows: list[FigureRow], key: tuple[str, str, str]) -> int | None:
    row = next(r for r in rows if (r.level, r.org_code) == key[:2])
    return row.count(key[2])


TABLES = [("trust, units add up", TRUST_1, TRUST_1_TABLE), ("trust, centre does not add up", TRUST_2, TRUST_2_TABLE),
          ("region, units do not add up", REGION, REGION_TABLE),
          ("region, units add up", REGION, [Line("region", "R1", 59, 32, not_eligible=55), *REGION_TABLE[1:]])]


@pytest.mark.parametrize(("name", "scope", "table"), TABLES, ids=[t[0] for t in TABLES])
def test_no_hidden_cell_can_be_worked_out_by_subtraction(name: str, scope: Scope, table: list[Line]) -> None:
    rows, hidden = _suppressed(scope, table)
    assert hidden, "the table has something to hide"
    worked_out = _attack(rows)
    for key, found in worked_out.items():
        assert found != _true(rows, key), f"{name}: {key} worked out as {found}"


def test_the_attack_does_work_out_a_cell_the_policy_left_unprotected() -> None:
    """The attack is real: with only the primary cell hidden (no secondary suppression), it finds A's 3."""
    rows = _rows(TRUST_1_TABLE)
    rows[1].hidden = {"numerator"}
    assert _attack(rows)[("birth_unit", "A", "numerator")] == 3
