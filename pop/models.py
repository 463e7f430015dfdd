"""POP records (one per baby born before 34+0 weeks) and the national comparators the POP dashboard shows.

`PopRecord` holds exactly the columns of dataset.md "POP (preterm optimisation) dataset", named as the
columns (the unit column becomes the `birth_unit` foreign key), so import, export, forms and KPIs speak the
same words. Field validators carry the per-field type and range rules; cross-field rules (cohort, times
before or after birth) live in `pop.rules`, enforced by `pop.services` for every interface. The baby
columns both datasets share, and the record keeping, are `pathway.models.BabyRecord`'s.

The dataset has no "born alive" column: a POP record is, by definition, a live-born baby (kpis.md POP cohort).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from pathway import choices as c
from pathway.models import BabyRecord, BabyRecordQuerySet, bounds
from units.models import Unit


class PopRecordQuerySet(BabyRecordQuerySet):
    """POP record queries: those of every dataset record of a baby (`pathway.models.BabyRecordQuerySet`)."""


class PopRecord(BabyRecord):
    # The baby (dataset.md: the same columns and rules as the HIE dataset; the shared ones are BabyRecord's)
    birth_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pop_records")
    labour = models.CharField("in labour", max_length=8, choices=c.YesNoUnknown.choices, blank=True)

    # The optimisation elements (dataset.md "POP (preterm optimisation) dataset")
    steroids_doses = models.PositiveSmallIntegerField("antenatal steroid doses", null=True, blank=True,
                                                      validators=bounds(0, 4))
    steroids_last_dose_datetime = models.DateTimeField("time of the last steroid dose", null=True, blank=True)
    magnesium_start_datetime = models.DateTimeField("magnesium sulphate start", null=True, blank=True)
    antibiotics_start_datetime = models.DateTimeField("intrapartum antibiotics start", null=True, blank=True)
    cord_clamping_seconds = models.PositiveSmallIntegerField("cord clamped at (seconds)", null=True, blank=True,
                                                             validators=bounds(0, 600))
    first_temp_c = models.DecimalField("first temperature (°C)", max_digits=3, decimal_places=1, null=True,
                                       blank=True, validators=bounds("30.0", "41.0"))
    first_temp_datetime = models.DateTimeField("time of the first temperature", null=True, blank=True)
    first_breast_milk_datetime = models.DateTimeField("first maternal breast milk", null=True, blank=True)

    objects = PopRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "POP record"
        ordering = ["-birth_datetime", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["nhs_number"], condition=~Q(nhs_number=""),
                                    name="pop_unique_nhs_number_when_present"),
        ]
        indexes = [models.Index(fields=["birth_unit", "birth_datetime"])]


class NationalComparator(models.Model):
    """A published national figure shown beside a POP KPI (domain.md §5.3), kept per year and source.

    Editable in the admin, never hard-coded: figures are revised and new audit years are published. Only
    `verified` figures (read in the primary source) are shown as comparators on the dashboard.
    """

    measure = models.CharField("KPI code", max_length=64, help_text="A POP KPI code, e.g. pop_magnesium_sulphate")
    year = models.PositiveSmallIntegerField(validators=bounds(2000, 2100))
    population = models.CharField(max_length=120, blank=True, help_text="e.g. <30 weeks, England, Scotland, Wales")
    value_percent = models.DecimalField("value (%)", max_digits=4, decimal_places=1, validators=bounds("0", "100"))
    source = models.CharField(max_length=200, help_text="Publisher and report, e.g. NNAP annual report on 2020 data")
    source_url = models.URLField(max_length=300, blank=True)
    verified = models.BooleanField(default=False, help_text="Read in the primary source (not quoted by a third party)")

    class Meta:
        ordering = ["measure", "-year", "source"]
        constraints = [models.UniqueConstraint(fields=["measure", "year", "source"], name="pop_comparator_once")]

    def __str__(self) -> str:
        return f"{self.measure} {self.year}: {self.value_percent} % ({self.source})"

    def clean(self) -> None:
        from pop.kpis.registry import CODES  # the registry's facts module refers back to this module's records

        if self.measure not in CODES:
            raise ValidationError({"measure": f"Not a POP KPI code; use one of: {', '.join(CODES)}"})

    @property
    def proportion(self) -> float:
        return float(self.value_percent) / 100
