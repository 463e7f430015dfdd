"""Every hidden cell of a report for outside the network reads "[c]", never "<5": a cell hidden only to protect
another (secondary suppression) may hold any count, and "<5" over 19 babies would tell a board something false.
The page, the PDF's page, the spreadsheet and the CSV are checked, with the note that explains the mark."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.testing.personas import Personas
from reporting import content
from reporting.figures import COLUMNS, HIDDEN_ROW, figure_rows, scope_for
from reporting.periods import parse
from reporting.policy import current
from reporting.render import report_html, write_csv, write_xlsx
from reporting.tests.test_levels import _store_level
from units.models import Unit

pytestmark = pytest.mark.django_db
SIX_HOURS = "Cooling started within 6 hours"


@pytest.fixture
def trust_19_of_21(figures: Personas) -> str:
    """Cambridge's trust: 19 of 21 babies cooled within 6 hours. Its 2 not met are small (hidden); the only
    cells that give them back are the 19 met and the 21 eligible, so one of those large counts is hidden too."""
    trust = Unit.objects.get(ods_code="RGT01").trust_ods
    assert trust
    _store_level("trust", trust, met=19, eligible=21)
    return trust


def test_a_complementary_hidden_large_count_reads_c_everywhere(trust_19_of_21: str) -> None:
    found = scope_for("trust", None, trust_19_of_21, parse("2024"))
    own = next(r for r in figure_rows(found, policy=current())
               if (r.level, r.org_code, r.kpi) == ("trust", trust_19_of_21, "cooling_started_6h"))
    # The premise: the small 2 not met is hidden, and so are the 19 met, hidden only to protect it (the trust's
    # 21 eligible stays). Before, this read "met <5 of 21".
    assert own.hidden == {"numerator", "not_met"} and own.count("numerator") == 19
    assert [own.shown(c) for c in ("numerator", "not_met", "denominator")] == ["[c]", "[c]", "21"]

    data = content.build_for(found, title="Trust board", external=True, chosen=["hie", "completeness"])
    hie = data["sections"][0]["tables"][0]
    line = next(row for row in hie["rows"] if row[0][0].startswith(SIX_HOURS))
    # Result, 95% interval, Met (19), Eligible: the rate and interval come from the hidden counts, so they are [c] too.
    assert [c[0] for c in line[1:5]] == ["[c]", "[c]", "[c]", "21"]
    assert all(c[1] is None for c in line[1:4])  # no number behind a hidden cell for the spreadsheet to store
    assert "[c] = not shown, to protect confidentiality. It may stand for any number" in hie["note"]

    # Missing data: the share is worked out from the missing and the 21 recorded, both shown, so it is shown.
    gaps = next(s for s in data["sections"] if s["key"] == "completeness")["tables"][0]
    gap = next(row for row in gaps["rows"] if row[0][0] == SIX_HOURS)
    missing = own.count("missing") or 0
    assert "missing" not in own.hidden and [c[0] for c in gap[1:4]] == [str(missing), "21",
                                                                         f"{missing / (21 + missing) * 100:.0f}%"]

    html = report_html(data)
    assert "&lt;5" not in html and "<5" not in html
    assert "It may stand for any number" in html and "Using symbols and shorthand in tables" in html

    out = io.BytesIO()
    write_xlsx(data, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(isinstance(v, str) and "<5" in v for v in values)
    sheet = book["Neuroprotection (HIE) KPIs"]
    row = next(r for r in sheet.iter_rows() if str(r[0].value).startswith(SIX_HOURS))
    assert [c.value for c in row[1:5]] == ["[c]", "[c]", "[c]", 21]
    assert any(isinstance(v, str) and v.startswith("[c] = not shown") for v in
               (c.value for r in sheet.iter_rows() for c in r))
    definitions = [c.value for r in book["Definitions"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any("Every hidden cell is shown as [c]" in v for v in definitions)
    layout = book["Figures by unit"]
    layout_row = next(dict(zip(COLUMNS, [c.value for c in r], strict=True)) for r in layout.iter_rows(min_row=2)
                      if r[1].value == trust_19_of_21 and r[4].value == SIX_HOURS)
    assert [layout_row[c] for c in ("Met", "Not met", "Eligible", "Rate (%)")] == ["[c]", "[c]", 21, "[c]"]

    out = io.BytesIO()
    write_csv(data, out)
    text = out.getvalue().decode("utf-8-sig")
    assert "<5" not in text
    csv_row = next(r for r in csv.DictReader(io.StringIO(text))
                   if r["Organisation code"] == trust_19_of_21 and r["Measure"] == SIX_HOURS)
    assert [csv_row[c] for c in ("Met", "Not met", "Eligible", "Rate (%)", "95% interval low (%)",
                                 "95% interval high (%)")] == ["[c]", "[c]", "21", "[c]", "[c]", "[c]"]
    assert csv_row["Small numbers hidden"] == HIDDEN_ROW and HIDDEN_ROW.startswith("yes: [c] =")


def test_a_report_for_the_network_shows_every_count_and_no_mark(trust_19_of_21: str) -> None:
    found = scope_for("trust", None, trust_19_of_21, parse("2024"))
    data = content.build_for(found, title="Trust board", external=False, chosen=["hie"], with_charts=False)
    line = next(row for row in data["sections"][0]["tables"][0]["rows"] if row[0][0].startswith(SIX_HOURS))
    assert [c[0] for c in line[3:5]] == ["19", "21"]
    assert "[c]" not in report_html(data)
