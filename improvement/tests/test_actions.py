"""Improvement actions as people use them: create, edit with a version check, PDSA cycles, who reaches which
action, the filters, the worklist panel, the reminder emails and the impact page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.exceptions import EditConflict
from core.models import AuditEvent
from core.testing.personas import Personas
from improvement import services
from improvement.models import ImprovementAction, PdsaCycle, Status
from improvement.tasks import send_improvement_reminders_task
from reporting.models import ImpactInput
from reporting.tests.conftest import client_for
from units.models import Unit

pytestmark = pytest.mark.django_db


def _unit(ods: str) -> Unit:
    return Unit.objects.get(ods_code=ods)


def _values(people: Personas, **overrides: Any) -> dict[str, Any]:
    return {"unit": _unit("RWG02"), "kpi": "cooling_started_6h", "problem": "Only 60% cooled within 6 h",
            "change_idea": "Call the transport service at the first sign of encephalopathy",
            "owner": people.clinician, "due_date": timezone.localdate() + timedelta(days=30),
            "status": Status.PLANNED, "outcome": ""} | overrides


@pytest.fixture
def actions(people: Personas) -> dict[str, ImprovementAction]:
    """Watford (overdue, owned by the clinician), Ipswich (due later), and one network-wide (overdue)."""
    today = timezone.localdate()
    return {
        "watford": services.action_create(values=_values(people, due_date=today - timedelta(days=3)),
                                          by=people.nurse),
        "ipswich": services.action_create(values=_values(people, unit=_unit("RDE03"), owner=people.outsider,
                                                         kpi="pop_magnesium_sulphate"), by=people.nurse),
        "network": services.action_create(values=_values(people, unit=None, owner=people.nurse,
                                                         due_date=today - timedelta(days=1)), by=people.nurse),
    }


# --- Services ---------------------------------------------------------------------------------------------------


def test_create_is_audited_with_every_value(people: Personas) -> None:
    action = services.action_create(values=_values(people), by=people.clinician)
    event = AuditEvent.objects.get(object_type="improvement_action", object_id=str(action.pk))
    assert (event.actor, event.action) == (people.clinician, AuditEvent.Action.CREATE)
    assert event.changes["unit"] == ["", "RWG02"] and event.changes["owner"] == ["", "carl"]
    assert action.version == 1 and action.created_by == people.clinician


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"kpi": "not_a_kpi"}, "kpi", "is not a KPI code"),
    ({"problem": "  "}, "problem", "Problem: required"),
    ({"change_idea": ""}, "change_idea", "Change idea: required"),
    ({"status": Status.DONE}, "outcome", "Outcome: say what happened"),
    ({"unit": "RDE03"}, "unit", "only for your own units"),
    ({"unit": None}, "unit", "only network-wide roles record network actions"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_saved(
        people: Personas, overrides: dict[str, Any], field: str, message: str) -> None:
    if overrides.get("unit") == "RDE03":
        overrides["unit"] = _unit("RDE03")
    with pytest.raises(ValidationError) as refused:
        services.action_create(values=_values(people, **overrides), by=people.clinician)
    assert any(message in text for text in refused.value.message_dict[field])
    assert not ImprovementAction.objects.exists() and not AuditEvent.objects.filter(
        object_type="improvement_action").exists()


def test_update_records_old_and_new_and_bumps_the_version(people: Personas,
                                                          actions: dict[str, ImprovementAction]) -> None:
    action = actions["watford"]
    updated = services.action_update(action=action, values={"status": Status.DONE, "outcome": "Now 85%"},
                                     expected_version=1, by=people.clinician)
    assert (updated.version, updated.status) == (2, Status.DONE)
    event = AuditEvent.objects.filter(object_type="improvement_action", action="update").get()
    assert event.changes == {"status": ["planned", "done"], "outcome": ["", "Now 85%"]}
    # Nothing changed: no new version, no audit row.
    services.action_update(action=updated, values={"status": Status.DONE}, expected_version=2, by=people.nurse)
    assert ImprovementAction.objects.get(pk=action.pk).version == 2
    assert AuditEvent.objects.filter(object_type="improvement_action", action="update").count() == 1


def test_stale_update_is_refused_and_overwrites_nothing(people: Personas,
                                                        actions: dict[str, ImprovementAction]) -> None:
    action = actions["watford"]
    services.action_update(action=action, values={"status": Status.IN_PROGRESS}, expected_version=1, by=people.nurse)
    with pytest.raises(EditConflict, match="Someone else changed this action"):
        services.action_update(action=action, values={"problem": "Mine"}, expected_version=1, by=people.clinician)
    fresh = ImprovementAction.objects.get(pk=action.pk)
    assert (fresh.status, fresh.problem, fresh.version) == (Status.IN_PROGRESS, "Only 60% cooled within 6 h", 2)


def test_pdsa_cycles_are_dated_audited_and_listed_in_date_order(people: Personas,
                                                                actions: dict[str, ImprovementAction]) -> None:
    action = actions["watford"]
    today = timezone.localdate()
    for days in (2, 10):
        services.cycle_add(action=action, by=people.clinician, values=services.CycleValues(
            today - timedelta(days=days), f"Plan {days}", "Tried it", "Rate rose", "Adopt"))
    assert [c.plan for c in action.cycles.all()] == ["Plan 10", "Plan 2"]
    assert AuditEvent.objects.filter(object_type="pdsa_cycle").count() == 2
    with pytest.raises(ValidationError) as refused:
        services.cycle_add(action=action, by=people.clinician, values=services.CycleValues(
            today + timedelta(days=1), "Plan", "", "Study", "Act"))
    assert set(refused.value.message_dict) == {"cycle_date", "do"}
    with pytest.raises(ValidationError, match="only to your own units"):
        services.cycle_add(action=action, by=people.outsider, values=services.CycleValues(
            today, "Plan", "Do", "Study", "Act"))
    assert PdsaCycle.objects.count() == 2


# --- Who reaches what ---------------------------------------------------------------------------------------------

REACH = {"nurse": {"watford", "ipswich", "network"}, "lead": {"watford", "ipswich", "network"},
         "admin_user": {"watford", "ipswich", "network"}, "consultant": set(), "clinician": {"watford"},
         "outsider": {"ipswich"}}


@pytest.mark.parametrize("persona", REACH)
def test_each_persona_sees_and_opens_only_its_actions(people: Personas, actions: dict[str, ImprovementAction],
                                                      persona: str) -> None:
    client = client_for(getattr(people, persona))
    listed = client.get(reverse("improvement:list")).content.decode()
    for name, action in actions.items():
        reachable = name in REACH[persona]
        assert (f'data-action="{action.pk}"' in listed) is reachable, name
        assert client.get(reverse("improvement:detail", args=[action.pk])).status_code == (200 if reachable else 404)
        response = client.post(reverse("improvement:cycle_add", args=[action.pk]), {
            "cycle_date": timezone.localdate().strftime("%d/%m/%Y"), "plan": "P", "do": "D", "study": "S", "act": "A"})
        assert response.status_code == (302 if reachable else 404)
    assert PdsaCycle.objects.count() == len(REACH[persona])


def test_consultant_reaches_actions_at_their_own_centre(people: Personas) -> None:
    action = services.action_create(values=_values(people, unit=_unit("RGT01"), owner=people.consultant),
                                    by=people.consultant)
    assert client_for(people.consultant).get(reverse("improvement:detail", args=[action.pk])).status_code == 200
    assert client_for(people.clinician).get(reverse("improvement:detail", args=[action.pk])).status_code == 404


def test_unit_page_lists_its_actions_and_is_a_404_for_other_units(people: Personas,
                                                                   actions: dict[str, ImprovementAction]) -> None:
    client = client_for(people.clinician)
    page = client.get(reverse("improvement:unit", args=["RWG02"])).content.decode()
    assert f'data-action="{actions["watford"].pk}"' in page and f'data-action="{actions["network"].pk}"' not in page
    assert client.get(reverse("improvement:unit", args=["RDE03"])).status_code == 404


def test_pages_need_a_login(actions: dict[str, ImprovementAction]) -> None:
    from django.test import Client

    response = Client().get(reverse("improvement:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Filters -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"watford", "ipswich", "network"}),
    ({"unit": "rde03"}, {"ipswich"}),
    ({"unit": "network"}, {"network"}),
    ({"kpi": "pop_magnesium_sulphate"}, {"ipswich"}),
    ({"status": "planned"}, {"watford", "ipswich", "network"}),
    ({"status": "done"}, set()),
    ({"overdue": "on"}, {"watford", "network"}),
    ({"overdue": "on", "unit": "RWG02"}, {"watford"}),
])
def test_network_list_filters(people: Personas, actions: dict[str, ImprovementAction], query: dict[str, str],
                              expected: set[str]) -> None:
    page = client_for(people.lead).get(reverse("improvement:list"), query).content.decode()
    assert {name for name, a in actions.items() if f'data-action="{a.pk}"' in page} == expected


# --- Screens: create and edit -----------------------------------------------------------------------------------


def _form(people: Personas, **overrides: str) -> dict[str, str]:
    return {"unit": str(_unit("RWG02").pk), "kpi": "target_temp_6h", "problem": "Slow to reach target",
            "change_idea": "Servo-controlled cooling in transport", "owner": str(people.clinician.pk),
            "due_date": "31/12/2030", "status": "planned", "outcome": ""} | overrides


def test_clinician_records_then_edits_an_action_on_screen(people: Personas) -> None:
    client = client_for(people.clinician)
    response = client.post(reverse("improvement:create"), _form(people))
    action = ImprovementAction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("improvement:detail", args=[action.pk])
    assert action.unit is not None
    assert (action.kpi, action.due_date, action.unit.ods_code) == ("target_temp_6h", date(2030, 12, 31), "RWG02")
    page = client.get(response["Location"]).content.decode()
    assert "Servo-controlled cooling in transport" in page and "31/12/2030" in page

    edit = client.get(reverse("improvement:edit", args=[action.pk])).content.decode()
    assert 'name="version" value="1"' in edit
    response = client.post(reverse("improvement:edit", args=[action.pk]),
                           _form(people, status="in_progress", version="1"))
    assert response.status_code == 302
    assert ImprovementAction.objects.get().status == Status.IN_PROGRESS


def test_stale_edit_on_screen_says_so_and_keeps_the_other_save(people: Personas,
                                                              actions: dict[str, ImprovementAction]) -> None:
    action = actions["watford"]
    services.action_update(action=action, values={"problem": "Theirs"}, expected_version=1, by=people.nurse)
    response = client_for(people.clinician).post(reverse("improvement:edit", args=[action.pk]),
                                                 _form(people, problem="Mine", version="1"))
    assert response.status_code == 200 and "Someone else changed this action" in response.content.decode()
    assert ImprovementAction.objects.get(pk=action.pk).problem == "Theirs"


def test_screen_refuses_another_units_action_and_names_the_field(people: Personas) -> None:
    response = client_for(people.clinician).post(reverse("improvement:create"),
                                                 _form(people, unit=str(_unit("RDE03").pk)))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client_for(people.clinician).post(reverse("improvement:create"), _form(people, status="done"))
    assert "Outcome: say what happened" in response.content.decode()
    assert not ImprovementAction.objects.exists()


def test_bad_pdsa_cycle_on_screen_names_the_field(people: Personas, actions: dict[str, ImprovementAction]) -> None:
    response = client_for(people.clinician).post(reverse("improvement:cycle_add", args=[actions["watford"].pk]), {
        "cycle_date": "01/01/2099", "plan": "P", "do": "D", "study": "S", "act": "A"})
    assert response.status_code == 400 and "a PDSA cycle cannot be in the future" in response.content.decode()
    assert not PdsaCycle.objects.exists()


# --- Worklist panel ------------------------------------------------------------------------------------------------


def test_worklist_shows_the_overdue_actions_of_the_users_units(people: Personas,
                                                               actions: dict[str, ImprovementAction]) -> None:
    page = client_for(people.clinician).get(reverse("pathway:worklist")).content.decode()
    panel = page.split('id="improvement-overdue"', 1)[1].split("</section>", 1)[0]
    assert f'data-action="{actions["watford"].pk}"' in panel
    assert f'data-action="{actions["network"].pk}"' not in panel
    assert f'data-action="{actions["ipswich"].pk}"' not in panel
    nurse_page = client_for(people.nurse).get(reverse("pathway:worklist")).content.decode()
    assert f'data-action="{actions["network"].pk}"' in nurse_page
    outsider_page = client_for(people.outsider).get(reverse("pathway:worklist")).content.decode()
    assert "Overdue improvement actions" not in outsider_page  # Ipswich's action is not due yet


def test_overdue_panel_is_one_query(people: Personas, actions: dict[str, ImprovementAction]) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = people.nurse
    template = Template("{% load improvement %}{% overdue_actions as overdue %}{{ overdue|length }}")
    people.nurse._membership_cache = None  # type: ignore[attr-defined]
    template.render(Context({"request": request}))  # memberships cached on the user
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "2"
    assert len(queries) == 1


# --- Reminders ---------------------------------------------------------------------------------------------------


def test_reminders_email_each_owner_their_overdue_actions(people: Personas,
                                                          actions: dict[str, ImprovementAction]) -> None:
    people.clinician.email, people.nurse.email = "carl@example.nhs.uk", "nina@example.nhs.uk"
    people.clinician.save()
    people.nurse.save()
    assert send_improvement_reminders_task() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"carl@example.nhs.uk", "nina@example.nhs.uk"}
    carl = by_recipient["carl@example.nhs.uk"]
    assert carl.subject == "1 overdue improvement action"
    assert "Watford, Cooling started within 6 hours" in carl.body and "Call the transport service" in carl.body
    assert "Network" in by_recipient["nina@example.nhs.uk"].body


def test_reminder_command_dry_run_sends_nothing_and_as_of(people: Personas,
                                                          actions: dict[str, ImprovementAction]) -> None:
    people.clinician.email = "carl@example.nhs.uk"
    people.clinician.save()
    out = StringIO()
    call_command("improvement_reminders", "--dry-run", stdout=out)
    assert mail.outbox == [] and "To: carl@example.nhs.uk" in out.getvalue() and "(dry run)" in out.getvalue()
    assert "Nina Nurse has no email address" in out.getvalue()
    out = StringIO()
    call_command("improvement_reminders", "--as-of", "2000-01-01", stdout=out)
    assert mail.outbox == [] and "nothing sent" in out.getvalue()
    call_command("improvement_reminders", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["carl@example.nhs.uk"]]


def test_done_actions_are_never_overdue(people: Personas, actions: dict[str, ImprovementAction]) -> None:
    services.action_update(action=actions["watford"], values={"status": Status.ABANDONED, "outcome": "Superseded"},
                           expected_version=1, by=people.nurse)
    assert set(ImprovementAction.objects.overdue()) == {actions["network"]}


# --- Impact page -------------------------------------------------------------------------------------------------


def test_impact_page_shows_every_estimate_its_inputs_and_why_one_is_not_shown(people: Personas) -> None:
    from kpis import services as kpi_services
    from reporting.tests.conftest import AS_OF, cooled

    for day, minutes in enumerate((30, 200, 400), start=1):
        cooled(people, day=day, minutes=minutes)
    cooled(people, day=9, minutes=60, birth_unit="RDE03", centre="RM102")
    kpi_services.compute(as_of=AS_OF)
    page = client_for(people.clinician).get(reverse("improvement:impact"), {"period": "2024"}).content.decode()
    cooling = page.split('data-estimate="1"', 1)[1].split("</div>", 1)[0]
    # The seeded baseline (36%) is of target temperature, not of cooling started: not like with like.
    assert "Not shown: the baseline (36%, 2009) is a rate of target temperature reached within 6 hours" in cooling
    assert "Edwards AD, Brocklehurst P, Gunn AJ, et al." in cooling
    mgso4 = page.split('data-estimate="2"', 1)[1].split("</div>", 1)[0]
    assert "cerebral palsy" not in mgso4 or "Not shown: no figure is stored" in mgso4
    assert "Royal College of Paediatrics and Child Health. National Neonatal Audit Programme" in mgso4
    for key in ("th_baseline_rate", "th_nnt", "hie_disability_cost_low", "hie_disability_cost_high",
                "mgso4_baseline_rate", "mgso4_nnt", "cp_cost_low", "cp_cost_high"):
        assert f'data-input="{key}"' in page
    assert reverse("admin:reporting_impactinput_changelist") not in page  # only staff get the edit links

    # A baseline of the same measure: 3 of 4 against 36% → 1.44 expected, 1.56 extra ÷ NNT 4 = 0.39.
    ImpactInput.objects.filter(key="th_baseline_rate").update(measure="cooling_started_6h")
    ImpactInput.objects.filter(key="th_nnt").update(value=Decimal("4"))
    people.admin_user.is_staff = people.admin_user.is_superuser = True
    people.admin_user.save()
    page = client_for(people.admin_user).get(reverse("improvement:impact"), {"period": "2024"}).content.decode()
    assert "<strong data-headline>Fewer than 1 baby surviving with normal neurology" in page
    assert "would have treated 1.4, so 1.6 more babies were treated because of the improvement, giving 0.39" in page
    th_nnt = ImpactInput.objects.get(key="th_nnt")
    assert reverse("admin:reporting_impactinput_changelist") in page
    assert reverse("admin:reporting_impactinput_change", args=[th_nnt.pk]) in page
    assert client_for(people.lead).get(reverse("improvement:impact"), {"period": "1999"}).status_code == 404
    bad = client_for(people.lead).get(reverse("improvement:impact"), {"period": "2024", "start": "31/02/2019"})
    assert bad.status_code == 400 and "Programme start: enter a date as dd/mm/yyyy" in bad.content.decode()
