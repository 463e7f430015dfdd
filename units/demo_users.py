"""Demo logins: one user per role, all with one documented password (`seed_demo`, `demo_logins`).

For a local demo only. The password is printed on screen by `make run`, so these users must never
exist on a server holding real patients.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from units.access import NETWORK_WIDE_ROLES
from units.models import Membership, Role, Unit

DEMO_PASSWORD = "demo-pathway-2026"
DEMO_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    unit_ods: str  # the home unit; network-wide roles see every unit anyway (units.access)
    superuser: bool = False

    @property
    def network_wide(self) -> bool:
        return self.role in NETWORK_WIDE_ROLES


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("nurse", "Demo", "Nurse Specialist", Role.NURSE_SPECIALIST, "RGT01"),
    DemoUser("consultant", "Demo", "Consultant", Role.CONSULTANT, "RGT01"),
    DemoUser("clinician", "Demo", "Unit Clinician", Role.UNIT_CLINICIAN, "RWG02"),
    DemoUser("lead", "Demo", "Network Lead", Role.NETWORK_LEAD, "RGT01"),
    # Section roles: the MRI of Addenbrooke's cases; the referral and transport of every case PaNDR moved.
    DemoUser("radiologist", "Demo", "Radiologist", Role.RADIOLOGIST, "RGT01"),
    DemoUser("transport", "Demo", "Transport Team", Role.TRANSPORT_TEAM, "RGT-PANDR"),
    # Also a Django superuser, so the demo can show /admin.
    DemoUser("admin", "Demo", "Administrator", Role.ADMINISTRATOR, "RGT01", superuser=True),
)


@transaction.atomic
def demo_users_ensure() -> dict[str, AbstractUser]:
    """Create the demo users and memberships that are missing; leave existing ones as they are (so a
    password someone changed stays changed). Needs the units loaded (network_load_reference)."""
    users: dict[str, AbstractUser] = {}
    for spec in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(
            username=spec.username,
            defaults={"first_name": spec.first_name, "last_name": spec.last_name,
                      "is_staff": spec.superuser, "is_superuser": spec.superuser},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, unit=Unit.objects.get(ods_code=spec.unit_ods), role=spec.role)
        users[spec.username] = user
    return users


def demo_users_existing() -> list[tuple[DemoUser, AbstractUser]]:
    """The demo users that exist, with their user rows (memberships prefetched)."""
    found = {u.username: u for u in get_user_model().objects.filter(username__in=[s.username for s in DEMO_USERS])
             .prefetch_related("memberships__unit")}
    return [(spec, found[spec.username]) for spec in DEMO_USERS if spec.username in found]
