"""Family support: the per-case support log, family events and invitations, and the public family website
(pages with versions, anonymous feedback held for moderation).

Two worlds meet here and must never mix: the support log, contacts and invitations belong to a case
(patient data, staff only); pages, page versions, events and approved feedback are what the public site may
show. The public views read only the second group (tested with a query capture in tests/test_public.py).
Writes go through `families.services`; rules on a single row live here.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.fields import concrete_field
from pathway.models import Case
from units.models import Network, Unit, default_network_id

# --- The support log of a case ---------------------------------------------------------------------------


class ConsentStatus(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"


class FamilySupportLog(models.Model):
    """What the family has been given and agreed to, one row per case (created on its first write)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="family_log")
    booklet_given_on = models.DateField("booklet given", null=True, blank=True)
    booklet_given_by = models.CharField("booklet given by", max_length=120, blank=True)
    website_given_on = models.DateField("website details given", null=True, blank=True)
    website_given_by = models.CharField("website details given by", max_length=120, blank=True)
    consent_given_on = models.DateField("consent to contact given", null=True, blank=True)
    consent_given_by = models.CharField("consent recorded by", max_length=120, blank=True)
    consent_withdrawn_on = models.DateField("consent withdrawn", null=True, blank=True)
    consent_withdrawn_by = models.CharField("withdrawal recorded by", max_length=120, blank=True)
    # Optimistic lock, as on the case: a save names the version it was edited from.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_withdrawn_on__isnull=True) | Q(consent_given_on__isnull=False),
                name="families_withdrawal_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Family support log for {self.case_id}"

    @property
    def consent_status(self) -> str:
        if self.consent_withdrawn_on:
            return ConsentStatus.WITHDRAWN
        if self.consent_given_on:
            return ConsentStatus.GIVEN
        return ConsentStatus.NOT_RECORDED

    @property
    def consent_label(self) -> str:
        return str(ConsentStatus(self.consent_status).label)

    @property
    def may_invite(self) -> bool:
        """Invitations are contact: only with consent given and not withdrawn."""
        return self.consent_status == ConsentStatus.GIVEN

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        for name in ("booklet_given_on", "website_given_on", "consent_given_on", "consent_withdrawn_on"):
            value: date | None = getattr(self, name)
            if value and value > today:
                errors[name] = f"{concrete_field(self, name).verbose_name.capitalize()} cannot be in the future"
        for when, by in (("booklet_given_on", "booklet_given_by"), ("website_given_on", "website_given_by"),
                         ("consent_given_on", "consent_given_by"), ("consent_withdrawn_on", "consent_withdrawn_by")):
            if getattr(self, when) and not getattr(self, by).strip():
                errors[by] = f"Say who: {concrete_field(self, by).verbose_name} is required with the date"
        if self.consent_withdrawn_on and not self.consent_given_on:
            errors["consent_withdrawn_on"] = "Consent can only be withdrawn once it has been given"
        elif (self.consent_withdrawn_on and self.consent_given_on
              and self.consent_withdrawn_on < self.consent_given_on):
            errors["consent_withdrawn_on"] = "Consent cannot be withdrawn before the date it was given"
        if errors:
            raise ValidationError(errors)


class ContactMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Telephone"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    TEXT = "text", "Text message"


class SupportContact(models.Model):
    """One contact between a nurse specialist and the family."""

    log = models.ForeignKey(FamilySupportLog, on_delete=models.PROTECT, related_name="contacts")
    contacted_on = models.DateField("date of contact")
    by_name = models.CharField("contact made by", max_length=120)
    mode = models.CharField(max_length=16, choices=ContactMode.choices)
    note = models.TextField(blank=True, max_length=2000)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contacted_on:%d/%m/%Y} {self.get_mode_display()} by {self.by_name}"

    def clean(self) -> None:
        if self.contacted_on and self.contacted_on > timezone.localdate():
            raise ValidationError({"contacted_on": "The date of contact cannot be in the future"})


# --- Family events ------------------------------------------------------------------------------------------


class FamilyEventQuerySet(models.QuerySet["FamilyEvent"]):
    def upcoming(self) -> FamilyEventQuerySet:
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def in_month(self, first: date, next_first: date) -> FamilyEventQuerySet:
        return self.filter(starts_at__date__gte=first, starts_at__date__lt=next_first).order_by("starts_at")


