"""The dashboards as a consultant reads them (issue 15): definitions beside every figure and on their own page,
periods by kind (NHS financial years, dates you choose), aims in colour and words, units side by side,
two-year follow-up by birth cohort, chart data as CSV, and the overview's cost per request."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import aims, explain, services
from kpis.models import KpiAggregate
from kpis.registry import REGISTRY
from pathway import services as pathway_services
from units.models import Network

AS_OF = date(2024, 12, 31)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cooled(people: Personas, birth: datetime, minutes: int, **values: Any) -> None:
    start = birth + timedelta(minutes=minutes)
    pathway_services.case_create(values=cooled_case_values(
        birth=birth, passive_cooling_start=start, active_cooling_start=start + timedelta(minutes=10),
        target_temp_reached=start + timedelta(minutes=40), core_monitoring_start=birth + timedelta(minutes=20),
        **values), by=people.nurse)


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" data-kpi="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"\s+", " ", match.group(1))


@pytest.fixture
def figures(people: Personas) -> Personas:
    """2024: Watford 2 of 3 cooled within 6 h (May, May, June); Ipswich 1 of 1 (September)."""
    for day, minutes in ((1, 30), (2, 200)):
        _cooled(people, datetime(2024, 5, day, 3, 0, tzinfo=LONDON), minutes)
    _cooled(people, datetime(2024, 6, 20, 3, 0, tzinfo=LONDON), 400)
    _cooled(people, datetime(2024, 9, 9, 3, 0, tzinfo=LONDON), 60, birth_unit="RDE03", centre="RM102")
    services.compute(as_of=AS_OF)
    return people


# --- Definitions ----------------------------------------------------------------------------------------------


FILE_LIKE = re.compile(r"\.(md|py|html)\b|§|domain|kpis\b|dataset|spec", re.I)


@pytest.mark.parametrize("e", explain.ALL, ids=lambda e: e.code)
def test_every_definition_explains_itself_in_clinicians_words(e: explain.Explanation) -> None:
    assert e.cohort.strip() and e.counted.strip() and e.missing.strip() and e.citation.strip()
    assert not FILE_LIKE.search(" ".join([e.cohort, e.counted, e.missing, e.citation])), e.code
    assert re.search(r"\d{4}|NNAP|BAPM|TOBY|MNSI", e.citation), "a source a clinician can look up, with its year"


def test_the_definitions_page_lists_every_kpi_from_the_registry(people: Personas) -> None:
    html = _client(people.clinician).get(reverse("kpis:definitions")).content.decode()
    sections = re.findall(r'data-definition="([a-z0-9_]+)"', html)
    assert sections == list(REGISTRY)
    section = html.split('data-definition="parent_consultation_24h"', 1)[1].split("</section>", 1)[0]
    assert "NNAP 2021" in section and "Who is counted" in section and "Missing when" in section
    assert "Higher is better" in section and "Version</dt>" in section
    assert not FILE_LIKE.search(re.sub(r"<[^>]+>|href=\"[^\"]*\"", " ", html.split("<main", 1)[1]))


def test_every_figure_has_its_short_definition_and_the_columns_are_explained(figures: Personas) -> None:
    html = _client(figures.consultant).get(reverse("kpis:overview"), {"period": "2024"}).content.decode()
    for code in REGISTRY:
        row = _row(html, code)
        assert '<details class="app-definition">' in row and "What counts" in row, code
        assert f'href="/kpis/definitions/#kpi-{code}"' in row
    assert "TOBY trial protocol 2008; NICE IPG347 2010" in _row(html, "cooling_started_6h")
    assert "How to read this table" in html
    assert "before the pathway began (2009) → in 2012" in html  # the East of England column explained
    assert "the period just before, of the same length (2023)" in html  # and the change column


# --- Periods --------------------------------------------------------------------------------------------------


def test_the_picker_offers_kinds_newest_first_with_nhs_financial_years(figures: Personas) -> None:
    client = _client(figures.consultant)
    html = client.get(reverse("kpis:overview"), {"period": "FY2024-25"}).content.decode()
    assert "<h2 class=\"nhsuk-u-margin-bottom-2\">2024/25 (April 2024 to March 2025)</h2>" in html
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options == ["FY2024-25"]  # only this kind (every birth is in 2024/25)
    # May 2024 counts in 2024/25: Watford's three and Ipswich's one; the 2024 rows agree.
    assert "3 of 4" in _row(html, "cooling_started_6h")
    kinds = re.findall(r'<li>(?:<strong aria-current="true">|<a href="[^"]*">)([^<]+)<', html)
    assert kinds[:5] == ["Rolling 12 months", "NHS financial year", "Calendar year", "Quarter", "Calendar month"]
    assert "Dates you choose" in kinds


def test_dates_you_choose_are_counted_from_stored_outcomes_without_reading_cases(figures: Personas) -> None:
    client = _client(figures.consultant)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("kpis:overview"), {"start": "01/05/2024", "end": "20/06/2024"}).content.decode()
    assert "1 May 2024 to 20 June 2024" in html
    row = _row(html, "cooling_started_6h")  # the two May babies and the one born on 20 June (cooled at 400 min)
    assert "<strong>67%</strong>" in row and "2 of 3" in row
    narrower = client.get(reverse("kpis:overview"), {"start": "01/05/2024", "end": "19/06/2024"}).content.decode()
    assert "2 of 2" in _row(narrower, "cooling_started_6h")
    assert not [q for q in queries.captured_queries if "pathway_case" in q["sql"]]


@pytest.mark.parametrize(("start", "end", "message"), [
    ("31/05/2024", "01/05/2024", "The last date of birth must be on or after the first"),
    ("01/05/2024", "", "This field is required"),
    ("1 May", "31/05/2024", "Enter a valid date"),
    ("01/05/2024", "01/05/2999", "cannot be in the future"),
])
def test_dates_you_choose_are_refused_with_the_field_and_rule(figures: Personas, start: str, end: str,
                                                              message: str) -> None:
    html = _client(figures.consultant).get(reverse("kpis:overview"), {"start": start, "end": end}).content.decode()
    assert message in html and "nhsuk-error-message" in html


# --- Aims -------------------------------------------------------------------------------------------------------


def test_an_aim_colours_the_figure_with_words_and_shows_on_the_charts(figures: Personas) -> None:
    aims.set_aim(kpi="cooling_started_6h", value=90, rationale="Network board", by=figures.admin_user)
    aims.set_aim(kpi="overcooling_before_centre", value=10, by=figures.admin_user)
    client = _client(figures.consultant)
    html = client.get(reverse("kpis:overview"), {"period": "2024"}).content.decode()
    assert 'nhsuk-tag--red app-tag">Aim not met</strong><br><span class="app-small">At least 90%' in \
        _row(html, "cooling_started_6h")  # 3 of 4
    assert 'nhsuk-tag--green app-tag">Aim met</strong><br><span class="app-small">At most 10%' in \
        _row(html, "overcooling_before_centre")
    run = client.get(reverse("kpis:run", args=["cooling_started_6h"])).content.decode()
    assert "Network aim 90.0%" in run and "set by" in run
    definitions = client.get(reverse("kpis:definitions")).content.decode()
    assert "At least 90% (Network board); set by" in definitions


# --- Birth cohorts ----------------------------------------------------------------------------------------------


def test_two_year_follow_up_is_shown_for_the_newest_complete_birth_year(people: Personas) -> None:
    """Run on 31/12/2024: babies born in 2021 are all 30 months old (since 30/06/2024); 2022's are not."""
    _cooled(people, datetime(2021, 3, 1, 3, 0, tzinfo=LONDON), 30, outcome="alive",
            discharge_datetime=datetime(2021, 3, 20, 12, 0, tzinfo=LONDON), followup_2y="completed",
            followup_2y_date=date(2023, 3, 10))
    _cooled(people, datetime(2024, 6, 1, 3, 0, tzinfo=LONDON), 30)
    services.compute(as_of=AS_OF)
    html = _client(people.consultant).get(reverse("kpis:overview")).content.decode()
    row = _row(html, "followup_2y")
    assert "<strong>100%</strong>" in row and "1 of 1" in row and "Babies born in 2021" in row
    assert "No eligible babies" not in row and "No babies in this period" not in row
    complete = _client(people.consultant).get(reverse("kpis:overview"), {"period": "2021"}).content.decode()
    assert "Babies born in" not in _row(complete, "followup_2y")  # a complete period is shown as itself


