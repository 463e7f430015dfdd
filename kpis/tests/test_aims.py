"""Network aims (kpis.aims): read with the KPI's direction, refused with the field and rule, every change audited
with who and when, and edited in the admin only through the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis import aims
from kpis.models import NetworkAim


@pytest.mark.django_db
def test_an_aim_is_read_with_its_kpis_direction(people: Personas) -> None:
    aims.set_aim(kpi="cooling_started_6h", value=90, by=people.admin_user)
    aims.set_aim(kpi="overcooling_before_centre", value=5, by=people.admin_user)
    aims.set_aim(kpi="age_at_cooling_start_min", value=60, by=people.admin_user)
    current = aims.current()
    higher, lower, minutes = (current[c] for c in ("cooling_started_6h", "overcooling_before_centre",
                                                   "age_at_cooling_start_min"))
    assert (higher.text, higher.target, higher.met_by(0.9), higher.met_by(0.899)) == ("at least 90%", 0.9, True, False)
    assert (lower.text, lower.met_by(0.05), lower.met_by(0.06)) == ("at most 5%", True, False)
    assert (minutes.text, minutes.target, minutes.met_by(59.5), minutes.met_by(61)) == ("at most 60 min", 60, True,
                                                                                       False)
    assert higher.met_by(None) is None and higher.set_by == people.admin_user.get_full_name()


@pytest.mark.django_db
@pytest.mark.parametrize(("kpi", "value", "field", "rule"), [
    ("no_such_kpi", 50, "kpi", "is not a KPI of the pathway"),
    ("cooled_outside_criteria", 10, "kpi", "is monitored, with no better direction, so it has no aim"),
    ("cooling_started_6h", 120, "value", "a percentage from 0 to 100"),
    ("cooling_started_6h", -1, "value", "a percentage from 0 to 100"),
    ("age_at_referral_min", 0, "value", "more than 0 minutes"),
])
def test_a_bad_aim_is_refused_naming_the_field_and_rule(people: Personas, kpi: str, value: float, field: str,
                                                        rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        aims.set_aim(kpi=kpi, value=value, by=people.admin_user)
    assert rule in " ".join(refused.value.message_dict[field])
    assert not NetworkAim.objects.exists() and not AuditEvent.objects.filter(object_type=aims.AUDIT_TYPE).exists()


@pytest.mark.django_db
def test_every_change_is_audited_with_old_and_new(people: Personas) -> None:
    aims.set_aim(kpi="target_temp_6h", value=85, rationale="first", by=people.admin_user)
    aims.set_aim(kpi="target_temp_6h", value=91, rationale="East of England 2012 figure", by=people.lead)
    aims.remove_aim(kpi="target_temp_6h", by=people.admin_user)
    events = list(AuditEvent.objects.filter(object_type=aims.AUDIT_TYPE).order_by("pk"))
    assert [(e.action, e.actor) for e in events] == [("create", people.admin_user), ("update", people.lead),
                                                     ("update", people.admin_user)]
    assert events[1].changes == {"value": [85, 91], "rationale": ["first", "East of England 2012 figure"]}
    assert events[2].changes == {"value": [91, None]} and "removed" in events[2].summary


@pytest.mark.django_db
def test_the_admin_sets_an_aim_through_the_service(people: Personas) -> None:
    people.admin_user.is_staff = people.admin_user.is_superuser = True
    people.admin_user.save()
    client = Client()
    client.force_login(people.admin_user)
    url = reverse("admin:kpis_networkaim_add")
    refused = client.post(url, {"kpi": "cooled_outside_criteria", "value": "10", "rationale": ""})
    assert refused.status_code == 200 and "so it has no aim" in refused.content.decode()
    saved = client.post(url, {"kpi": "placenta_sent", "value": "75", "rationale": "Network board"})
    assert saved.status_code == 302
    aim = NetworkAim.objects.get(kpi="placenta_sent")
    assert (aim.value, aim.set_by) == (75, people.admin_user)
    assert AuditEvent.objects.filter(object_type=aims.AUDIT_TYPE, object_id="placenta_sent").count() == 1
