"""What each network runs for itself (issue 18): its family website (pages, events, feedback), its training key
messages and its export log. No row of one network is visible to another network's users through any door
(public page, staff list, detail, action, booklet, export log), and the regional lead reads its region's export
log and lands on the KPI dashboard.

Networks: the East of England (EOE, the deployment's first: /families/) and the London region's three from the
reference file; the London users work at UCH (RRV03, North Central and East London, NCEL).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.testing.personas import Personas, make_user
from families import booklet, selectors
from families import services as family_services
from families.models import FamilyEvent, Feedback, FeedbackStatus, Page
from pathway import csv_io
from reporting import services as report_services
from reporting.models import ExportRecord
from training import services as training_services
from training.models import KeyMessage
from training.selectors import coverage_rows
from units.models import Network, Role, Unit
from units.services import LONDON_FILE, organisations_load_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(people: Personas) -> dict[str, User]:
    organisations_load_file(LONDON_FILE)
    uch = Unit.objects.get(ods_code="RRV03")
    return {"london_nurse": make_user("lana", uch, Role.NURSE_SPECIALIST),
            "london_lead": make_user("lars", uch, Role.NETWORK_LEAD),
            "regional": make_user("rhea", uch, Role.REGIONAL_LEAD)}


@pytest.fixture
def nets(london: dict[str, User]) -> dict[str, Network]:
    return {"eoe": Network.objects.get(code="EOE"), "ncel": Network.objects.get(code="NCEL"),
            "sl": Network.objects.get(code="SL")}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The family website ------------------------------------------------------------------------------------


@pytest.fixture
def sites(people: Personas, london: dict[str, User], nets: dict[str, Network]) -> dict[str, object]:
    """A page, an upcoming event and approved and pending feedback on each of the EoE and NCEL websites."""
    eoe_page = family_services.page_create(slug="eoe-coffee", position=1, title="Fenland coffee club", summary="",
                                           body="Meet in Cambridge.", by=people.nurse, publish=True,
                                           network=nets["eoe"])
    ldn_page = family_services.page_create(slug="ldn-coffee", position=1, title="Thames coffee club", summary="",
                                           body="Meet in Euston.", by=london["london_nurse"], publish=True,
                                           network=nets["ncel"])
    soon = timezone.now() + timedelta(days=7)
    for title, ods in (("Cambridge picnic", "RGT01"), ("Euston picnic", "RRV03")):
        FamilyEvent.objects.create(title=title, starts_at=soon, venue="The park",
                                   host_unit=Unit.objects.get(ods_code=ods))
    feedback = {}
    for key, network in (("eoe", nets["eoe"]), ("ncel", nets["ncel"])):
        approved = family_services.feedback_submit(message=f"Approved words from {key}", network=network)
        family_services.feedback_moderate(feedback=approved, approve=True, by=people.admin_user)
        feedback[key] = family_services.feedback_submit(message=f"Pending words from {key}", network=network)
    return {"eoe_page": eoe_page, "ldn_page": ldn_page, "feedback": feedback}


def test_each_new_network_gets_its_own_starter_pages_and_key_messages(nets: dict[str, Network]) -> None:
    for network in nets.values():
        assert Page.objects.filter(network=network, published_version__isnull=False).count() == 5
        assert KeyMessage.objects.filter(network=network, active=True).count() == 6
    assert not Page.objects.filter(network__isnull=True).exists()
    assert not KeyMessage.objects.filter(network__isnull=True).exists()


def test_the_public_site_shows_only_its_networks_pages_events_and_feedback(sites: dict[str, object]) -> None:
    public = Client()
    eoe_home = public.get("/families/").content.decode()  # the existing address: the first network's site
    ldn_home = public.get("/families/network/ncel/").content.decode()
    assert "Fenland coffee club" in eoe_home and "Thames coffee club" not in eoe_home
    assert "Thames coffee club" in ldn_home and "Fenland coffee club" not in ldn_home
    assert 'href="/families/network/ncel/ldn-coffee/"' in ldn_home  # links stay on the network's site
    assert 'href="/families/eoe-coffee/"' in eoe_home
    assert "Cambridge picnic" in eoe_home and "Euston picnic" not in eoe_home
    assert "Euston picnic" in ldn_home and "Cambridge picnic" not in ldn_home

    assert public.get("/families/eoe-coffee/").status_code == 200
    assert public.get("/families/ldn-coffee/").status_code == 404
    assert public.get("/families/network/ncel/ldn-coffee/").status_code == 200
    assert public.get("/families/network/NCEL/ldn-coffee/").status_code == 200
    assert public.get("/families/network/ncel/eoe-coffee/").status_code == 404
    assert public.get("/families/network/nowhere/").status_code == 404

    eoe_feedback = public.get("/families/feedback/").content.decode()
    ldn_feedback = public.get("/families/network/ncel/feedback/").content.decode()
    assert "Approved words from eoe" in eoe_feedback and "from ncel" not in eoe_feedback
    assert "Approved words from ncel" in ldn_feedback and "from eoe" not in ldn_feedback
    assert "Pending words" not in eoe_feedback + ldn_feedback
    events = public.get("/families/network/ncel/events/").content.decode()
    assert "Euston picnic" in events and "Cambridge picnic" not in events


def test_the_booklet_is_the_networks_own(sites: dict[str, object], nets: dict[str, Network]) -> None:
    eoe, ldn = booklet.booklet_html(), booklet.booklet_html(nets["ncel"].pk)
    assert "Fenland coffee club" in eoe and "Thames coffee club" not in eoe
    assert "Thames coffee club" in ldn and "Fenland coffee club" not in ldn
    assert booklet.content_version("http://x/") != booklet.content_version("http://x/", nets["ncel"].pk)


def test_feedback_sent_from_a_networks_site_goes_to_that_network(sites: dict[str, object], nets: dict[str, Network],
                                                                 settings: Any) -> None:
    settings.FAMILIES_FEEDBACK_MIN_SECONDS = 0
    for address, network in (("/families/network/ncel/feedback/", nets["ncel"]), ("/families/feedback/", nets["eoe"])):
        client = Client()
        token = re.search(r'name="started" value="([^"]+)"', client.get(address).content.decode())
        assert token
        response = client.post(address, {"message": f"Kind staff at {network.code}", "website": "",
                                         "started": token.group(1)})
        assert response.status_code == 302 and response["Location"] == address
    stored = dict(Feedback.objects.filter(message__startswith="Kind staff").values_list("message", "network__code"))
    assert stored == {"Kind staff at NCEL": "NCEL", "Kind staff at EOE": "EOE"}
    assert selectors.approved_feedback(network_id=nets["sl"].pk) == []


@pytest.mark.parametrize("user_key, own, other", [("eoe_nurse", "eoe", "ncel"), ("london_nurse", "ncel", "eoe")])
def test_staff_moderate_and_edit_only_their_networks_website(sites: dict[str, object], people: Personas,
                                                             london: dict[str, User], user_key: str, own: str,
                                                             other: str) -> None:
    user = people.nurse if user_key == "eoe_nurse" else london[user_key]
    client = _client(user)
    feedback: dict[str, Feedback] = sites["feedback"]  # type: ignore[assignment]
    queue = client.get(reverse("families:feedback_queue")).content.decode()
    assert f"Pending words from {own}" in queue and f"from {other}" not in queue
    dashboard = client.get(reverse("families:manage"))
    assert dashboard.context["pending"] == 1
    # Moderating another network's feedback is a 404 and changes nothing.
    response = client.post(reverse("families:feedback_moderate", args=[feedback[other].pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert Feedback.objects.get(pk=feedback[other].pk).status == FeedbackStatus.PENDING
    assert client.post(reverse("families:feedback_moderate", args=[feedback[own].pk]),
                       {"decision": "approve"}).status_code == 302
    assert Feedback.objects.get(pk=feedback[own].pk).status == FeedbackStatus.APPROVED

    mine, theirs = (sites["eoe_page"], sites["ldn_page"]) if own == "eoe" else (sites["ldn_page"], sites["eoe_page"])
    assert isinstance(mine, Page) and isinstance(theirs, Page)
    pages = client.get(reverse("families:page_list")).context["pages"]
    assert mine in pages and theirs not in pages
    assert {page.network_id for page in pages} == {mine.network_id}
    for name, args in (("page_edit", [theirs.pk]), ("page_history", [theirs.pk]), ("page_version", [theirs.pk, 1])):
        assert client.get(reverse(f"families:{name}", args=args)).status_code == 404
    for name in ("page_publish", "page_restore"):
        assert client.post(reverse(f"families:{name}", args=[theirs.pk, 1])).status_code == 404
    assert client.get(reverse("families:page_edit", args=[mine.pk])).status_code == 200
    # A new page joins the user's own network's website; the same address may exist on another network's.
    client.post(reverse("families:page_new"), {"slug": theirs.slug, "position": 5, "title": "Ours too",
                                               "summary": "", "body": "Text"})
    assert Page.objects.get(slug=theirs.slug, network=mine.network).published_version is None  # a draft


# --- Training key messages -----------------------------------------------------------------------------------


@pytest.fixture
def messages(people: Personas, london: dict[str, User], nets: dict[str, Network]) -> dict[str, KeyMessage]:
    return {"eoe": training_services.key_message_save(message=None, text="Fenland warming", active=True, order=9,
                                                     by=people.nurse, network=nets["eoe"]),
            "ncel": training_services.key_message_save(message=None, text="Thames warming", active=True, order=9,
                                                      by=london["london_nurse"], network=nets["ncel"])}


@pytest.mark.parametrize("user_key, own, other", [
    ("eoe_nurse", "Fenland warming", "Thames warming"), ("eoe_lead", "Fenland warming", "Thames warming"),
    ("london_nurse", "Thames warming", "Fenland warming"), ("london_lead", "Thames warming", "Fenland warming")])
def test_each_network_reads_its_own_key_messages(messages: dict[str, KeyMessage], people: Personas,
                                                 london: dict[str, User], user_key: str, own: str,
                                                 other: str) -> None:
    user = {"eoe_nurse": people.nurse, "eoe_lead": people.lead, **london}[user_key]
    response = _client(user).get(reverse("training:key_messages"))
    assert response.status_code == 200
    listed = [m.text for m in response.context["messages_list"]]
    assert own in listed and other not in listed
    assert len(listed) == 7  # the six defaults of its own list and its own addition
    assert (response.context["form"] is not None) is user_key.endswith("nurse")  # leads read, nurses manage


def test_key_messages_are_managed_per_network(messages: dict[str, KeyMessage], people: Personas,
                                              london: dict[str, User], nets: dict[str, Network]) -> None:
    lana = _client(london["london_nurse"])
    assert lana.get(reverse("training:key_message_edit", args=[messages["eoe"].pk])).status_code == 404
    assert lana.post(reverse("training:key_message_edit", args=[messages["eoe"].pk]),
                     {"text": "Hijacked", "order": 1, "active": "on"}).status_code == 404
    assert KeyMessage.objects.get(pk=messages["eoe"].pk).text == "Fenland warming"
    # The same words on another network's list are that network's own message.
    assert lana.post(reverse("training:key_messages"), {"text": "Fenland warming", "order": 3,
                                                        "active": "on"}).status_code == 302
    assert KeyMessage.objects.get(text="Fenland warming", network=nets["ncel"])
    assert lana.post(reverse("training:key_messages"), {"text": "thames WARMING", "order": 3,
                                                        "active": "on"}).status_code == 200  # a clash on its own
    assert _client(people.lead).post(reverse("training:key_messages"), {"text": "x"}).status_code == 403


def test_a_session_covers_its_units_networks_messages(messages: dict[str, KeyMessage], people: Personas,
                                                      london: dict[str, User]) -> None:
    form = _client(london["london_nurse"]).get(reverse("training:session_create")).context["form"]
    offered = {m.text for m in form.fields["key_messages"].queryset}
    assert "Thames warming" in offered and "Fenland warming" not in offered
    values = training_services.SessionValues(date=timezone.localdate(), trainer="T", format="teaching",
                                             headcounts={"nurse": 3}, key_messages=[messages["eoe"]])
    with pytest.raises(ValidationError, match="Fenland warming"):
        training_services.session_record(unit=Unit.objects.get(ods_code="RRV03"), values=values, by=people.admin_user)
    rows = {row.unit.ods_code: row for row in coverage_rows(timezone.localdate(),
                                                             Unit.objects.filter(ods_code__in=["RGT01", "RRV03"]))}
    assert "Thames warming" in rows["RRV03"].refresher.messages
    assert "Fenland warming" not in rows["RRV03"].refresher.messages
    assert "Fenland warming" in rows["RGT01"].refresher.messages


# --- The export log ------------------------------------------------------------------------------------------


@pytest.fixture
def exports(people: Personas, london: dict[str, User]) -> dict[str, ExportRecord]:
    made = {
        "eoe_report": report_services.export_record(by=people.lead, kind=ExportRecord.Kind.REPORT_PDF,
                                                    what="Fenland board report", scope="EoE", rows=3),
        "ldn_report": report_services.export_record(by=london["london_lead"], kind=ExportRecord.Kind.REPORT_PDF,
                                                    what="Thames board report", scope="NCEL", rows=3),
        "email": report_services.export_record(by=None, kind=ExportRecord.Kind.MONTHLY_EMAIL,
                                               what="Monthly email", scope="EoE", rows=3),
    }
    csv_io.record_export(by=london["london_nurse"], rows=2, identifiable=False)  # pathway's door: the signal
    made["ldn_cases"] = ExportRecord.objects.get(kind=ExportRecord.Kind.CASES_CSV, by=london["london_nurse"])
    csv_io.record_export(by=people.nurse, rows=2, identifiable=True, reason="Audit")
    made["eoe_cases"] = ExportRecord.objects.get(kind=ExportRecord.Kind.CASES_CSV, by=people.nurse)
    return made


EXPORT_LOG = {
    "eoe_lead": {"eoe_report", "email", "eoe_cases"},
    "eoe_admin": {"eoe_report", "email", "eoe_cases"},
    "london_lead": {"ldn_report", "ldn_cases"},
    "regional": {"ldn_report", "ldn_cases"},  # its region (London), read only
}


@pytest.mark.parametrize("user_key", sorted(EXPORT_LOG))
def test_the_export_log_shows_only_the_users_networks_exports(exports: dict[str, ExportRecord], people: Personas,
                                                              london: dict[str, User], user_key: str) -> None:
    user = {"eoe_lead": people.lead, "eoe_admin": people.admin_user, **london}[user_key]
    response = _client(user).get(reverse("reporting:exports"))
    assert response.status_code == 200
    shown = {record.pk for record in response.context["page"]}
    assert shown == {exports[key].pk for key in EXPORT_LOG[user_key]}
    page = response.content.decode()
    hidden = {"eoe": "Fenland board report", "ldn": "Thames board report"}
    for key, words in hidden.items():
        assert (words in page) is (f"{key}_report" in EXPORT_LOG[user_key])


def test_roles_without_the_export_log_are_refused(exports: dict[str, ExportRecord], people: Personas,
                                                  london: dict[str, User]) -> None:
    for user in (people.nurse, london["london_nurse"], people.clinician):
        assert _client(user).get(reverse("reporting:exports")).status_code == 403


# --- Where sign-in lands -------------------------------------------------------------------------------------


@pytest.mark.parametrize("user_key, lands", [("regional", "/kpis/"), ("london_nurse", "/cases/"),
                                             ("london_lead", "/cases/"), ("eoe_nurse", "/cases/")])
def test_sign_in_lands_the_regional_lead_on_the_kpi_dashboard(people: Personas, london: dict[str, User],
                                                              user_key: str, lands: str) -> None:
    user = {"eoe_nurse": people.nurse, **london}[user_key]
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == lands
    assert client.get("/")["Location"] == lands  # the site's root address lands the same way
    assert Client().get("/")["Location"].startswith(reverse("login"))
