"""Several networks in one deployment (issue 18): network-wide roles see their own network's rows only, through
every door; a cross-boundary baby is both networks'; a regional lead sees every network of its region, read only
and pseudonymised.

Networks: the East of England (EOE, region Y61) and the London region's three (Y56) from the reference files.
Cases: E born at Watford and cooled at Addenbrooke's (EOE); L born at North Middlesex and cooled at UCH (NCEL);
X born at Harlow (EOE) and cooled at Homerton (NCEL), the cross-boundary baby; S born at Lewisham and cooled at
St Thomas' (South London).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas, make_user
from core.timeutil import LONDON
from families.models import FamilyEvent
from improvement.models import ImprovementAction
from pathway import services
from pathway.access import cases_for
from pathway.models import Case
from pop import services as pop_services
from pop.access import records_for
from pop.models import PopRecord
from pop.tests.factories import pop_values
from training.models import TrainingSession
from units.access import Action, network_ids_for
from units.models import LiveBirths, Network, Role, Unit
from units.services import LONDON_FILE, organisations_load_file

PLACES = {"E": ("RWG02", "RGT01"), "L": ("RAPNM", "RRV03"), "X": ("RQWG0", "RQXM1"), "S": ("RJ224", "RJ122")}


@pytest.fixture
def london(people: Personas) -> dict[str, User]:
    organisations_load_file(LONDON_FILE)
    units = {u.ods_code: u for u in Unit.objects.all()}
    regional = make_user("rhea", units["RRV03"], Role.REGIONAL_LEAD)
    return {
        "london_nurse": make_user("lana", units["RRV03"], Role.NURSE_SPECIALIST),
        "london_lead": make_user("lars", units["RRV03"], Role.NETWORK_LEAD),
        "south_lead": make_user("sol", units["RJ122"], Role.NETWORK_LEAD),
        "regional": regional,
    }


@pytest.fixture
def cases(people: Personas, london: dict[str, User]) -> dict[str, Case]:
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    return {name: services.case_create(values=cooled_case_values(birth=birth, birth_unit=born, centre=centre,
                                                                 case_ref=f"NET-{name}"), by=people.nurse)
            for name, (born, centre) in PLACES.items()}


def _users(people: Personas, london: dict[str, User]) -> dict[str, User]:
    return {"eoe_nurse": people.nurse, "eoe_lead": people.lead, **london}


# Who reaches which case through cases_for (every case door asks it: list, page, API, exports, search,
# worklist, live board, referrals, family log).
LISTS = {
    "eoe_nurse": {"E", "X"},
    "eoe_lead": {"E", "X"},
    "london_nurse": {"L", "X"},
    "london_lead": {"L", "X"},
    "south_lead": {"S"},
    "regional": set(),  # no case list or case page: identifiable
}
EXPORTS = {**LISTS, "regional": {"L", "X", "S"}}  # the pseudonymised file: every London network's cases


@pytest.mark.django_db
def test_network_wide_roles_reach_their_own_networks_cases_and_the_cross_boundary_baby(
        people: Personas, london: dict[str, User], cases: dict[str, Case]) -> None:
    names = {c.pk: n for n, c in cases.items()}
    for who, user in _users(people, london).items():
        assert {names[c.pk] for c in cases_for(user, Action.LIST)} == LISTS[who], who
        assert {names[c.pk] for c in cases_for(user, Action.VIEW)} == LISTS[who], who
        assert {names[c.pk] for c in cases_for(user, Action.EXPORT)} == EXPORTS[who], who
        assert not cases_for(user, Action.EDIT).filter(pk=cases["S"].pk).exists() or who == "south_lead"
    assert {names[c.pk] for c in cases_for(london["london_nurse"], Action.EDIT)} == {"L", "X"}
    assert {names[c.pk] for c in cases_for(people.nurse, Action.EDIT)} == {"E", "X"}


@pytest.mark.django_db
def test_the_regional_lead_reaches_every_network_of_its_region_only(london: dict[str, User]) -> None:
    codes = set(Network.objects.filter(pk__in=network_ids_for(london["regional"], Action.EXPORT))
                .values_list("code", flat=True))
    assert codes == {"NCEL", "NWL", "SL"}
    assert network_ids_for(london["regional"], Action.LIST) == frozenset()
    assert network_ids_for(london["regional"], Action.EDIT) == frozenset()


def _text(response: Any) -> str:
    """A test client response's body, streamed (the CSV exports) or not."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]  # bytes chunks
    return str(response.content.decode())


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_no_row_of_another_network_through_the_screens_and_the_api(
        people: Personas, london: dict[str, User], cases: dict[str, Case]) -> None:
    for who in ("london_nurse", "london_lead", "eoe_nurse", "eoe_lead", "south_lead"):
        user = _users(people, london)[who]
        client = _client(user)
        listed = client.get(reverse("pathway:case_list")).content.decode()
        api = client.get("/api/v1/cases/?page_size=100")
        api_ids = {row["id"] for row in api.json()["results"]}  # the API pseudonymises case_ref
        for name, case in cases.items():
            visible = name in LISTS[who]
            assert (f"NET-{name}" in listed) is visible, (who, name)
            assert (case.pk in api_ids) is visible, (who, name)
            assert client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == (200 if visible else 404)
            assert client.get(f"/api/v1/cases/{case.pk}/").status_code == (200 if visible else 404), (who, name)
            assert client.get(reverse("pathway:case_timeline", args=[case.pk])).status_code == (
                200 if visible else 404)
        # Search by case reference: the other network's baby is not found.
        for name, case in cases.items():
            found = client.post(reverse("pathway:case_list"), {"q": f"NET-{name}"}, follow=True).content.decode()
            link = f'href="{reverse("pathway:case_detail", args=[case.pk])}"'
            assert (link in found) is (name in LISTS[who]), (who, name)
        for page in ("pathway:worklist", "pathway:live_board", "pathway:referral_list"):
            body = client.get(reverse(page)).content.decode()
            for name in cases:
                if name not in LISTS[who]:
                    assert f"NET-{name}" not in body, (who, page, name)


