from typing import Any

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        from kpis import producers
        from kpis.services import PRODUCER, queue_case_recompute
        from pathway.signals import case_changed

        # The engine's own producer; pop and training register theirs in their own AppConfig.ready.
        producers.register(PRODUCER)

        # pathway announces case writes; the engine queues the affected periods (after commit).
        def on_case_changed(sender: Any, *, case: Any, by: Any, previous_birth: Any = None, **_: Any) -> None:
            queue_case_recompute(case, by=by, previous_birth=previous_birth)

        case_changed.connect(on_case_changed, dispatch_uid="kpis.queue_case_recompute", weak=False)

        # Which threads are serving a request: their drains run after the response (kpis.background).
        from django.core.signals import request_finished, request_started

        from kpis import background

        request_started.connect(background.request_started, dispatch_uid="kpis.background.started")
        request_finished.connect(background.request_finished, dispatch_uid="kpis.background.finished")

        from kpis.periods import year_period
        from kpis.services import queue_period_keys
        from units.births import live_births_changed

        # Live births are the denominator of HIE incidence, a year-only figure: recompute those years.
        def on_live_births_changed(sender: Any, *, years: set[int], by: Any, **_: Any) -> None:
            queue_period_keys({year_period(year).key for year in years}, by=by)

        live_births_changed.connect(on_live_births_changed, dispatch_uid="kpis.queue_live_births", weak=False)
