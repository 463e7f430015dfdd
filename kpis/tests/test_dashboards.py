"""KPI dashboards as consultants and leads use them: figures with intervals, unit against network and the
published figures, funnel and run charts, drill-down limited to what the user may see, freshness
warnings, the lead's recompute, and a constant number of queries whatever the data size."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from math import sqrt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import pending, services
from kpis.models import KpiAggregate, KpiRun
from pathway import services as pathway_services

AS_OF = date(2024, 12, 31)
YEAR = "2024"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(people: Personas, minutes_to_cooling: int, *, birth_unit: str = "RWG02", centre: str = "RGT01",
          day: int = 1) -> None:
    _cooled(people, datetime(2024, 5, day, 3, 0, tzinfo=LONDON), minutes_to_cooling, birth_unit=birth_unit,
            centre=centre)


def _cooled(people: Personas, birth: datetime, minutes: int, **units: str) -> None:
    """A cooled baby whose cooling (passive, then active) starts `minutes` after birth."""
    start = birth + timedelta(minutes=minutes)
    values = cooled_case_values(birth=birth, **units, passive_cooling_start=start,
                                active_cooling_start=start + timedelta(minutes=10),
                                target_temp_reached=start + timedelta(minutes=40),
                                core_monitoring_start=birth + timedelta(minutes=20))
    pathway_services.case_create(values=values, by=people.nurse)


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" data-kpi="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"\s+", " ", match.group(1))


@pytest.fixture
def figures(people: Personas) -> Personas:
    """Watford: 2 of 3 cooled within 6 h; Ipswich: 1 of 1. Network: 3 of 4."""
    for day, minutes in enumerate((30, 200, 400), start=1):
        _case(people, minutes, day=day)
    _case(people, 60, birth_unit="RDE03", centre="RM102", day=9)
    services.compute(as_of=AS_OF)
    return people


@pytest.mark.django_db
def test_overview_shows_rate_interval_n_and_published_figures(figures: Personas) -> None:
    html = _client(figures.consultant).get(reverse("kpis:overview"), {"period": YEAR}).content.decode()

    row = _row(html, "cooling_started_6h")
    low, high = _wilson(3, 4)
    assert "<strong>75%</strong>" in row and "3 of 4" in row
    assert f"{low:.0%}–{high:.0%}" in row
    assert "Higher is better" in row
    assert "36% → 91%" in _row(html, "target_temp_6h")  # published EoE baseline → 2012
    assert "122 → 85 min" in _row(html, "age_at_referral_min")
    assert "<svg" in html and "Show the data" in html


@pytest.mark.django_db
def test_unit_page_compares_the_unit_with_the_network(figures: Personas) -> None:
    html = _client(figures.consultant).get(reverse("kpis:unit", args=["RWG02"]), {"period": YEAR}).content.decode()
    row = _row(html, "cooling_started_6h")
    assert "<strong>67%</strong>" in row and "2 of 3" in row  # Watford
    assert "75%" in row  # the network beside it


@pytest.mark.django_db
def test_cooling_centre_page_counts_babies_cooled_there(figures: Personas) -> None:
    client = _client(figures.consultant)
    html = client.get(reverse("kpis:centre", args=["RM102"]), {"period": YEAR}).content.decode()
    assert "<strong>100%</strong>" in _row(html, "cooling_started_6h")
    assert client.get(reverse("kpis:centre", args=["RWG02"])).status_code == 404  # not a cooling centre


@pytest.mark.django_db
def test_trend_compares_with_the_previous_period(people: Personas) -> None:
    _case(people, 30, day=1)  # May 2024: 1 of 1
    _cooled(people, datetime(2024, 4, 2, 3, 0, tzinfo=LONDON), 420)  # April 2024: 0 of 1
    services.compute(as_of=AS_OF)
    html = _client(people.lead).get(reverse("kpis:overview"), {"period": "2024-05"}).content.decode()
    assert "▲ 100 points (better)" in _row(html, "cooling_started_6h")


@pytest.mark.django_db
def test_funnel_and_run_chart_render_for_a_rate_kpi(figures: Personas) -> None:
    client = _client(figures.consultant)
    funnel = client.get(reverse("kpis:funnel", args=["cooling_started_6h"]), {"period": YEAR}).content.decode()
    assert "<svg" in funnel and "Watford" in funnel and "Ipswich" in funnel
    run = client.get(reverse("kpis:run", args=["cooling_started_6h"]), {"level": "birth_unit", "org": "RWG02"})
    assert run.status_code == 200 and "2024-05" in run.content.decode()
    assert client.get(reverse("kpis:funnel", args=["age_at_referral_min"])).status_code == 404
    assert client.get(reverse("kpis:funnel", args=["no_such_kpi"])).status_code == 404


@pytest.mark.django_db
def test_drill_down_shows_only_cases_the_user_may_see(figures: Personas) -> None:
    url = reverse("kpis:cases", args=["cooling_started_6h"])
    query = {"level": "network", "period": YEAR, "outcome": ["met", "not_met"]}
    nurse = _client(figures.nurse).get(url, query).content.decode()
    clinician = _client(figures.clinician).get(url, query).content.decode()  # Watford only
    assert "4 cases" in nurse
    assert "3 cases" in clinician and "Ipswich" not in clinician

    not_met = _client(figures.nurse).get(url, {**query, "outcome": "not_met"}).content.decode()
    assert "1 case<" in not_met


@pytest.mark.django_db
def test_freshness_warnings(people: Personas) -> None:
    client = _client(people.consultant)
    assert "No full recompute has finished yet" in client.get(reverse("kpis:overview")).content.decode()

    run = services.compute(as_of=AS_OF)
    assert "Data as of" in client.get(reverse("kpis:overview")).content.decode()
    KpiRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(hours=27))
    assert "Figures may be out of date" in client.get(reverse("kpis:overview")).content.decode()

    KpiRun.objects.create(status=KpiRun.Status.FAILED, error="ZeroDivisionError: boom", as_of=AS_OF,
                          finished_at=timezone.now(), definition_versions={"cooling_started_6h": 1})
    html = client.get(reverse("kpis:overview")).content.decode()
    assert "The last KPI run failed" in html and "ZeroDivisionError: boom" in html
    assert 'data-freshness="waiting"' not in html

    pending.mark(["2024-05"], producer="pop")  # POP's own pending periods say nothing about HIE figures
    assert 'data-freshness="waiting"' not in client.get(reverse("kpis:overview")).content.decode()
    pending.mark(["2024-05"], producer="hie")  # a save whose recompute has not run yet
    html = client.get(reverse("kpis:overview")).content.decode()
    assert "are waiting to be counted" in html


@pytest.mark.django_db
def test_network_lead_starts_a_recompute_and_sees_its_progress(figures: Personas) -> None:
    client = _client(figures.lead)
    response = client.post(reverse("kpis:recompute"))
    run = KpiRun.objects.order_by("-id").first()
    assert run is not None and run.trigger == KpiRun.Trigger.MANUAL and run.triggered_by == figures.lead
    assert response.status_code == 302 and response["Location"].endswith(f"?run={run.pk}")
    page = client.get(response["Location"]).content.decode()
    assert f"KPI recompute {run.pk}: succeeded" in page  # inline without Redis
    progress = client.get(reverse("kpis:run_progress", args=[run.pk])).content.decode()
    assert 'value="100"' in progress and "hx-trigger" not in progress  # stops polling when done


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["clinician", "consultant", "nurse"])
def test_only_leads_and_administrators_may_recompute(people: Personas, persona: str) -> None:
    assert _client(getattr(people, persona)).post(reverse("kpis:recompute")).status_code == 403
    assert not KpiRun.objects.exists()


@pytest.mark.django_db
def test_running_run_progress_keeps_polling(people: Personas) -> None:
    run = KpiRun.objects.create(as_of=AS_OF, progress_done=5, progress_total=20)
    html = _client(people.lead).get(reverse("kpis:run_progress", args=[run.pk])).content.decode()
    assert 'value="25"' in html and 'hx-trigger="every 1s"' in html


def _queries(client: Client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_data(people: Personas) -> None:
    pages = [
        (reverse("kpis:overview"), {"period": YEAR}),
        (reverse("kpis:unit", args=["RWG02"]), {"period": YEAR}),
        (reverse("kpis:centre", args=["RGT01"]), {"period": YEAR}),
        (reverse("kpis:funnel", args=["cooling_started_6h"]), {"period": YEAR}),
        (reverse("kpis:run", args=["cooling_started_6h"]), {"level": "network"}),
    ]
    client = _client(people.consultant)
    _case(people, 30, day=1)
    services.compute(as_of=AS_OF)
    small = [_queries(client, url, query) for url, query in pages]
    units = ["RWG02", "RDE03", "RC979", "RWH01", "RQ8L0", "RAJ12"]
    for day in range(2, 26):
        _case(people, 30 + day * 20, birth_unit=units[day % len(units)], day=day)
    services.compute(as_of=AS_OF)
    assert KpiAggregate.objects.filter(level="birth_unit", period_key=YEAR).values("org_code").distinct().count() > 3
    large = [_queries(client, url, query) for url, query in pages]
    assert large == small


@pytest.mark.django_db
def test_other_producers_runs_do_not_hide_a_failed_hie_run(people: Personas) -> None:
    services.compute(as_of=AS_OF)
    KpiRun.objects.create(status=KpiRun.Status.FAILED, error="boom", as_of=AS_OF, finished_at=timezone.now(),
                          definition_versions={"cooling_started_6h": 1})
    # A full run of another producer, after the failure: the HIE dashboards read only HIE runs.
    KpiRun.objects.create(producer="training", status=KpiRun.Status.SUCCEEDED, as_of=AS_OF,
                          finished_at=timezone.now(), definition_versions={"training_coverage_12m": 1})
    html = _client(people.consultant).get(reverse("kpis:overview")).content.decode()
    assert "The last KPI run failed" in html
