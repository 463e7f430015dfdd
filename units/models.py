"""The network, its units (sites with ODS codes) and who belongs to which unit in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrgKind(models.TextChoices):
    """The NHS organisations a unit sits in, besides its network (issue 18: KPI levels above the unit)."""

    TRUST = "trust", "NHS trust"
    LMNS = "lmns", "Local maternity and neonatal system"
    ICB = "icb", "Integrated care board"
    REGION = "region", "NHS England region"


class Organisation(models.Model):
    """A trust, LMNS, ICB or NHS England region, by its public code (loaded by `load_organisations`).

    Codes are the public ones: trust ODS code (RGT), ICB ODS code (QUE), NHS England region code (Y61); an
    LMNS has no ODS code, so it takes its ICB's code with an "L" prefix unless the reference file names one.
    """

    kind = models.CharField(max_length=8, choices=OrgKind.choices)
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=160)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="units_organisation_one_per_kind_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Network(models.Model):
    """An operational delivery network: the scope of network-wide roles and of the `network` KPI level."""

    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40)
    code = models.CharField(max_length=12, unique=True, help_text="Short code used in KPI rows, e.g. EOE")
    region_code = models.CharField(max_length=8, blank=True, help_text="NHS England region, e.g. Y61")
    region = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="networks", limit_choices_to={"kind": OrgKind.REGION})
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


def default_network_id() -> int | None:
    """The deployment's first network: the owner of a network's own content (family website, key messages)
    made without naming one, as every row made before a deployment held several networks (issue 18)."""
    return Network.objects.order_by("pk").values_list("pk", flat=True).first()


class Designation(models.TextChoices):
    NICU = "NICU", "Neonatal intensive care unit"
    LNU = "LNU", "Local neonatal unit"
    SCU = "SCU", "Special care unit"
    TRANSPORT = "TRANSPORT", "Neonatal transport service"


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(active=True)

    def cooling_centres(self) -> UnitQuerySet:
        return self.filter(is_cooling_centre=True)

    def by_code(self, code: str) -> Unit | None:
        """Current code first, then a former code (trust mergers renumber sites; domain.md §3.3)."""
        code = code.strip().upper()
        unit = self.filter(ods_code=code).first()
        if unit is not None:
            return unit
        # icontains narrows the search; the exact check drops units whose former code merely contains it.
        return next((u for u in self.filter(former_ods_codes__icontains=code) if code in u.former_codes), None)


class Unit(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="units")
    ods_code = models.CharField("ODS site code", max_length=10, unique=True)
    former_ods_codes = models.CharField(
        "former ODS codes", max_length=100, blank=True, help_text="Comma-separated legacy site codes"
    )
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=60)
    trust_name = models.CharField(max_length=120)
    trust_ods = models.CharField("trust ODS code", max_length=5)
    designation = models.CharField(max_length=10, choices=Designation.choices)
    is_cooling_centre = models.BooleanField(default=False)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    active = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.ods_code})"

    @property
    def former_codes(self) -> list[str]:
        return [c.strip().upper() for c in self.former_ods_codes.split(",") if c.strip()]

    @property
    def is_transport_service(self) -> bool:
        return self.designation == Designation.TRANSPORT


class UnitPlacement(models.Model):
    """Where a unit sits over a period: its network, trust, LMNS and ICB (the region follows the network).

    Dates are inclusive London dates; an empty bound is open. A unit that moves trust or network gets a
    second placement, and each period's figures follow the placement of the day (`units.hierarchy`). With no
    placement for a date, the unit's own `network` and `trust_ods` stand in (a unit loaded before issue 18).
    """

    unit = models.ForeignKey("Unit", on_delete=models.CASCADE, related_name="placements")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="placements")
    trust = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"kind": OrgKind.TRUST})
    lmns = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"kind": OrgKind.LMNS}, verbose_name="LMNS")
    icb = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            limit_choices_to={"kind": OrgKind.ICB}, verbose_name="ICB")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit__short_name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="units_placement_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.ods_code} in {self.network.short_name} from {self.valid_from or 'the start'}"


class Role(models.TextChoices):
    UNIT_CLINICIAN = "unit_clinician", "Unit clinician"
    NURSE_SPECIALIST = "nurse_specialist", "Clinical nurse specialist"
    CONSULTANT = "consultant", "Cooling-centre consultant"
    NETWORK_LEAD = "network_lead", "Network lead"
    # Every network of the NHS England region of its unit's network: read only, pseudonymised (issue 18).
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    ADMINISTRATOR = "administrator", "Administrator"
    # Roles that change one section of a case (units.access.SECTION_ROLES).
    RADIOLOGIST = "radiologist", "Radiologist"
    TRANSPORT_TEAM = "transport_team", "Transport team"


class Membership(models.Model):
    """A user's role at a unit. Network-wide roles see every unit of the unit's network, a regional lead every
    network of that network's region (units.access.network_ids_for)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.unit.short_name}"


# dataset.md "Live births": `live_births` is an int 0–20,000 per unit and calendar year.
LIVE_BIRTHS_MAX = 20_000
FIRST_BIRTH_YEAR = 2000  # no network data before this; catches a two-digit year ("24") typed by mistake


class LiveBirths(models.Model):
    """Live births at one unit in one calendar year: the denominator of `hie_incidence_per_1000` (kpis.md v2).

    One row per unit and year; recording the same unit-year again replaces the figure. Written only through
    `units.births` (validated, audited, and announced so the incidence figures are recomputed).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="live_births")
    year = models.PositiveSmallIntegerField()
    live_births = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit__short_name", "year"]
        verbose_name = "live births"
        verbose_name_plural = "live births"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="units_livebirths_one_per_unit_year"),
            models.CheckConstraint(
                condition=models.Q(live_births__lte=LIVE_BIRTHS_MAX), name="units_livebirths_at_most_20000"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.ods_code} {self.year}: {self.live_births} live births"
