"""Board reports, the inputs of their impact estimates, background export jobs and the export log.

Writes go through `reporting.services`, which audits each one (core.audit).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.models import JobProgress
from kpis.definitions.base import Level
from reporting import periods
from reporting.periods import PERIOD_HELP
from units.models import Unit

LEVEL_CHOICES = [("region", "NHS England region"), (Level.NETWORK.value, "Network"), ("icb", "Integrated care board"),
                 ("lmns", "Local maternity and neonatal system"), ("trust", "NHS trust"),
                 (Level.BIRTH_UNIT.value, "Birth unit"), (Level.COOLING_CENTRE.value, "Cooling centre")]
UNIT_LEVELS = (Level.BIRTH_UNIT.value, Level.COOLING_CENTRE.value)


class ImpactInput(models.Model):
    """One figure an impact estimate uses (kpis.md "Impact estimates"), editable (and audited) in the admin.

    Seeded with cited defaults (`reporting.impact_defaults`); every report shows these beside its estimates.
    """

    key = models.SlugField(max_length=60, unique=True, help_text="Used by the estimate; do not change")
    label = models.CharField(max_length=160)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.CharField(max_length=40, help_text='e.g. "babies treated", "%", "£ per child"')
    measure = models.CharField(
        max_length=64, blank=True,
        help_text="For a baseline rate: the code of the KPI it is a rate of. An estimate uses a baseline only "
                  "when it measures the same thing in the same babies")
    population = models.CharField(max_length=255, blank=True, help_text="Whom and when the figure describes")
    source = models.TextField(help_text="The source in citation form: authors, title, journal or publisher, year")
    year = models.PositiveSmallIntegerField(help_text="Year of the source")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class Section(models.TextChoices):
    """The parts of the programme a board report can show, in report order."""

    HIE = "hie", "Neuroprotection (HIE) KPIs"
    POP = "pop", "Preterm optimisation (POP) bundle"
    TRAINING = "training", "Training coverage by unit"
    FAMILIES = "families", "Family support"
    IMPROVEMENT = "improvement", "Improvement actions"
    COMPLETENESS = "completeness", "Data completeness"
    IMPACT = "impact", "Impact estimates"


def all_sections() -> list[str]:
    return [s.value for s in Section]


class BoardReport(models.Model):
    """A board report: scope, period, sections, and the narrative the network lead writes around the figures.

    A draft shows live figures. Publishing (`reporting.services.board_report_publish`, network leads only)
    stores a snapshot of everything it shows and locks it; a correction is a new report that `corrects` it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    level = models.CharField(max_length=16, choices=LEVEL_CHOICES,
                             default=Level.NETWORK)
    org = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            help_text="The birth unit or cooling centre; empty for a region, network, ICB, LMNS or "
                                      "trust")
    area_code = models.CharField(
        "organisation code", max_length=12, blank=True,
        help_text="The region, network, ICB, LMNS or trust by its code (e.g. Y61, EOE, RGT); empty for a unit")
    period_key = models.CharField("period", max_length=16, help_text=PERIOD_HELP)
    title = models.CharField(max_length=200)
    for_external = models.BooleanField(
        "for sharing outside the network", default=False,
        help_text="Small counts for units and cooling centres are hidden, with any count that would give them "
                  "back; every hidden cell shows as [c]. Network figures are shown. Charts are left out")
    sections = models.JSONField(default=all_sections, help_text="The parts of the programme the report shows")
    impact_from = models.DateField(
        "programme start", null=True, blank=True,
        help_text="Impact estimates are also added up from this date to the end of the period")
    summary = models.TextField(blank=True)
    highlights = models.TextField(blank=True)
    concerns = models.TextField("concerns and risks", blank=True)
    actions = models.TextField("actions and next steps", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every save: a stale save is refused")

    # Sign-off. A published report is locked and renders from its snapshot for ever.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    edition = models.PositiveIntegerField(default=1, help_text="1 for the first publication; 2 for its correction…")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 help_text="The published report this one corrects")
    what_changed = models.TextField("what changed", blank=True,
                                    help_text="For a correction: what is different from the version it replaces")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    snapshot = models.JSONField(null=True, blank=True, editable=False,
                                help_text="Every figure, chart and input the published report shows")
    pdf = models.FileField(upload_to="published/", blank=True, editable=False,
                           help_text="The published report's PDF, made once from its snapshot")
    xlsx = models.FileField(upload_to="published/", blank=True, editable=False,
                            help_text="The published report's spreadsheet, made once from its snapshot")
    csv = models.FileField(upload_to="published/", blank=True, editable=False,
                           help_text="The published report's figures CSV, made once from its snapshot")

    NARRATIVE_FIELDS = ("summary", "highlights", "concerns", "actions")
    AUDITED_FIELDS = ("level", "org", "area_code", "period_key", "title", "for_external", "sections", "impact_from",
                      "what_changed", *NARRATIVE_FIELDS)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level__in=UNIT_LEVELS) & models.Q(org__isnull=False, area_code=""))
                | (~models.Q(level__in=UNIT_LEVELS) & models.Q(org__isnull=True) & ~models.Q(area_code="")),
                name="reporting_boardreport_org_matches_level"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """A quarter or a year; a unit exactly when the level is not the network; a centre for a centre."""
        errors: dict[str, str] = {}
        try:
            periods.parse(self.period_key)
        except ValueError as error:
            errors["period_key"] = str(error)
        unknown = [s for s in self.sections or [] if s not in Section.values]
        if unknown or not self.sections:
            errors["sections"] = "Choose at least one section" if not unknown else f"Unknown section: {unknown[0]}"
        if self.level not in UNIT_LEVELS and (self.org_id or not self.area_code):
            errors["org"] = "Choose the region, network, ICB, LMNS or trust the report is for, and no unit"
        elif self.level in UNIT_LEVELS and (not self.org_id or self.area_code):
            errors["org"] = "Choose the birth unit or cooling centre the report is for"
        elif self.level == Level.COOLING_CENTRE and self.org and not self.org.is_cooling_centre:
            errors["org"] = f"{self.org.short_name} is not a cooling centre"
        if errors:
            raise ValidationError(errors)

    @property
    def org_code(self) -> str:
        """The code of the KPI rows the report reads (`reporting.scope.row_code`)."""
        from reporting.scope import row_code

        return self.org.ods_code if self.org else row_code(self.level, self.area_code)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def period(self) -> periods.ReportPeriod:
        return periods.parse(self.period_key)

    @property
    def period_label(self) -> str:
        try:
            return self.period.label
        except ValueError:
            return self.period_key

    @property
    def scope_name(self) -> str:
        from reporting.scope import area_name

        if self.org:
            return self.org.short_name
        # A list names its reports' areas in one query (`reporting.scope.name_areas`), not one per row.
        named: str | None = getattr(self, "_area_name", None)
        return named if named is not None else area_name(self.level, self.area_code)