class FamilyEvent(models.Model):
    """A coffee morning or similar. Its title, time, venue and host unit are public; the rest is not."""

    title = models.CharField(max_length=120, help_text="For example: Coffee morning")
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends", null=True, blank=True)
    venue = models.CharField(max_length=200)
    host_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="family_events")
    families_attending = models.PositiveIntegerField("families attending", null=True, blank=True)
    staff_attending = models.PositiveIntegerField("staff attending", null=True, blank=True)
    notes = models.TextField(blank=True, max_length=4000, help_text="For staff only; never shown on the website")
    published = models.BooleanField("show on the family website", default=True)

    objects = FamilyEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The event must end after it starts"})


class InvitationStatus(models.TextChoices):
    PLANNED = "planned", "To send"
    SENT = "sent", "Sent"
    ATTENDED = "attended", "Attended"
    NOT_ATTENDED = "not_attended", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class Invitation(models.Model):
    """A case's family invited to an event (only while consent to contact stands)."""

    event = models.ForeignKey(FamilyEvent, on_delete=models.PROTECT, related_name="invitations")
    log = models.ForeignKey(FamilySupportLog, on_delete=models.PROTECT, related_name="invitations")
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PLANNED)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event__starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "log"], name="families_one_invitation_per_event")]

    def __str__(self) -> str:
        return f"{self.event} – {self.get_status_display()}"


# --- The public family website ------------------------------------------------------------------------------

# Paths the site itself uses under /families/: a page may not take one of these as its address.
RESERVED_SLUGS = frozenset({"manage", "events", "feedback", "booklet", "booklet.pdf", "cases", "static", "privacy",
                            "network"})


def _not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"'{value}' is used by the site itself: choose another web address")


# Each network runs its own family website (issue 18). Empty only before the deployment's first network exists
# (the starter pages of a new database); that network adopts them (`families.signals`).
NETWORK_HELP = "The network whose family website this belongs to"


class Page(models.Model):
    """A page of the family website of one network. Its text lives in versions; the public sees the published
    one."""

    network = models.ForeignKey(Network, null=True, blank=True, default=default_network_id, on_delete=models.PROTECT,
                                related_name="family_pages", help_text=NETWORK_HELP)
    slug = models.SlugField(
        "web address", max_length=60,
        validators=[RegexValidator(r"^[a-z0-9-]+$", "Use lower-case letters, digits and hyphens"), _not_reserved],
        help_text="Lower-case letters, digits and hyphens, e.g. what-is-hie",
    )
    position = models.PositiveSmallIntegerField("order in the menu and booklet", default=10)
    published_version = models.ForeignKey("PageVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")

    class Meta:
        ordering = ["position", "slug"]
        constraints = [models.UniqueConstraint(fields=["network", "slug"], name="families_page_slug_per_network")]

    def __str__(self) -> str:
        return self.slug

    @property
    def latest_version(self) -> PageVersion | None:
        return self.versions.order_by("-number").first()


class PageQuerySet(models.QuerySet["PageVersion"]):
    def published(self) -> PageQuerySet:
        """The published version of every page, in menu order (what the public site and booklet show)."""
        return (self.filter(page__published_version=models.F("pk"))
                .select_related("page").order_by("page__position", "page__slug"))


class PageVersion(models.Model):
    """One saved text of a page. Versions are never changed: editing or restoring adds a new one."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=250, blank=True, help_text="One sentence shown in the list of pages")
    body = models.TextField(max_length=20000, help_text="Plain text: blank line between paragraphs, "
                            "## for a heading, - for a bullet, 1. for a numbered step, **bold**, [text](https://…)")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.CharField("what changed", max_length=200, blank=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["page", "-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="families_page_version_unique")]

    def __str__(self) -> str:
        return f"{self.page.slug} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.page.published_version_id == self.pk


class FeedbackStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Feedback(models.Model):
    """Anonymous feedback from a family to one network (the family website it was sent from). Nobody but that
    network's moderators sees it until it is approved, and then only that network's website shows it.

    Nothing identifying is stored: no name, email or IP address (rate limiting uses a salted hash held
    only in the cache for an hour).
    """

    network = models.ForeignKey(Network, null=True, blank=True, default=default_network_id, on_delete=models.PROTECT,
                                related_name="family_feedback", help_text=NETWORK_HELP)
    message = models.TextField(max_length=2000)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.PENDING,
                              db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Feedback {self.pk} ({self.get_status_display()})"
