"""Improvement actions: a problem seen in a KPI, the change tried, who owns it and its PDSA cycles.

An action belongs to one unit, or to the network when `unit` is empty, and names the KPI it is meant to
move by its code (an HIE KPI of `kpis.registry` or a POP KPI of `pop.kpis.registry`). Writes go through
`improvement.services`, which checks the version, validates and audits.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from units.models import Unit


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    ABANDONED = "abandoned", "Abandoned"


OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)


class ImprovementActionQuerySet(models.QuerySet["ImprovementAction"]):
    def open(self) -> ImprovementActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date | None = None) -> ImprovementActionQuerySet:
        """Still planned or in progress after its due date (Europe/London today)."""
        return self.open().filter(due_date__lt=today or timezone.localdate())


class ImprovementAction(models.Model):
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="improvement_actions", help_text="Empty for a network-wide action")
    # The network the action belongs to (issue 18): its unit's, or for a network-wide action the network of
    # the person who recorded it. Set by improvement.services; network-wide roles see their networks' actions.
    network = models.ForeignKey("units.Network", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="improvement_actions")
    kpi = models.CharField("KPI", max_length=64, help_text="The code of the KPI this action is meant to move")
    problem = models.TextField()
    change_idea = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    outcome = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImprovementActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.change_idea[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class PdsaCycle(models.Model):
    """One Plan-Do-Study-Act cycle of an action, dated; kept in date order, never edited in place."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="cycles")
    cycle_date = models.DateField("date")
    plan = models.TextField()
    do = models.TextField()
    study = models.TextField()
    act = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle_date", "pk"]

    def __str__(self) -> str:
        return f"PDSA {self.cycle_date:%d/%m/%Y}"
