"""End to end in Debian's Chromium: the whole journey's screens (issue 14).

- A radiologist records the structured MRI of a case of her unit, and is offered no other part of the case.
- PaNDR's transport team records the call's decision and its own times on the case it moved, sees the
  intervals, and is offered nothing else; a case it did not move is not there for it.
- A nurse specialist's view of a case with every v2 part filled, section by section, at 1366 and 768 px.

Screenshots (each section, both widths) go to test-results/journey/ (git-ignored).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas, with_section_roles
from core.timeutil import LONDON
from pathway import services
from pathway.models import Case
from tests.browser.signin import sign_in
from units.models import Unit

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "journey"
WIDTHS = (1366, 768)
BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
SECTIONS = ("birth", "referral", "first-days", "mri", "discharge", "follow-up")


@pytest.fixture
def section_people(transactional_db: Any, people: Personas) -> Personas:
    return with_section_roles(people)


def _choose(page: Any, group: str, option: str) -> None:
    page.get_by_role("group", name=group, exact=True).get_by_label(option, exact=True).check()


def _moved_case(people: Personas, **overrides: Any) -> Case:
    """Born at Watford, cooled at Addenbrooke's, moved by PaNDR, scanned on day 7."""
    pandr = Unit.objects.get(ods_code="RGT-PANDR")
    return services.case_create(values=cooled_case_values(
        case_ref="EOE-2024-0153", birth=BIRTH, transport_service=pandr, mri_datetime=BIRTH + timedelta(days=7),
        **overrides), by=people.nurse)


def _offered_sections(page: Page) -> set[str]:
    return {slug for slug in SECTIONS if page.locator(f"#section-{slug} details").count()}


