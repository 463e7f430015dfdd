from typing import Any

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reports and exports"

    def ready(self) -> None:
        # pathway announces each case CSV export it audits (download page, export_cases command, our export
        # jobs); the export log records it, so the network lead's list holds every export whichever screen
        # produced it. pathway cannot call reporting itself: reporting depends on pathway, not the reverse.
        from core.models import AuditEvent
        from pathway.signals import case_exported
        from reporting.services import case_export_record

        def on_case_exported(sender: Any, *, event: AuditEvent, **_: Any) -> None:
            case_export_record(event=event)

        case_exported.connect(on_case_exported, dispatch_uid="reporting.case_export_record", weak=False)

        # Every export-log row, whichever app writes it (reports here, case CSVs, API reads in api.services), is
        # filed under its networks at once, so no network's log ever shows another's exports (issue 18).
        from django.db.models.signals import post_save

        from reporting.models import ExportRecord
        from reporting.services import export_record_networks

        def on_export_logged(sender: Any, *, instance: ExportRecord, created: bool, raw: bool, **_: Any) -> None:
            if created and not raw:
                export_record_networks(instance)

        post_save.connect(on_export_logged, sender=ExportRecord, dispatch_uid="reporting.export_networks", weak=False)

        # After a KPI run a worker draws every draft report's charts, so its first preview need not wait.
        from kpis.signals import figures_changed
        from reporting.charts import on_figures_changed

        figures_changed.connect(on_figures_changed, dispatch_uid="reporting.prepare_charts", weak=False)
