"""The overview chart names the organisation shown (issue 18), and calls the aim the network's only where the
organisation lies in one network (kpis.pagecharts.overview_chart)."""

from __future__ import annotations

import pytest

from core.testing.personas import Personas
from kpis import orgscope, pagecharts
from kpis.charts import RateBar
from kpis.definitions.base import Level
from kpis.orgscope import OrgRef
from units.services import LONDON_FILE, organisations_load_file


@pytest.fixture
def london(people: Personas) -> None:
    organisations_load_file(LONDON_FILE)
    orgscope.warm_tree()


@pytest.mark.parametrize(("ref", "where", "aim"), [
    (OrgRef(Level.REGION, "Y56"), "London region", "Pathway aim"),  # three networks: not one network's aim
    (OrgRef(Level.NETWORK, "SL"), "South London Neonatal ODN", "Network aim"),
    (OrgRef(Level.TRUST, "RJ2"), "Lewisham and Greenwich NHS Trust", "Network aim"),
    (OrgRef(Level.ICB, "QKK"), "NHS South East London Integrated Care Board", "Network aim"),
    (OrgRef(Level.NETWORK, "EOE"), "East of England Neonatal ODN", "Network aim"),
    (OrgRef(Level.REGION, "Y61"), "East of England region", "Network aim"),  # one network in the region
])
def test_the_overview_chart_names_the_organisation_and_whose_aim(london: None, ref: OrgRef, where: str,
                                                                  aim: str) -> None:
    assert pagecharts._overview_names(ref) == (where, aim)


def test_the_caption_and_legend_use_those_names(london: None) -> None:
    chart = pagecharts._bars((RateBar("Cooled by 6 h", 8, 10, 0.9),), "London region KPIs, 2024", "Pathway aim")
    assert chart.caption.startswith("Bar chart of London region KPIs, 2024:")
    assert "pathway aims where set" in chart.caption and "Network" not in chart.caption
    assert chart.table.header[-1] == "Pathway aim" and "Pathway aim" in chart.svg