def _shots(page: Page, name: str, sections: tuple[str, ...] = SECTIONS) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
        for slug in sections:
            section = page.locator(f"#section-{slug}")
            section.scroll_into_view_if_needed()
            section.screenshot(path=str(ARTEFACTS / f"{name}-{slug}-{width}.png"))
        # Nothing of the case wider than the window (the site header's links are the header's own affair).
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className)""")
        assert wide == [], (name, width, wide)


def _form_shots(page: Page, name: str, slug: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(f"#section-{slug}").screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_radiologist_records_the_mri_and_nothing_else(live_server: Any, page: Page, section_people: Personas) -> None:
    people = section_people
    case = _moved_case(people)
    sign_in(page, live_server.url, "rita")
    page.get_by_role("link", name="EOE-2024-0153").click()

    expect(page.get_by_text("your role changes only MRI")).to_be_visible()
    assert _offered_sections(page) == {"mri"}
    expect(page.get_by_role("link", name="Mark as entered in error")).to_have_count(0)

    mri = page.locator("#section-mri")
    mri.get_by_text("Change MRI").click()
    for sequence in ("T1", "T2", "Diffusion (DWI)", "Spectroscopy (MRS)"):
        mri.get_by_label(sequence, exact=True).check()
    _choose(mri, "MRI scoring system", "NICHD NRN")
    mri.get_by_label("MRI score").fill("2A")
    _choose(mri, "MRI injury pattern", "Basal ganglia and thalamus")
    mri.get_by_label("Thalamic Lac/NAA ratio").fill("0.45")
    mri.get_by_label("MRI reported by").fill("Dr R Radiologist")
    _form_shots(page, "radiologist-form", "mri")
    mri.get_by_role("button", name="Save MRI").click()
    expect(page.locator("#section-mri").get_by_text("Saved at")).to_be_visible()
    expect(page.locator("#section-mri")).to_contain_text("T1, T2, Diffusion (DWI), Spectroscopy (MRS)")

    case.refresh_from_db()
    assert case.mri_sequences == ["t1", "t2", "dwi", "mrs"]
    assert (case.mri_score_value, case.mri_injury_pattern, case.mri_mrs_lactate_naa) == (
        "2A", "basal_ganglia_thalamus", Decimal("0.45"))
    assert case.updated_by == people.radiologist
    page.reload()
    _shots(page, "radiologist", ("mri",))


def test_transport_team_records_its_times_and_nothing_else(live_server: Any, page: Page,
                                                           section_people: Personas) -> None:
    people = section_people
    case = _moved_case(people)
    services.case_create(values=cooled_case_values(case_ref="EOE-2024-0200", birth_unit="RDE03", centre="RM102"),
                         by=people.nurse)
    sign_in(page, live_server.url, "tom")
    expect(page.get_by_role("link", name="EOE-2024-0200")).to_have_count(0)  # not moved by PaNDR
    page.get_by_role("link", name="EOE-2024-0153").click()

    assert _offered_sections(page) == {"referral"}
    referral = page.locator("#section-referral")
    referral.get_by_text("Change referral and transport").click()
    _choose(referral, "Decision on the referral call", "Cool")
    referral.get_by_label("Transport team mobilised").fill("14/05/2024 04:45")
    referral.get_by_label("Transport team at the bedside").fill("14/05/2024 05:30")
    referral.get_by_label("Time of leaving the referring unit").fill("14/05/2024 06:10")
    _form_shots(page, "transport-form", "referral")
    referral.get_by_role("button", name="Save referral and transport").click()
    section = page.locator("#section-referral")
    expect(section.get_by_text("Saved at")).to_be_visible()
    # Referral 04:30 → mobilised 04:45 → bedside 05:30 → departed 06:10 → arrived 07:10.
    expect(section.get_by_role("row", name=re.compile("Referral call to team mobilised"))).to_contain_text("0 h 15 min")
    expect(section.get_by_role("row", name=re.compile("At the bedside to departure"))).to_contain_text("0 h 40 min")

    case.refresh_from_db()
    assert case.referral_decision == "cool"
    assert case.transport_team_arrived_datetime == datetime(2024, 5, 14, 5, 30, tzinfo=LONDON)
    assert case.updated_by == people.transport
    page.reload()
    _shots(page, "transport", ("referral",))


def _every_v2_part(people: Personas) -> Case:
    at = lambda minutes: BIRTH + timedelta(minutes=minutes)  # noqa: E731
    return _moved_case(
        people, mode_of_delivery="emergency_caesarean", sentinel_event="placental_abruption",
        encephalopathy_exam_datetime=at(60), seizures="both", anticonvulsant_count=2, ventilation="invasive",
        referral_decision="cool", transport_team_mobilised_datetime=at(95), transport_team_arrived_datetime=at(140),
        mri_sequences=["t1", "t2", "dwi", "mrs", "swi"], mri_score_system="nichd_nrn", mri_score_value="2A",
        mri_injury_pattern="basal_ganglia_thalamus", mri_mrs_lactate_naa=Decimal("0.62"),
        mri_reported_by="Dr A Okafor", mri2_datetime=at(40 * 24 * 60), mri2_injury_pattern="basal_ganglia_thalamus",
        outcome="alive", discharge_datetime=at(14 * 24 * 60), discharge_destination="local_unit",
        placenta_histology="chorioamnionitis", mnsi_reference="MI-034567", ens_notified_date=date(2024, 5, 20),
        followup_2y="completed", followup_2y_date=date(2026, 5, 20), followup_corrected_age_months=24,
        bayley_version="iii", bayley_cognitive=78, bayley_language=82, bayley_motor=64,
        cerebral_palsy="bilateral_spastic", gmfcs_level=2, vision="normal", hearing="aided", epilepsy="no")


def test_every_v2_part_reads_well_at_both_widths(live_server: Any, page: Page, section_people: Personas) -> None:
    case = _every_v2_part(section_people)
    sign_in(page, live_server.url, "nina")
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    follow_up = page.locator("#section-follow-up")
    expect(follow_up.get_by_role("heading", name="Disability at two years: Moderate disability")).to_be_visible()
    expect(follow_up).to_contain_text("Bayley cognitive composite 78 is 70–84")
    expect(follow_up).to_contain_text("GMFCS level 2")
    expect(follow_up).to_contain_text("Hearing aided")
    bedside = page.locator("#section-referral").get_by_role("row", name=re.compile("Referral call to team at the"))
    expect(bedside).to_contain_text("1 h 00 min")
    _shots(page, "nurse-every-part")

    page.get_by_role("link", name="Timeline and temperatures").click()
    expect(page.get_by_text("Transport team mobilised").first).to_be_visible()
    expect(page.get_by_text("Transport team at the bedside").first).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTEFACTS / f"timeline-{width}.png"), full_page=True)
