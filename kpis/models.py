"""Stored KPI results: runs, current per-case outcomes and narrow aggregate rows (kpis.md "Conventions").

Narrow on purpose (style-anchors.md §2.7, §4.2): a KPI is a code string, not a column, a foreign key or a
choice, so adding or versioning a definition needs no migration. Dashboards and exports read only these
tables; nothing computes a KPI on page load.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import JobProgress
from kpis.definitions.base import Level
from kpis.outcome import Outcome
from kpis.periods import PeriodType
from pathway.models import Case
from units.models import Unit

KPI_CODE_LENGTH = 64
PRODUCER_LENGTH = 8  # "training" is the longest producer name
HIE = "hie"  # the producer of this app's own figures (cases); the default for a run


class KpiRun(JobProgress):
    """One computation by one producer: what it covered, with which definition versions, and how it ended.

    A producer is one source of stored figures (`kpis.producers`): "hie" (cases, this app), "pop" (POP
    records) and "training" (training coverage). Each run belongs to exactly one, and freshness, the write
    lock and pending recomputes are all per producer (`kpis.engine`).

    Progress (`progress_done` of `progress_total` records evaluated) is committed as it goes, so a page
    can poll it; the aggregate rows themselves are replaced in one transaction at the end.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Scope(models.TextChoices):
        FULL = "full", "Every period"
        PERIODS = "periods", "Listed periods"

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", "Nightly"
        MANUAL = "manual", "Manual"
        CASE_SAVED = "case_saved", "Record saved"  # a case, POP record or training change (the value is older)

    producer = models.CharField(max_length=PRODUCER_LENGTH, default=HIE,
                                help_text="Whose figures: hie (cases), pop (POP records), training (coverage)")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.FULL)
    period_keys = models.JSONField("periods (when not full)", default=list, blank=True)
    as_of = models.DateField("run date", help_text="The date rules such as 2-year follow-up are judged on")
    definition_versions = models.JSONField(default=dict, blank=True, help_text="{kpi code: version}")
    rows_written = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.MANUAL)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"]),
                   # Freshness and the health check: a producer's newest runs.
                   models.Index(fields=["producer", "-started_at"], name="kpis_run_producer_started")]

    def __str__(self) -> str:
        return f"{self.producer} KPI run {self.pk} ({self.status})"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class CaseOutcome(models.Model):
    """The current outcome of one case for one KPI, from the latest run that covered the case.

    Median measures store their minutes in `value`, with outcome `measured`; `missing` (no time) and
    `not_eligible` mean the same as for a rate KPI.
    """

    MEASURED = "measured"
    OUTCOME_CHOICES = [*((o.value, o.value.replace("_", " ")) for o in Outcome), (MEASURED, "measured")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="kpi_outcomes")
    kpi = models.CharField(max_length=KPI_CODE_LENGTH)
    outcome = models.CharField(max_length=12, choices=OUTCOME_CHOICES)
    value = models.FloatField(null=True, blank=True, help_text="Minutes, for a median measure")
    definition_version = models.PositiveIntegerField()
    as_of = models.DateField("run date")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kpi"], name="kpis_caseoutcome_one_per_kpi")]
        indexes = [models.Index(fields=["kpi", "outcome"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kpi}: {self.outcome}"


class KpiAggregate(models.Model):
    """One figure: KPI × level × organisation × period (kpis.md "Conventions": Aggregate).

    Rate KPIs: `numerator` = met, `denominator` = met + not_met, `rate` = their ratio (null when the
    denominator is 0). Median measures: `n`, `median`, `q1`, `q3` in minutes; numerator and denominator
    are 0 and rate is null. Both report `not_eligible` and `missing` beside the figure.
    Period keys are described in `kpis.periods`.
    """

    kpi = models.CharField(max_length=KPI_CODE_LENGTH)
    level = models.CharField(max_length=16, choices=[(level.value, level.value) for level in Level])
    org = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            help_text="The unit at the unit levels; empty above them")
    org_code = models.CharField(max_length=16, help_text="The unit's ODS code, or the organisation's code (trust, "
                                "LMNS, ICB, network, region)")
    period_type = models.CharField(max_length=16, choices=PeriodType.choices)
    period_key = models.CharField(max_length=16)
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    not_eligible = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    rate = models.FloatField(null=True, blank=True)
    n = models.PositiveIntegerField(null=True, blank=True)
    median = models.FloatField(null=True, blank=True)
    q1 = models.FloatField(null=True, blank=True)
    q3 = models.FloatField(null=True, blank=True)
    run = models.ForeignKey(KpiRun, on_delete=models.PROTECT, related_name="aggregates")
    definition_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["kpi", "level", "org_code", "period_type", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "level", "org_code", "period_type", "period_key"],
                                    name="kpis_aggregate_one_per_figure"),
        ]
        indexes = [
            # A dashboard page: every KPI of one period at one level (network, or all units).
            models.Index(fields=["period_type", "period_key", "level"]),
            # A unit page: every figure of one organisation.
            models.Index(fields=["level", "org_code", "period_type"]),
            # A trend chart: one KPI at one level over time.
            models.Index(fields=["kpi", "level", "period_type", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.level} {self.org_code} {self.period_key}"

    @property
    def is_median(self) -> bool:
        return self.n is not None


class PendingRecompute(models.Model):
    """A period whose figures are out of date because a record in it changed (kpis.md "Conventions":
    figures are recomputed after every change), for one producer (`KpiRun.producer`).

    Written when the change commits, before any task is sent, so a recompute is never lost with the
    message: if Redis is down the row waits for the next drain (`kpis.pending`; beat also runs each drain
    every few minutes). One row per producer and period key: many saves in a burst are one recompute.
    """

    producer = models.CharField(max_length=PRODUCER_LENGTH)
    period_key = models.CharField(max_length=16)
    queued_at = models.DateTimeField(default=timezone.now, help_text="The latest change that queued it")

    class Meta:
        ordering = ["producer", "period_key"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "period_key"], name="kpis_pending_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.producer} {self.period_key} (queued {self.queued_at:%Y-%m-%d %H:%M:%S})"


class CaseAttribution(models.Model):
    """Where and when a case counts, from the latest run that covered it: its London date of birth and the
    organisation it counts at on each level (`kpis.aggregate.case_orgs`). Written beside its `CaseOutcome`
    rows in the same transaction.

    With `CaseOutcome` it lets a page count any range of birth dates (a custom period, the three-year funnel,
    "babies since the last breach") from stored results alone, without reading or re-evaluating case rows
    (`kpis.ondemand`).
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="kpi_attribution")
    born = models.DateField("London date of birth")
    birth_unit_code = models.CharField(max_length=16)
    cooling_centre_code = models.CharField(max_length=16, blank=True, help_text="Cooled babies only")
    # Issue 18: the birth unit's organisations on the birth date (`units.hierarchy`); blank where it has none.
    trust_code = models.CharField(max_length=16, blank=True)
    lmns_code = models.CharField(max_length=16, blank=True)
    icb_code = models.CharField(max_length=16, blank=True)
    network_code = models.CharField(max_length=16, blank=True)
    region_code = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["born"])]

    def __str__(self) -> str:
        return f"{self.case_id}: born {self.born}, {self.birth_unit_code}"


class NetworkAim(models.Model):
    """The network's aim for one KPI, set by an administrator (`kpis.aims`): drawn on the charts and used,
    with a text label, to colour a figure that meets it or not.

    `value` is what people read: a percentage for a rate KPI (90 means 90 %), minutes for a median time.
    Whether a figure meets it follows the KPI's direction (at least the aim when higher is better, at most
    when lower is better). Every change is audited, and the page shows who set it and when.
    """

    kpi = models.CharField("KPI", max_length=KPI_CODE_LENGTH, unique=True)
    value = models.FloatField(help_text="A percentage for a rate (90 for 90%), or minutes for a median time")
    rationale = models.CharField(max_length=255, blank=True,
                                 help_text='Why this aim, e.g. "East of England 2012 figure" or "network board 2026"')
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi"]

    def __str__(self) -> str:
        return f"Network aim for {self.kpi}: {self.value:g}"