# --- Units side by side -----------------------------------------------------------------------------------------


def test_units_side_by_side_mark_significant_differences_in_words_and_colour(people: Personas) -> None:
    """Watford 0 of 12 cooled within 6 h, four other units 12 of 12 each: Watford is below the funnel's
    limits around the network rate of 80% (48 of 60), the others within them (the upper 95% limit at 12
    babies is 80% + 1.96 × √(0.8 × 0.2 / 12), over 100%)."""
    for index, unit in enumerate(["RWG02", "RDE03", "RC971", "RWH01", "RAJ12"]):
        for day in range(1, 13):
            _cooled(people, datetime(2024, 2, day, 3, index, tzinfo=LONDON), 420 if unit == "RWG02" else 30,
                    birth_unit=unit)
    services.compute(as_of=AS_OF)
    html = _client(people.clinician).get(reverse("kpis:compare"), {"period": "2024"}).content.decode()
    rows = re.findall(r'<tr class="nhsuk-table__row( app-mine)?" data-unit="([A-Z0-9]+)">(.*?)</tr>', html, re.S)
    assert rows[0][:2] == (" app-mine", "RWG02")  # the clinician's own unit first
    watford = re.sub(r"\s+", " ", rows[0][2])
    cell = re.search(r'<td class="nhsuk-table__cell app-cell--worse" data-cell="cooling_started_6h">(.*?)</td>',
                     watford)
    assert cell and "Significantly below the network" in cell.group(1) and "0 of 12" in cell.group(1)
    others = {ods: body for _, ods, body in rows[1:]}
    ipswich = re.search(r'data-cell="cooling_started_6h">(.*?)</td>', others["RDE03"], re.S)
    assert ipswich is not None and "Significantly" not in ipswich.group(1)

    lead_html = _client(people.lead).get(reverse("kpis:compare"), {"period": "2024"}).content.decode()
    assert "app-mine" not in lead_html  # a network-wide role has no "own" units


