"""Cross-cutting models: the audit trail that every service writes to, and the progress of background jobs."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One audited action: who did what to which record, and the field changes (old → new).

    Written only by services (`core.audit.record`), inside the same transaction as the change, so a
    change without its audit row cannot exist.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        ENTERED_IN_ERROR = "entered_in_error", "Marked entered in error"
        IMPORT = "import", "Imported"
        EXPORT = "export", "Exported"
        TEMPERATURE_ADD = "temperature_add", "Temperature added"
        TEMPERATURE_REMOVE = "temperature_remove", "Temperature removed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    # {"field": ["old", "new"]} for updates; free-form details (row counts, format) for exports.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"


class JobProgress(models.Model):
    """How far a background job has got (KPI runs, export jobs): committed as it goes, so a page can poll it.

    The concrete model has a `status` field whose `Status` choices include SUCCEEDED.
    """

    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.SUCCEEDED else 0  # type: ignore[attr-defined]
        return min(100, 100 * self.progress_done // self.progress_total)
