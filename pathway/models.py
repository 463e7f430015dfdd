"""The HIE case: every field of the interchange dataset (../shared/spec/dataset.md, v1) on one row,
plus the temperature series it is derived from.

Field names are the dataset's column names (the two unit columns become foreign keys), so import, export,
forms and KPIs all speak the same words. Field validators carry the per-field type and range rules;
cross-field rules live in `pathway.rules` and are enforced by `pathway.services` for every interface.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.arrays import CodeListField
from core.timeutil import format_uk
from pathway import choices as c
from pathway import standards
from pathway.derived import PathwayTimes
from pathway.nhs_number import validate_nhs_number
from units.models import Unit


def bounds(low: str | int, high: str | int) -> list[BaseValidator]:
    """A field's min and max validators (shared by every dataset model: HIE, POP)."""
    # Decimal bounds for decimal fields: the float 7.6 is 7.5999…, which would refuse the spec's pH 7.60.
    if isinstance(low, str):
        return [MinValueValidator(Decimal(low)), MaxValueValidator(Decimal(high))]
    return [MinValueValidator(low), MaxValueValidator(high)]


# Core temperatures accepted: 28.0–42.0 °C (pathway.standards; outside is likely an entry error).
TEMPERATURE_BOUNDS = bounds(str(standards.PLAUSIBLE_LOW_C), str(standards.PLAUSIBLE_HIGH_C))


class BabyRecordQuerySet(models.QuerySet[Any]):
    """Queries on any dataset record of one baby (`BabyRecord`: HIE cases, POP records)."""

    def current(self) -> Self:
        """Records not marked entered-in-error (those are kept but never counted)."""
        return self.filter(entered_in_error=False)

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        digits = re.sub(r"[\s-]", "", text)  # an NHS number as people write it: 943 476 5919, 943-476-5919
        if digits.isdigit() and len(digits) == 10:
            return self.filter(Q(nhs_number=digits) | Q(case_ref__icontains=text))
        return self.filter(case_ref__icontains=text)

    def born_in_year(self, year: int) -> Self:
        # __year on an aware field uses the current time zone (Europe/London), as the spec's periods do.
        return self.filter(birth_datetime__year=year)


class CaseQuerySet(BabyRecordQuerySet):
    def cooled(self) -> CaseQuerySet:
        return self.filter(therapeutic_hypothermia=c.YesNo.YES)

    def outside_direct_care(self) -> CaseQuerySet:
        """Current cases that may be used beyond the baby's own care: exports, API reads, KPIs and reports.
        A family's national data opt-out (dataset v2 `national_opt_out`) keeps its case in direct care only."""
        return self.current().exclude(national_opt_out=c.YesNo.YES)


