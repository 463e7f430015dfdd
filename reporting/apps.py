from typing import Any

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reports and exports"

    def ready(self) -> None:
        # pathway's synchronous case download audits itself (AuditEvent); mirror it into the export log so
        # the network lead's list holds every export, whichever screen produced it.
        from django.db.models.signals import post_save

        from core.models import AuditEvent
        from reporting.services import mirror_pathway_export

        def on_audit(sender: Any, *, instance: AuditEvent, created: bool, **_: Any) -> None:
            if created:
                mirror_pathway_export(instance)

        post_save.connect(on_audit, sender=AuditEvent, dispatch_uid="reporting.mirror_pathway_export", weak=False)
