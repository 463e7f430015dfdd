from typing import Any

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        # pathway announces case writes; the engine queues the affected periods (after commit).
        from kpis.services import queue_case_recompute
        from pathway.signals import case_changed

        def on_case_changed(sender: Any, *, case: Any, by: Any, previous_birth: Any = None, **_: Any) -> None:
            queue_case_recompute(case, by=by, previous_birth=previous_birth)

        case_changed.connect(on_case_changed, dispatch_uid="kpis.queue_case_recompute", weak=False)