@pytest.mark.django_db
def test_exports_hold_only_the_users_networks_cases(people: Personas, london: dict[str, User],
                                                    cases: dict[str, Case]) -> None:
    body = _text(_client(london["london_lead"]).get(reverse("pathway:export_download")))
    rows = body.strip().splitlines()[1:]
    assert len(rows) == 2  # L and X, pseudonymised (no case_ref)
    nurse = _client(people.nurse).post(reverse("pathway:export_download"),
                                       {"identifiable": "1", "reason": "Network audit"})
    text = _text(nurse)
    assert "NET-E" in text and "NET-X" in text and "NET-L" not in text and "NET-S" not in text


@pytest.mark.django_db
def test_the_regional_lead_is_read_only_and_pseudonymised(people: Personas, london: dict[str, User],
                                                          cases: dict[str, Case]) -> None:
    client = _client(london["regional"])
    for name, case in cases.items():
        assert client.get(reverse("pathway:case_detail", args=[case.pk])).status_code == 404, name
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404, name
        assert client.post(reverse("pathway:case_section", args=[case.pk, "birth"]), {}).status_code in (403, 404)
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert client.get(reverse("pathway:case_create")).status_code == 403
    refused = client.post(reverse("pathway:export_download"), {"identifiable": "1", "reason": "Regional review"})
    assert refused.status_code == 403
    pseudonymised = client.get(reverse("pathway:export_download"))
    assert pseudonymised.status_code == 200
    text = _text(pseudonymised)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3  # L, X and S: every London network
    assert not any(row["case_ref"].startswith("NET-") or row["nhs_number"] for row in rows)  # pseudonymised
    assert client.get(reverse("kpis:overview")).status_code == 200


@pytest.mark.django_db
def test_pop_training_families_improvement_and_live_births_stay_in_their_network(
        people: Personas, london: dict[str, User]) -> None:
    units = {u.ods_code: u for u in Unit.objects.all()}
    pops = {name: pop_services.pop_create(values=pop_values(case_ref=f"POPNET-{name}", birth_unit=born),
                                          by=people.nurse) for name, born in (("E", "RWG02"), ("L", "RAPNM"))}
    day = timezone.localdate() - timedelta(days=3)
    for name, ods in (("E", "RWG02"), ("L", "RAPNM")):
        TrainingSession.objects.create(unit=units[ods], date=day, trainer=f"Trainer-{name}", format="teaching")
        FamilyEvent.objects.create(title=f"Coffee-{name}", starts_at=timezone.now() + timedelta(days=5),
                                   venue="Ward", host_unit=units[ods])
        ImprovementAction.objects.create(unit=units[ods], network=units[ods].network, kpi="cool_by_6h",
                                         problem="p", change_idea=f"Idea-{name}", owner=people.nurse,
                                         due_date=date(2030, 1, 1), created_by=people.nurse)
        LiveBirths.objects.create(unit=units[ods], year=day.year - 1, live_births=4321 if name == "E" else 1234)
    for who, own, other in (("london_nurse", "L", "E"), ("eoe_nurse", "E", "L")):
        user = _users(people, london)[who]
        assert set(records_for(user).values_list("case_ref", flat=True)) == {f"POPNET-{own}"}
        client = _client(user)
        assert client.get(reverse("pop:record_detail", args=[pops[other].pk])).status_code == 404
        assert client.get(reverse("pop:record_detail", args=[pops[own].pk])).status_code == 200
        pages = {
            "training": client.get(reverse("training:session_list")).content.decode(),
            "events": client.get(reverse("families:event_list")).content.decode(),
            "improvement": client.get(reverse("improvement:list")).content.decode(),
        }
        assert f"Trainer-{own}" in pages["training"] and f"Trainer-{other}" not in pages["training"], who
        assert f"Coffee-{own}" in pages["events"] and f"Coffee-{other}" not in pages["events"], who
        assert f"Idea-{own}" in pages["improvement"] and f"Idea-{other}" not in pages["improvement"], who
        other_event = FamilyEvent.objects.get(title=f"Coffee-{other}")
        assert client.get(reverse("families:event_detail", args=[other_event.pk])).status_code == 404
        other_action = ImprovementAction.objects.get(change_idea=f"Idea-{other}")
        assert client.get(reverse("improvement:detail", args=[other_action.pk])).status_code == 404
        births = client.get(reverse("units:live_births")).content.decode()
        assert ("4,321" in births) is (own == "E") and ("1,234" in births) is (own == "L"), who
        download = client.get(reverse("units:live_births_export"))
        csv_text = _text(download)
        assert (str(4321) in csv_text) is (own == "E") and (str(1234) in csv_text) is (own == "L"), who
    assert PopRecord.objects.count() == 2