# --- CSV --------------------------------------------------------------------------------------------------------


def test_every_chart_offers_its_data_as_csv_and_the_download_is_audited(figures: Personas) -> None:
    client = _client(figures.consultant)
    pages = [(reverse("kpis:overview"), {"period": "2024"}),
             (reverse("kpis:funnel", args=["cooling_started_6h"]), {"period": "2024"}),
             (reverse("kpis:run", args=["cooling_started_6h"]), {}),
             (reverse("kpis:breaches", args=["cooling_started_6h"]), {})]
    for url, query in pages:
        html = client.get(url, query).content.decode()
        assert html.count("Download data (CSV)") == html.count("<figure"), url
    funnel = client.get(reverse("kpis:funnel", args=["cooling_started_6h"]), {"period": "2024", "format": "csv"})
    assert funnel["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(funnel.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["Unit", "Met", "Eligible", "Rate", "Position"]
    assert ["Watford", "2", "3", "66.7%", "Within 95% limits"] in rows
    run = client.get(reverse("kpis:run", args=["cooling_started_6h"]), {"format": "csv", "level": "network"})
    table = list(csv.reader(io.StringIO(run.content.decode().lstrip("\ufeff"))))
    assert table[0] == ["Period", "Rate", "Met", "Cases", "Missing", "Signal"]
    months = [row[0] for row in table[1:]]
    assert months[:5] == ["2024-05", "2024-06", "2024-07", "2024-08", "2024-09"]  # July, August: no babies
    assert table[3][1:5] == ["–", "0", "0", "0"]
    assert AuditEvent.objects.filter(action="export", object_type="kpis.chart_data").count() == 2


# --- Cost per request -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clinician", "lead"])
def test_the_overview_needs_at_most_ten_queries_and_reads_no_figures_when_warm(figures: Personas, who: str) -> None:
    # A second network makes access filter by network: the lead may open board reports, and the "live" notice
    # naming the latest one must not work out every report the lead could open (ten more queries a view).
    Network.objects.create(name="Another Neonatal ODN", short_name="Another", code="ANO")
    client = _client(getattr(figures, who))
    client.get(reverse("kpis:overview"))  # the first visitor after the run (the job would have done this)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("kpis:overview")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) <= 10, "\n".join(sql)
    assert not [q for q in sql if KpiAggregate._meta.db_table in q and "MAX" not in q.upper()]


@pytest.mark.parametrize("query, status", [
    ({"within": "trust:RGT"}, 200), ({"within": "trust:NOPE"}, 404), ({"within": "unknown:RGT"}, 404),
    ({"within": "birth_unit:RGT01"}, 404),  # a unit holds no units to compare
    ({"level": "trust", "org": "RGT"}, 200), ({"level": "trust", "org": "NOPE"}, 404),
])
def test_an_organisation_named_in_the_address_must_exist_above_the_unit(figures: Personas, query: dict[str, str],
                                                                         status: int) -> None:
    page = "kpis:compare" if "within" in query else "kpis:overview"
    assert _client(figures.lead).get(reverse(page), query).status_code == status