class ExportRecord(models.Model):
    """Every file that left the system: case CSVs (any screen), report PDF/XLSX/CSV and monthly emails."""

    class Kind(models.TextChoices):
        CASES_CSV = "cases_csv", "Case CSV"
        REPORT_PDF = "report_pdf", "Report PDF"
        REPORT_XLSX = "report_xlsx", "Report XLSX"
        REPORT_CSV = "report_csv", "Report CSV"
        MONTHLY_EMAIL = "monthly_email", "Monthly report email"
        API_CASES = "api_cases", "Cases read through the API"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+", help_text="Empty for scheduled jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    what = models.CharField(max_length=255, help_text="Report title or file description")
    scope = models.CharField(max_length=255, help_text="Organisation and period, or the cases covered")
    rows = models.PositiveIntegerField()
    identifiable = models.BooleanField(default=False)
    small_numbers_suppressed = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    audit_event = models.OneToOneField("core.AuditEvent", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="export_record")
    api_token = models.ForeignKey("api.ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  help_text="The token an API read used (empty for a signed-in browser)")
    # Whose log the row is in (issue 18): the networks the exporting user works in (their memberships' units'
    # networks, a regional lead's region), the deployment's first network for a scheduled job.
    networks = models.ManyToManyField("units.Network", blank=True, related_name="+",
                                      help_text="The networks whose export log shows this export")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} by {self.by}"


REPORT_STEPS = ("Collecting the figures", "Drawing the charts", "Laying out the file", "Saving the file")


class ExportJob(JobProgress):
    """A file made in the background (Celery), with progress that a page polls and a download when done."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=ExportRecord.Kind.choices)
    report = models.ForeignKey(BoardReport, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    identifiable = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="The name the download is offered as")
    error = models.TextField(blank=True)
    step = models.CharField(max_length=80, blank=True, help_text="What the job is doing now, as the page says it")
    record = models.OneToOneField(ExportRecord, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="job")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="The file is deleted after this")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export job {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def steps(self) -> list[tuple[str, str]]:
        """A report job's steps with "done", "now" or "to do", for the job page (case exports count rows)."""
        if self.report_id is None:
            return []
        reached = REPORT_STEPS.index(self.step) if self.step in REPORT_STEPS else -1
        if self.status == self.Status.SUCCEEDED:
            reached = len(REPORT_STEPS)
        return [(label, "done" if i < reached else "now" if i == reached and not self.finished else "to do")
                for i, label in enumerate(REPORT_STEPS)]

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
