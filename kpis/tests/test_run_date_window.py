"""The rolling window of the run date's month holds exactly the births of the 12 months ending on the run
date (kpis.md "Period"), counted at the edges by London date, in full and partial runs alike."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services
from kpis.models import KpiAggregate
from pathway import services as pathway_services

AS_OF = date(2024, 7, 15)


def _born(people: Personas, day: datetime) -> None:
    pathway_services.case_create(values=cooled_case_values(birth=day), by=people.nurse)


def _denominator() -> int:
    row = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="R12-2024-07")
    assert (row.period_start, row.period_end) == (date(2023, 7, 16), AS_OF)
    return row.denominator


@pytest.mark.django_db
def test_window_edges_full_and_partial_runs(people: Personas) -> None:
    _born(people, datetime(2023, 7, 15, 23, 30, tzinfo=LONDON))  # the day before the window: out
    _born(people, datetime(2023, 7, 16, 0, 30, tzinfo=LONDON))  # first day (still 15 July in UTC): in
    _born(people, datetime(2023, 7, 31, 12, 0, tzinfo=LONDON))  # outside the calendar window, inside this one
    _born(people, datetime(2024, 7, 15, 9, 0, tzinfo=LONDON))  # the run date itself: in

    services.compute(as_of=AS_OF)
    assert _denominator() == 3
    services.compute(periods=["R12-2024-07"], as_of=AS_OF)
    assert _denominator() == 3
    # The calendar window of the month before is untouched by the run date: August 2023 to... June 2024.
    june = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="R12-2024-06")
    assert (june.period_start, june.period_end, june.denominator) == (date(2023, 7, 1), date(2024, 6, 30), 3)


@pytest.mark.django_db
def test_dashboard_labels_and_drills_down_the_window_as_computed(people: Personas) -> None:
    _born(people, datetime(2023, 7, 20, 12, 0, tzinfo=LONDON))
    _born(people, datetime(2023, 7, 10, 12, 0, tzinfo=LONDON))  # before the window
    services.compute(as_of=AS_OF)
    client = Client()
    client.force_login(people.nurse)
    html = client.get(reverse("kpis:overview")).content.decode()
    assert "12 months to 15 July 2024" in html
    cases = client.get(reverse("kpis:cases", args=["cooling_started_6h"]),
                       {"level": "network", "period": "R12-2024-07"}).content.decode()
    assert "1 case<" in cases
