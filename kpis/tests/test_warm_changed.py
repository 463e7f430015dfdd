"""The job after a KPI run prepares only what the run changed (`kpis.overview.warm`, `kpis.changes`).

Two networks with a case each: the East of England (EOE) and North Central & East London (NCEL, from the
London reference file). A full run prepares every network's overview and run charts and each funnel plot once
(the same chart for every network); the drain after one EOE case changed draws EOE's charts only (every
overview is prepared, NCEL's with no chart drawn), and what it prepares is what preparing everything gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import changes, dashboard, overview, pagecharts, pending, registry, tasks
from kpis.definitions.base import Level
from kpis.models import KpiRun
from kpis.orgscope import OrgRef
from kpis.periods import periods_for_birth
from kpis.versions import page_version
from pathway.models import Case
from units.services import LONDON_FILE, organisations_load_file

EOE, NCEL = OrgRef(Level.NETWORK, "EOE"), OrgRef(Level.NETWORK, "NCEL")


@pytest.fixture
def two_networks(people: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Case]:
    organisations_load_file(LONDON_FILE)
    settings.KPIS_WARM_CHARTS = True
    monkeypatch.setattr(pending, "celery_runs_inline", lambda: False)  # as in a worker: the charts are drawn too
    cache.clear()
    born = timezone.now() - timedelta(days=40)  # in the default period, the newest rolling 12 months
    return {"EOE": Case.objects.create(**cooled_case_values(birth=born, birth_unit="RWG02", centre="RGT01")),
            "NCEL": Case.objects.create(**cooled_case_values(birth=born, birth_unit="RAPNM", centre="RRV03"))}


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: list[tuple[Any, Any]],
         key: Callable[..., Any]) -> None:
    """Record (key of the arguments, result) of every call of module.name from now on."""
    real = getattr(module, name)

    def spying(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append((key(*args, **kwargs), result))
        return result

    monkeypatch.setattr(module, name, spying)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[Any, Any]]]:
    """What the job prepares: overview pages by organisation, run charts by (organisation, KPI), funnel plots
    by KPI, and the charts actually drawn (matplotlib) by title."""
    calls: dict[str, list[tuple[Any, Any]]] = {"page": [], "run": [], "funnel": [], "drawn": []}
    _spy(monkeypatch, overview, "page", calls["page"], lambda period, *, org, **_: org.code)
    _spy(monkeypatch, pagecharts, "run_chart_for", calls["run"], lambda code, *, org_code, **_: (org_code, code))
    _spy(monkeypatch, pagecharts, "funnel_chart_for", calls["funnel"], lambda code, **_: code)
    for name in ("rate_bar_chart", "funnel_plot", "run_chart"):
        _spy(monkeypatch, pagecharts, name, calls["drawn"], lambda *_, title, **__: title)
    return calls


def _keys(calls: list[tuple[Any, Any]]) -> list[Any]:
    return [key for key, _ in calls]


def _drain_after_changing(case: Case) -> KpiRun:
    """Move the baby's cooling start past six hours (as an edit would), then the drain after the save."""
    Case.objects.filter(pk=case.pk).update(passive_cooling_start=case.birth_datetime + timedelta(hours=7),
                                           active_cooling_start=None, updated_at=timezone.now())
    born = timezone.localtime(case.birth_datetime).date()
    pending.mark([p.key for p in periods_for_birth(born, timezone.localdate())], producer="hie")
    return _pending_run()


def _pending_run() -> KpiRun:
    run_id = tasks.recompute_pending.delay().get()
    assert run_id is not None
    return KpiRun.objects.get(pk=run_id)


def _overview_html(org: OrgRef) -> str:
    version = page_version()
    choices = dashboard.cached_periods(version)
    period = dashboard.resolve_period(dashboard.default_period(choices) or "", choices)
    assert period is not None
    return overview.body_html(period, org=org, run_date=dashboard.freshness().run_date, version=version)


