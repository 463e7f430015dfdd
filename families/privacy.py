"""The facts the privacy notice states, read from the settings and the code that does the processing, so the
page cannot drift from what the service does: how long records and export files are kept, the feedback limit,
whether the national data opt-out is honoured, and who to contact (settings PRIVACY_*)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from families.feedback import WINDOW_SECONDS


@dataclass(frozen=True)
class PrivacyFacts:
    controller: str
    contact_email: str
    contact_phone: str
    dpo_email: str
    case_retention_years: int | None  # None: no automatic deletion configured (the trust's records policy)
    export_retention_hours: int
    feedback_per_hour: int
    feedback_window_minutes: int
    opt_out_honoured: bool
    idle_minutes: int


def _opt_out_honoured() -> bool:
    """Whether a baby's record carries the national data opt-out (a field of the case, no query)."""
    from pathway.models import Case

    return any(field.name == "national_opt_out" for field in Case._meta.get_fields())


def privacy_facts() -> PrivacyFacts:
    return PrivacyFacts(
        controller=settings.PRIVACY_CONTROLLER,
        contact_email=settings.PRIVACY_CONTACT_EMAIL,
        contact_phone=settings.PRIVACY_CONTACT_PHONE,
        dpo_email=settings.PRIVACY_DPO_EMAIL,
        case_retention_years=getattr(settings, "CASE_RETENTION_YEARS", None),
        export_retention_hours=settings.EXPORT_RETENTION_HOURS,
        feedback_per_hour=settings.FAMILIES_FEEDBACK_PER_HOUR,
        feedback_window_minutes=WINDOW_SECONDS // 60,
        opt_out_honoured=_opt_out_honoured(),
        idle_minutes=settings.IDLE_TIMEOUT_MINUTES,
    )
