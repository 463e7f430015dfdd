"""Training of unit staff in the HIE pathway: sessions, the key messages they cover, and each unit's staff
establishment (headcount by role, dated) against which coverage is measured (`training.coverage`).

Attendance and establishment are narrow rows keyed by `StaffRole`, so the same arithmetic runs per role
for both, and a new role is one choice, not a column on two tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from units.models import Network, Unit, default_network_id


class StaffRole(models.TextChoices):
    NURSE = "nurse", "Nurses"
    MIDWIFE = "midwife", "Midwives"
    DOCTOR = "doctor", "Doctors"
    ANNP = "annp", "ANNPs"
    OTHER = "other", "Other staff"


def role_words(role: str, headcount: int) -> str:
    """"4 nurses", "2 ANNPs": lower case except for an acronym."""
    label = StaffRole(role).label
    return f"{headcount} {label if label[1:2].isupper() else label.lower()}"


class TrainingFormat(models.TextChoices):
    SIMULATION = "simulation", "Simulation"
    TEACHING = "teaching", "Teaching session"
    E_LEARNING = "e_learning", "E-learning"
    BEDSIDE = "bedside", "Bedside teaching"
    OTHER = "other", "Other"


class KeyMessageQuerySet(models.QuerySet["KeyMessage"]):
    def active(self) -> KeyMessageQuerySet:
        return self.filter(active=True)

    def of_networks(self, network_ids: Iterable[int]) -> KeyMessageQuerySet:
        """The lists of these networks (a session covers its unit's network's messages)."""
        return self.filter(network_id__in=list(network_ids))


class KeyMessage(models.Model):
    """One message a network wants every unit taught (each network keeps its own list, issue 18; retired ones
    are kept for history). The network is empty only before the deployment's first network exists (the
    default messages of a new database), which adopts them (`training.signals`)."""

    network = models.ForeignKey(Network, null=True, blank=True, default=default_network_id, on_delete=models.PROTECT,
                                related_name="key_messages", help_text="The network whose list this is")
    text = models.CharField(max_length=200)
    active = models.BooleanField(default=True, help_text="Retired messages stay on past sessions")
    order = models.PositiveSmallIntegerField(default=0)

    objects = KeyMessageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "text"]
        constraints = [models.UniqueConstraint(fields=["network", "text"], name="training_key_message_per_network")]

    def __str__(self) -> str:
        return self.text


class TrainingSessionQuerySet(models.QuerySet["TrainingSession"]):
    def for_unit(self, unit: Unit) -> TrainingSessionQuerySet:
        return self.filter(unit=unit)

    def between(self, first: date, last: date) -> TrainingSessionQuerySet:
        """Sessions held on a date from `first` to `last`, both inclusive."""
        return self.filter(date__gte=first, date__lte=last)


class TrainingSession(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="training_sessions")
    date = models.DateField("date of session")
    trainer = models.CharField(max_length=120)
    format = models.CharField(max_length=12, choices=TrainingFormat.choices)
    key_messages = models.ManyToManyField(KeyMessage, blank=True, related_name="sessions")
    named_attendees = models.TextField(blank=True, help_text="Optional: one name per line")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock, as on cases and board reports: a save names the version it was edited from.
    version = models.PositiveIntegerField(default=1)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"])]

    def __str__(self) -> str:
        return f"{self.get_format_display()} at {self.unit.short_name} on {self.date:%d/%m/%Y}"

    @property
    def names(self) -> list[str]:
        return [line.strip() for line in self.named_attendees.splitlines() if line.strip()]


class Attendance(models.Model):
    """How many staff of one role attended a session (headcount is always recorded; names are optional)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    role = models.CharField(max_length=10, choices=StaffRole.choices)
    headcount = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["session", "role"]
        constraints = [
            models.UniqueConstraint(fields=["session", "role"], name="training_attendance_one_per_role"),
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="training_attendance_positive"),
        ]

    def __str__(self) -> str:
        return role_words(self.role, self.headcount)


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def in_force_on(self, unit: Unit, day: date) -> Establishment | None:
        """The establishment that applies on `day`: the latest recorded on or before it."""
        return self.filter(unit=unit, effective_from__lte=day).order_by("-effective_from").first()


class Establishment(models.Model):
    """A unit's staff headcount by role from a date on. Never overwritten by a later date: history is kept,
    and the one in force on a day is the latest on or before it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="establishments")
    effective_from = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="training_establishment_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.short_name} establishment from {self.effective_from:%d/%m/%Y}"

    def headcounts(self) -> dict[str, int]:
        """{role: headcount}; uses the prefetched lines when there are any."""
        return {line.role: line.headcount for line in self.lines.all()}


class EstablishmentLine(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="lines")
    role = models.CharField(max_length=10, choices=StaffRole.choices)
    headcount = models.PositiveIntegerField()

    class Meta:
        ordering = ["establishment", "role"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "role"], name="training_establishment_line_per_role"),
        ]

    def __str__(self) -> str:
        return role_words(self.role, self.headcount)