class BabyRecord(models.Model):
    """What every dataset record of one baby holds (HIE `Case`, `pop.models.PopRecord`): the baby columns
    both datasets share (dataset.md: POP has "the same columns and rules as the HIE dataset"), and the
    record keeping that `pathway.services.RecordWrites` maintains (not part of the interchange format).

    The unit and `labour` columns stay on each model: their related names and labels differ.
    """

    # Identity and birth
    case_ref = models.CharField("case reference", max_length=40, unique=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    birth_datetime = models.DateTimeField("date and time of birth")
    sex = models.CharField(max_length=16, choices=c.Sex.choices)
    gestation_weeks = models.PositiveSmallIntegerField("gestation (completed weeks)", validators=bounds(22, 44))
    gestation_days = models.PositiveSmallIntegerField("gestation (days)", validators=bounds(0, 6))
    birth_weight_g = models.PositiveIntegerField("birth weight (g)", validators=bounds(400, 6500))
    multiple_birth = models.CharField(max_length=3, choices=c.YesNo.choices, default=c.YesNo.NO)

    # Record keeping (not part of the interchange format)
    dq_flags = models.JSONField("data-quality flags", default=list, blank=True)
    entered_in_error = models.BooleanField(default=False)
    entered_in_error_reason = models.CharField(max_length=255, blank=True)
    # Optimistic lock: a save must name the version it was edited from (services.RecordWrites.update).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.case_ref

    @property
    def gestation_label(self) -> str:
        return f"{self.gestation_weeks}+{self.gestation_days}"


class Case(PathwayTimes, BabyRecord):
    # Birth (the shared baby columns are BabyRecord's)
    birth_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases_born")
    cooling_centre = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases_cooled", null=True, blank=True
    )
    labour = models.CharField(max_length=8, choices=c.YesNoUnknown.choices, blank=True)
    postnatal_collapse_datetime = models.DateTimeField("time of postnatal collapse", null=True, blank=True)

    # Eligibility (TOBY criteria, domain.md §2.1)
    apgar_10 = models.PositiveSmallIntegerField("Apgar at 10 minutes", null=True, blank=True,
                                                validators=bounds(0, 10))
    resus_at_10min = models.CharField("resuscitation at 10 minutes", max_length=8,
                                      choices=c.YesNoUnknown.choices, blank=True)
    lowest_ph_60min = models.DecimalField("lowest pH within 60 minutes", max_digits=3, decimal_places=2,
                                          null=True, blank=True, validators=bounds("6.50", "7.60"))
    base_deficit_60min = models.DecimalField("base deficit within 60 minutes (mmol/L)", max_digits=3,
                                             decimal_places=1, null=True, blank=True, validators=bounds("0", "35"))
    hie_grade = models.PositiveSmallIntegerField("HIE grade", choices=c.HieGrade.choices, null=True, blank=True)
    aeeg = models.CharField("aEEG", max_length=24, choices=c.Aeeg.choices, blank=True)

    # Referral, cooling and transfer
    referral_datetime = models.DateTimeField("time of referral call", null=True, blank=True)
    therapeutic_hypothermia = models.CharField("cooled (therapeutic hypothermia)", max_length=3,
                                               choices=c.YesNo.choices)
    passive_cooling_start = models.DateTimeField("time passive cooling started", null=True, blank=True)
    active_cooling_start = models.DateTimeField("time active cooling started", null=True, blank=True)
    core_monitoring_start = models.DateTimeField("time continuous core monitoring started", null=True,
                                                 blank=True)
    target_temp_reached = models.DateTimeField(
        f"time target temperature ({standards.target_range_text()}) reached", null=True, blank=True)
    lowest_temp_before_arrival_c = models.DecimalField(
        "lowest core temperature before arrival (°C)", max_digits=3, decimal_places=1, null=True, blank=True,
        validators=TEMPERATURE_BOUNDS)
    transport_cooling = models.CharField("cooling during transfer", max_length=8, choices=c.TransportCooling.choices,
                                         blank=True)
    depart_referring_datetime = models.DateTimeField("time of leaving the referring unit", null=True, blank=True)
    arrive_centre_datetime = models.DateTimeField("time of arrival at the cooling centre", null=True, blank=True)
    arrival_temp_c = models.DecimalField("core temperature on arrival (°C)", max_digits=3, decimal_places=1,
                                         null=True, blank=True, validators=TEMPERATURE_BOUNDS)
    rewarming_start = models.DateTimeField("time rewarming started", null=True, blank=True)
    rewarming_end = models.DateTimeField("time rewarming ended", null=True, blank=True)
    early_stop_reason = models.CharField("reason cooling stopped early", max_length=24,
                                         choices=c.EarlyStopReason.choices, blank=True)

    # After cooling
    parent_consultation_datetime = models.DateTimeField("time of first senior consultation with parents",
                                                        null=True, blank=True)
    placenta_sent = models.CharField("placenta sent for histology", max_length=16,
                                     choices=c.PlacentaSent.choices, blank=True)
    mri_performed = models.CharField("MRI performed", max_length=8, choices=c.YesNoUnknown.choices, blank=True)
    mri_datetime = models.DateTimeField("time of first brain MRI", null=True, blank=True)
    mnsi_referred = models.CharField("referred to MNSI", max_length=8, choices=c.YesNoUnknown.choices,
                                     blank=True)
    outcome = models.CharField("outcome at discharge", max_length=8, choices=c.Outcome.choices, blank=True)
    death_datetime = models.DateTimeField("time of death", null=True, blank=True)
    discharge_datetime = models.DateTimeField("time of discharge", null=True, blank=True)
    followup_2y = models.CharField("2-year follow-up", max_length=10, choices=c.FollowUp.choices, blank=True)
    followup_2y_date = models.DateField("date of 2-year follow-up", null=True, blank=True)
    family_booklet_given = models.CharField(max_length=8, choices=c.YesNoUnknown.choices, blank=True)
    # Dataset v2: the family registered a national data opt-out; the case stays in direct care only
    # (`CaseQuerySet.outside_direct_care`). Empty = not recorded, which is not an opt-out.
    national_opt_out = models.CharField("national data opt-out", max_length=3, choices=c.YesNo.choices, blank=True)

    # v2: around birth and in the first days (dataset.md "v2 additions")
    mode_of_delivery = models.CharField(max_length=20, choices=c.ModeOfDelivery.choices, blank=True)
    sentinel_event = models.CharField(max_length=20, choices=c.SentinelEvent.choices, blank=True)
    encephalopathy_exam_datetime = models.DateTimeField("encephalopathy examination", null=True, blank=True)
    seizures = models.CharField("seizures (first 7 days)", max_length=16, choices=c.Seizures.choices,
                                blank=True)
    anticonvulsant_count = models.PositiveSmallIntegerField("anticonvulsant drugs (first 7 days)", null=True,
                                                            blank=True, validators=bounds(0, 6))
    ventilation = models.CharField("highest ventilation during cooling", max_length=16,
                                   choices=c.Ventilation.choices, blank=True)

    # v2: referral and transport (every referral, cooled or not)
    referral_decision = models.CharField("decision on the referral call", max_length=12,
                                         choices=c.ReferralDecision.choices, blank=True)
    not_cooled_reason = models.CharField("reason not cooled", max_length=28, choices=c.NotCooledReason.choices,
                                         blank=True)
    transport_team_mobilised_datetime = models.DateTimeField("transport team mobilised", null=True, blank=True)
    transport_team_arrived_datetime = models.DateTimeField("transport team at the bedside", null=True,
                                                           blank=True)
    transport_service = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases_transported", null=True, blank=True,
        limit_choices_to={"designation": "TRANSPORT"},
        verbose_name="transport service")

    # v2: MRI (first scan structured; a second scan may be recorded)
    mri_sequences = CodeListField(models.CharField(max_length=4, choices=c.MriSequence.choices),
                               verbose_name="MRI sequences", default=list, blank=True)
    mri_score_system = models.CharField("MRI scoring system", max_length=12, choices=c.MriScoreSystem.choices,
                                        blank=True)
    mri_score_value = models.CharField("MRI score", max_length=20, blank=True)
    mri_injury_pattern = models.CharField("MRI injury pattern", max_length=24,
                                          choices=c.MriInjuryPattern.choices, blank=True)
    mri_mrs_lactate_naa = models.DecimalField("thalamic Lac/NAA ratio", max_digits=3, decimal_places=2,
                                              null=True, blank=True, validators=bounds("0.00", "5.00"))
    mri_reported_by = models.CharField("MRI reported by", max_length=80, blank=True)
    mri2_datetime = models.DateTimeField("second brain MRI", null=True, blank=True)
    mri2_injury_pattern = models.CharField("second MRI injury pattern", max_length=24,
                                           choices=c.MriInjuryPattern.choices, blank=True)

    # v2: discharge, safety and placenta (`national_opt_out` is added by the data-protection work)
    discharge_destination = models.CharField(max_length=16, choices=c.DischargeDestination.choices, blank=True)
    placenta_histology = models.CharField(max_length=20, choices=c.PlacentaHistology.choices, blank=True)
    mnsi_reference = models.CharField("MNSI reference", max_length=20, blank=True)
    ens_notified_date = models.DateField("Early Notification (NHS Resolution) date", null=True, blank=True)

    # v2: two-year follow-up (structured)
    followup_corrected_age_months = models.PositiveSmallIntegerField(
        "corrected age at assessment (months)", null=True, blank=True, validators=bounds(18, 42))
    bayley_version = models.CharField("Bayley version", max_length=8, choices=c.BayleyVersion.choices,
                                      blank=True)
    bayley_cognitive = models.PositiveSmallIntegerField("Bayley cognitive composite", null=True, blank=True,
                                                        validators=bounds(40, 160))
    bayley_language = models.PositiveSmallIntegerField("Bayley language composite", null=True, blank=True,
                                                       validators=bounds(40, 160))
    bayley_motor = models.PositiveSmallIntegerField("Bayley motor composite", null=True, blank=True,
                                                    validators=bounds(40, 160))
    cerebral_palsy = models.CharField(max_length=20, choices=c.CerebralPalsy.choices, blank=True)
    gmfcs_level = models.PositiveSmallIntegerField("GMFCS level", null=True, blank=True, validators=bounds(1, 5))
    vision = models.CharField(max_length=16, choices=c.Vision.choices, blank=True)
    hearing = models.CharField(max_length=16, choices=c.Hearing.choices, blank=True)
    epilepsy = models.CharField(max_length=8, choices=c.YesNoUnknown.choices, blank=True)

    # Record keeping (not part of the interchange format; the rest is BabyRecord's)
    stage = models.CharField(max_length=20, choices=c.Stage.choices, default=c.Stage.REFERRED, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-birth_datetime", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["nhs_number"], condition=~Q(nhs_number=""),
                                    name="unique_nhs_number_when_present"),
        ]
        indexes = [models.Index(fields=["birth_unit", "birth_datetime"]),
                   models.Index(fields=["cooling_centre", "birth_datetime"])]

    def clean(self) -> None:
        # A set, written in the dataset's order (t1;t2;dwi;mrs;swi), so equal sets compare and export equal.
        self.mri_sequences = c.ordered_sequences(self.mri_sequences or [])

    # Derived values, from this row's own fields only (kpis.md "Conventions").
    @property
    def is_outborn(self) -> bool:
        return self.cooling_centre_id is not None and self.birth_unit_id != self.cooling_centre_id

    def derive_stage(self) -> str:
        if self.entered_in_error:
            return c.Stage.ENTERED_IN_ERROR
        if self.outcome == c.Outcome.DIED or self.death_datetime:
            return c.Stage.DIED
        if self.followup_2y in (c.FollowUp.COMPLETED, c.FollowUp.NOT_DONE, c.FollowUp.MOVED_OUT):
            return c.Stage.COMPLETE
        if self.discharge_datetime:
            return c.Stage.DISCHARGED
        if not self.is_cooled:
            return c.Stage.REFERRED
        # Say what is true (issue 13): cooling decided is not cooling started, and rewarming is not cooling.
        if self.rewarming_end or (self.early_stop_reason and not self.rewarming_start):
            return c.Stage.REWARMED
        if self.rewarming_start:
            return c.Stage.REWARMING
        if self.cooling_start is None:
            return c.Stage.AWAITING_COOLING
        return c.Stage.COOLING


