"""Demo logins: one user per role, all with one documented password (`seed_demo`, `demo_logins`).

For a local demo only. The password is printed on screen by `make run`, so these users must never
exist on a server holding real patients.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from units.access import NETWORK_WIDE_ROLES, REGIONAL_ROLES
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
        return self.role in NETWORK_WIDE_ROLES or self.role in REGIONAL_ROLES


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
    # Issue 18: read only and pseudonymised, every network of the East of England region (and, once the London
    # demo is seeded, of London: LONDON_DEMO_USERS gives the same login a London membership).
    DemoUser("regional", "Demo", "Regional Lead", Role.REGIONAL_LEAD, "RGT01"),
)

# Made by `seed_demo --network london` (units/reference/organisations/london.csv): a nurse specialist of North
# Central and East London, a network lead of South London, and the regional lead's London membership.
LONDON_DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("london_nurse", "Demo", "London Nurse Specialist", Role.NURSE_SPECIALIST, "RRV03"),
    DemoUser("london_lead", "Demo", "London Network Lead", Role.NETWORK_LEAD, "RJ122"),
    DemoUser("regional", "Demo", "Regional Lead", Role.REGIONAL_LEAD, "RRV03"),
)


@transaction.atomic
def demo_users_ensure(specs: tuple[DemoUser, ...] = DEMO_USERS) -> dict[str, User]:
    """Create the demo users and memberships that are missing; leave existing ones as they are (so a
    password someone changed stays changed). Needs the units loaded (network_load_reference)."""
    users: dict[str, User] = {}
    for spec in specs:
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


def demo_users_existing() -> list[tuple[DemoUser, User]]:
    """The demo users that exist, with their user rows (memberships prefetched)."""
    specs = {s.username: s for s in (*DEMO_USERS, *LONDON_DEMO_USERS)}  # the first spec of each login
    found = {u.username: u for u in get_user_model().objects.filter(username__in=list(specs))
             .prefetch_related("memberships__unit")}
    return [(spec, found[name]) for name, spec in specs.items() if name in found]
