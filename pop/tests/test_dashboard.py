"""The POP dashboard: each unit against the network and the national comparators, with 95 % Wilson intervals
and n, a funnel plot and a run chart, read from stored rows in a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.models import KpiRun
from pop import services
from pop.models import NationalComparator
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 1, 15)
START = datetime(2024, 1, 10, 9, 0, tzinfo=LONDON)


def text(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


def seed(people: Personas, count: int) -> None:
    units = ["RWG02", "RGT01", "RDE03", "RM102"]
    for n in range(count):
        birth = START + timedelta(days=n * 340 // count)
        services.pop_create(values=pop_values(birth=birth, birth_unit=units[n % len(units)],
                                              cord_clamping_seconds=30 if n % 3 == 0 else 90), by=people.nurse)
    services.compute_pop_kpis(as_of=AS_OF)


def test_the_seeded_comparators_are_the_verified_ones_from_the_spec(db: None) -> None:
    seeded = {(c.measure, c.year): (str(c.value_percent), c.verified)
              for c in NationalComparator.objects.all()}
    assert seeded[("pop_magnesium_sulphate", 2020)] == ("85.7", True)
    assert seeded[("pop_optimal_cord_management", 2023)] == ("68.3", True)
    assert all(verified for _, verified in seeded.values())
    assert all(c.source and c.source_url.startswith("https://") for c in NationalComparator.objects.all())


def test_unit_against_network_and_national(client: Client, people: Personas) -> None:
    seed(people, 8)
    client.force_login(people.clinician)
    page = text(client.get(reverse("pop:dashboard"), {"period": "2024", "unit": "RWG02",
                                                      "kpi": "pop_optimal_cord_management"}))
    # Babies 0, 3 and 6 have their cord clamped at 30 s; Watford holds babies 0 and 4.
    assert "Watford" in page and "2024" in page
    assert "Deferred cord clamping (60 seconds or more)" in page
    assert "50.0%" in page and "(9.5%–90.5%)" in page  # 1 of 2, Wilson 95 % interval
    assert "62.5%" in page  # network: 5 of 8
    assert "68.3% " in page and "NNAP summary report on 2023 data" in page
    assert "85.7%" in page and "NNAP annual report on 2020 data" in page
    assert "Funnel plot" in page and "Run chart" in page and "<svg" in page
    rolling = text(client.get(reverse("pop:dashboard"), {"period": "R12-2025-01"}))
    assert "12 months to 15 January 2025" in rolling  # the run date's window ends on the run date


def test_newer_verified_comparator_wins_and_unverified_are_not_shown(client: Client, people: Personas) -> None:
    NationalComparator.objects.create(measure="pop_magnesium_sulphate", year=2025, value_percent="99.9",
                                      source="Unchecked blog", verified=False)
    NationalComparator.objects.create(measure="pop_magnesium_sulphate", year=2024, value_percent="88.8",
                                      source="NNAP annual report on 2024 data", verified=True)
    seed(people, 4)
    client.force_login(people.lead)
    page = text(client.get(reverse("pop:dashboard"), {"period": "2024"}))
    assert "88.8%" in page and "99.9" not in page and "85.7%" not in page


def test_no_figures_yet(client: Client, people: Personas) -> None:
    client.force_login(people.nurse)
    page = text(client.get(reverse("pop:dashboard")))
    assert "No POP figures have been computed yet" in page and "No POP recompute has finished yet" in page


def test_freshness_reads_only_pop_runs(client: Client, people: Personas) -> None:
    seed(people, 2)
    KpiRun.objects.create(as_of=AS_OF, status=KpiRun.Status.FAILED, error="HIE exploded",
                          definition_versions={"cooling_started_6h": 1})
    client.force_login(people.nurse)
    page = text(client.get(reverse("pop:dashboard")))
    assert "HIE exploded" not in page and "Data as of" in page
    KpiRun.objects.create(producer="pop", as_of=AS_OF, status=KpiRun.Status.FAILED, error="POP exploded",
                          definition_versions={"pop_optimisation_score": 1})
    assert "The last POP KPI run failed" in text(client.get(reverse("pop:dashboard")))


def _queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_constant_number_of_queries_at_two_data_sizes(client: Client, people: Personas) -> None:
    client.force_login(people.nurse)
    url = reverse("pop:dashboard")
    params = {"period": "2024", "unit": "RWG02", "kpi": "pop_all_eligible", "trend": "quarter"}
    seed(people, 4)
    small = _queries(client, url, params)
    seed(people, 60)
    large = _queries(client, url, params)
    assert small == large <= 12  # session, user, memberships, runs, periods, rows, comparators, series


def test_admin_edits_comparators(client: Client, people: Personas) -> None:
    people.admin_user.is_staff = people.admin_user.is_superuser = True
    people.admin_user.save()
    client.force_login(people.admin_user)
    assert client.get(reverse("admin:pop_nationalcomparator_changelist")).status_code == 200
    comparator = NationalComparator.objects.get(measure="pop_magnesium_sulphate", year=2020)
    response = client.post(reverse("admin:pop_nationalcomparator_change", args=[comparator.pk]), {
        "measure": comparator.measure, "year": "2020", "population": comparator.population, "value_percent": "85.8",
        "source": comparator.source, "source_url": comparator.source_url, "verified": "on"})
    assert response.status_code == 302
    comparator.refresh_from_db()
    assert str(comparator.value_percent) == "85.8"


def test_a_comparator_must_name_a_pop_kpi(db: None) -> None:
    from django.core.exceptions import ValidationError

    comparator = NationalComparator(measure="magnesium", year=2020, value_percent="85.7", source="NNAP")
    with pytest.raises(ValidationError, match="Not a POP KPI code"):
        comparator.full_clean()


def _csv(response: object) -> list[list[str]]:
    import csv
    import io

    assert response["Content-Type"].startswith("text/csv")  # type: ignore[index]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))  # type: ignore[attr-defined]


def test_every_table_downloads_as_csv_and_each_download_is_audited(client: Client, people: Personas) -> None:
    from core.models import AuditEvent

    seed(people, 8)
    client.force_login(people.clinician)
    url = reverse("pop:dashboard")
    params = {"period": "2024", "unit": "RWG02", "kpi": "pop_optimal_cord_management", "trend": "quarter"}
    page = client.get(url, params).content.decode()
    assert page.count("format=csv") == 3  # the figures table, the funnel and the run chart
    figures = _csv(client.get(url, {**params, "format": "csv"}))
    assert figures[0][:7] == ["Measure", "Watford: rate", "95% interval from", "95% interval to", "Counted", "n",
                              "Missing"]
    cord = next(row for row in figures if row[0] == "Deferred cord clamping (60 seconds or more)")
    # Watford: 1 of 2 (Wilson 9.5 %–90.5 %); the network 5 of 8; the national 68.3 % (NNAP, 2023).
    assert cord[1:7] == ["50.0%", "9.5%", "90.5%", "1", "2", "0"]
    assert cord[7:10] == ["62.5%", "5", "8"] and cord[10] == "68.3%" and cord[12] == "2023"
    assert len(figures) == 1 + 9  # a header and one row per POP measure
    funnel = _csv(client.get(url, {**params, "format": "csv", "table": "funnel"}))
    assert len(funnel) == 1 + 4  # one row per birth unit with babies
    run = _csv(client.get(url, {**params, "format": "csv", "table": "run"}))
    assert [row[0] for row in run[1:]] == ["2024-Q1", "2024-Q2"]  # Watford's babies 0 and 4
    exports = AuditEvent.objects.filter(action="export", object_type="kpis.chart_data", actor=people.clinician)
    assert exports.count() == 3


def test_each_measure_says_what_it_counts_in_clinicians_words(client: Client, people: Personas) -> None:
    seed(people, 4)
    client.force_login(people.clinician)
    page = text(client.get(reverse("pop:dashboard"), {"period": "2024"}))
    # Beside the figure (a <details>) and in full under the charts, from the definition module.
    assert page.count("Babies born alive at 23+0 to 29+6 weeks.") == 2
    assert "Never: no start time recorded counts as not given." in page
    assert "NICE NG25 2015 (QS135); PReCePT 2018; NNAP 2023" in page
    assert 'href="#kpi-pop_magnesium_sulphate"' in page and 'id="kpi-pop_magnesium_sulphate"' in page
    assert "kpis.md" not in page and "domain.md" not in page and "§" not in page
