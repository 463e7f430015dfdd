"""Named people for tests, one per role and relationship (style-anchors §4.3 "Personas").

- nurse: clinical nurse specialist (network-wide)
- lead: network lead (network-wide, read and export only)
- admin_user: administrator (network-wide)
- consultant: cooling-centre consultant at Addenbrooke's (RGT01)
- clinician: unit clinician at Watford (RWG02), a referring unit
- outsider: unit clinician at Ipswich (RDE03), no link to the test cases
- radiologist, transport (only after `with_section_roles`): a radiologist at Addenbrooke's (RGT01) and the
  PaNDR transport team (RGT-PANDR), the roles that change one section of a case
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from units.models import Membership, Role, Unit


@dataclass
class Personas:
    nurse: AbstractUser
    lead: AbstractUser
    admin_user: AbstractUser
    consultant: AbstractUser
    clinician: AbstractUser
    outsider: AbstractUser
    radiologist: AbstractUser | None = None
    transport: AbstractUser | None = None


def make_user(username: str, unit: Unit, role: str, *, first: str = "", last: str = "") -> AbstractUser:
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery",
                                                first_name=first, last_name=last)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def make_personas() -> Personas:
    units = {u.ods_code: u for u in Unit.objects.all()}
    return Personas(
        nurse=make_user("nina", units["RGT01"], Role.NURSE_SPECIALIST, first="Nina", last="Nurse"),
        lead=make_user("leo", units["RGT01"], Role.NETWORK_LEAD, first="Leo", last="Lead"),
        admin_user=make_user("ada", units["RGT01"], Role.ADMINISTRATOR, first="Ada", last="Admin"),
        consultant=make_user("cora", units["RGT01"], Role.CONSULTANT, first="Cora", last="Consultant"),
        clinician=make_user("carl", units["RWG02"], Role.UNIT_CLINICIAN, first="Carl", last="Clinician"),
        outsider=make_user("otto", units["RDE03"], Role.UNIT_CLINICIAN, first="Otto", last="Outsider"),
    )


def with_section_roles(people: Personas) -> Personas:
    """The personas plus a radiologist at Addenbrooke's and the PaNDR transport team (units.access.SECTION_ROLES)."""
    people.radiologist = make_user("rita", Unit.objects.get(ods_code="RGT01"), Role.RADIOLOGIST, first="Rita",
                                   last="Radiologist")
    people.transport = make_user("tom", Unit.objects.get(ods_code="RGT-PANDR"), Role.TRANSPORT_TEAM, first="Tom",
                                 last="Transport")
    return people