class TemperatureObservation(models.Model):
    """One temperature reading; core (rectal/oesophageal) readings drive the derived case fields."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="temperatures")
    observed_at = models.DateTimeField("time")
    temp_c = models.DecimalField("temperature (°C)", max_digits=3, decimal_places=1, validators=TEMPERATURE_BOUNDS)
    site = models.CharField(max_length=12, choices=c.TemperatureSite.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_at", "id"]

    def __str__(self) -> str:
        # UK time as the audit writes it: a reading read back from the database is in UTC.
        return f"{self.temp_c} °C {self.site} at {format_uk(self.observed_at)}"

    @property
    def is_core(self) -> bool:
        return self.site in c.CORE_SITES


class ImportJob(models.Model):
    """A large dataset file imported in the background (Celery, `pathway.import_jobs`): the upload page hands it
    over, a page polls its progress, and it ends with the same all-or-nothing result as an import in the request.

    The uploaded file is kept only until the job ends (it holds identifiable data)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        REFUSED = "refused", "Refused"  # the file has errors: nothing was imported
        FAILED = "failed", "Failed"

    dataset = models.CharField(max_length=8, default="hie")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="imports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    overwrite_newer = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Steps: every row checked, then every row saved (so the bar moves through both halves of the work).
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # created/updated/unchanged/flagged, errors (capped)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import job {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.REFUSED, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class WorklistAcknowledgement(models.Model):
    """A worklist item or data-quality warning closed by hand with a coded reason (pathway.worklist).

    `item_key` names the item (`Item.key`: its kind and what it is about), so the same item never comes
    back, while a new problem on the same case (another warning, another missing field) still does.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="acknowledgements")
    item_key = models.CharField(max_length=80)
    what = models.CharField("item", max_length=255)
    reason = models.CharField(max_length=32, choices=c.AcknowledgementReason.choices)
    note = models.CharField(max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "item_key"], name="one_acknowledgement_per_item")]

    def __str__(self) -> str:
        return f"{self.case} {self.item_key}: {self.get_reason_display()}"