def test_a_full_run_prepares_every_network_and_each_funnel_plot_once(
        two_networks: dict[str, Case], asked: dict[str, list[tuple[Any, Any]]]) -> None:
    tasks.recompute_all.delay().get()

    assert {"EOE", "NCEL"} <= set(_keys(asked["page"]))
    runs = Counter(network for network, _ in _keys(asked["run"]))
    assert runs["EOE"] == runs["NCEL"] == len(dashboard.ORDER)
    assert sorted(_keys(asked["funnel"])) == sorted(d.CODE for d in registry.KPIS)  # not once per network


def test_the_drain_after_one_case_prepares_only_its_networks_charts(
        two_networks: dict[str, Case], asked: dict[str, list[tuple[Any, Any]]]) -> None:
    tasks.recompute_all.delay().get()
    for calls in asked.values():
        calls.clear()

    run = _drain_after_changing(two_networks["EOE"])

    noted = changes.of(run)
    assert noted is not None and noted.networks == {"EOE"}
    assert {"EOE", "NCEL"} <= set(_keys(asked["page"]))  # every overview: each has a new version
    assert {network for network, _ in _keys(asked["run"])} == {"EOE"}
    assert sorted(_keys(asked["funnel"])) == sorted(d.CODE for d in registry.KPIS)  # the default period changed
    drawn = _keys(asked["drawn"])
    assert drawn and not [title for title in drawn if "North Central" in title]
    assert any("East of England" in title for title in drawn)  # EOE's cooling run chart moved: drawn again
    eoe_charts = {key: chart for key, chart in asked["run"]}

    # The same as preparing everything: EOE's overview and run charts from scratch equal what the drain made.
    prepared = _overview_html(EOE)
    cache.clear()
    for calls in asked.values():
        calls.clear()
    overview.warm()  # no run: every network, as before
    assert {"EOE", "NCEL"} <= set(_keys(asked["page"]))
    assert _overview_html(EOE) == prepared
    assert {key: chart for key, chart in asked["run"] if key[0] == "EOE"} == eoe_charts


def test_a_drain_that_changes_no_figure_draws_nothing(
        two_networks: dict[str, Case], asked: dict[str, list[tuple[Any, Any]]]) -> None:
    tasks.recompute_all.delay().get()
    for calls in asked.values():
        calls.clear()
    born = timezone.localtime(two_networks["NCEL"].birth_datetime).date()
    pending.mark([p.key for p in periods_for_birth(born, timezone.localdate())], producer="hie")

    run = _pending_run()

    assert changes.of(run) == changes.RunChanges(frozenset())
    assert {"EOE", "NCEL"} <= set(_keys(asked["page"]))
    assert (asked["run"], asked["funnel"], asked["drawn"]) == ([], [], [])


def test_a_new_run_date_prepares_every_network(
        two_networks: dict[str, Case], asked: dict[str, list[tuple[Any, Any]]]) -> None:
    """The charts were prepared for another day (their run dates and windows differ): the drain's job prepares
    every network's, whatever the drain changed."""
    tasks.recompute_all.delay().get()
    cache.set("kpis.overview.prepared-for", ("R12-2020-01", None))
    for calls in asked.values():
        calls.clear()

    _drain_after_changing(two_networks["EOE"])

    assert {"EOE", "NCEL"} <= {network for network, _ in _keys(asked["run"])}


def test_without_a_note_of_the_changes_every_network_is_prepared(
        two_networks: dict[str, Case], asked: dict[str, list[tuple[Any, Any]]]) -> None:
    """A cache that lost the run's note (restarted, evicted): the job cannot know, so it prepares everything."""
    tasks.recompute_all.delay().get()
    run = _drain_after_changing(two_networks["EOE"])
    cache.delete(f"kpis:run-changes:{run.pk}")
    for calls in asked.values():
        calls.clear()

    assert changes.of(run) is None
    overview.warm(run)
    assert {"EOE", "NCEL"} <= {network for network, _ in _keys(asked["run"])}
