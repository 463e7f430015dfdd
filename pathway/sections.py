"""The case record as the nurse enters it: six sections, each saved on its own (save as you go).

Every dataset field (pathway.dataset.FIELDS) belongs to exactly one section, in the order a case unfolds:
birth and eligibility first, follow-up at two years last. A section is also what one form, one URL
(`pathway:case_section`) and one partial template cover, so adding a field means adding it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, Model
from django.utils.text import capfirst

from core.fields import concrete_field
from core.templatetags.localtime import local_date, local_datetime
from pathway.models import Case


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]
    # Shown but not typed in: the values come from another record (`read_only_note` says which).
    read_only_note: str = ""
    # A partial shown under the saved values: what is derived from them (intervals, a classification).
    extra: str = ""

    @property
    def editable(self) -> bool:
        return not self.read_only_note

    @property
    def in_sentence(self) -> str:
        """The title inside a sentence ("Save referral and transport"), keeping an acronym ("Save MRI")."""
        return self.title if self.title[:2].isupper() else self.title[0].lower() + self.title[1:]


SECTIONS: tuple[Section, ...] = (
    Section("birth", "Birth and eligibility", (
        "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days",
        "birth_weight_g", "multiple_birth", "birth_unit", "labour", "mode_of_delivery", "sentinel_event",
        "postnatal_collapse_datetime", "apgar_10", "resus_at_10min", "lowest_ph_60min", "base_deficit_60min",
        "hie_grade", "encephalopathy_exam_datetime", "aeeg", "therapeutic_hypothermia", "cooling_centre",
    )),
    # Every referral, cooled or not: the call, its advice, then the transport team's times in order.
    Section("referral", "Referral and transport", (
        "referral_datetime", "referral_decision", "not_cooled_reason", "passive_cooling_start",
        "core_monitoring_start", "transport_service", "transport_team_mobilised_datetime",
        "transport_team_arrived_datetime", "transport_cooling", "depart_referring_datetime", "arrive_centre_datetime",
        "lowest_temp_before_arrival_c", "arrival_temp_c",
    ), extra="pathway/partials/transport_intervals.html"),
    Section("cooling", "Cooling", (
        "active_cooling_start", "target_temp_reached", "rewarming_start", "rewarming_end", "early_stop_reason",
    )),
    Section("first-days", "First days: seizures and support", ("seizures", "anticonvulsant_count", "ventilation")),
    Section("mri", "MRI", (
        "mri_performed", "mri_datetime", "mri_sequences", "mri_score_system", "mri_score_value",
        "mri_injury_pattern", "mri_mrs_lactate_naa", "mri_reported_by", "mri2_datetime", "mri2_injury_pattern",
    )),
    Section("discharge", "Discharge, safety and placenta", (
        "parent_consultation_datetime", "placenta_sent", "placenta_histology", "mnsi_referred", "mnsi_reference",
        "ens_notified_date", "outcome", "death_datetime", "discharge_datetime", "discharge_destination",
    )),
    # The family support log (families/) is the source of truth for the booklet; it updates this field.
    Section("family", "Family support", ("family_booklet_given",),
            read_only_note="Recorded from the family support log below."),
    Section("follow-up", "Follow-up at 2 years", (
        "followup_2y", "followup_2y_date", "followup_corrected_age_months", "bayley_version", "bayley_cognitive",
        "bayley_language", "bayley_motor", "cerebral_palsy", "gmfcs_level", "vision", "hearing", "epilepsy",
    ), extra="pathway/partials/disability.html"),
    # Dataset v2: "yes" keeps the case in direct care only (left out of exports, the API and every report).
    Section("opt-out", "National data opt-out", ("national_opt_out",)),
)

BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}
SECTION_OF_FIELD: dict[str, Section] = {field: s for s in SECTIONS for field in s.fields}
NOT_RECORDED = "Not recorded"


def field_label(field: str) -> str:
    """The field as a clinician writes it at the start of a line: "Time of death", "aEEG", "HIE grade"."""
    return sentence_start(str(concrete_field(Case, field).verbose_name))


def sentence_start(text: str) -> str:
    """Capitalised for the start of a line, except an abbreviation written in mixed case ("aEEG", not "AEEG")."""
    return text if text[1:2].isupper() else capfirst(text)


def display(case: Case, field: str) -> str:
    """A saved value as the summary list shows it: choice labels, unit names, UK local times."""
    model_field = concrete_field(Case, field)
    value = getattr(case, f"{field}_id") if model_field.is_relation else getattr(case, field)
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if isinstance(model_field, ArrayField):
        return _labels_of(model_field, value)
    if model_field.is_relation:
        return str(getattr(case, field))
    if model_field.choices:
        return str(getattr(case, f"get_{field}_display")())
    if isinstance(value, datetime):
        return local_datetime(value)
    if isinstance(value, date):
        return local_date(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def history_display(field: str, text: str, model: type[Model] = Case) -> str:
    """An audit value (`core.audit.display` text) of a case's field (or another record's, `model`) as people
    read it: UK local time, choice labels."""
    if text == "":
        return NOT_RECORDED
    model_field = concrete_field(model, field)
    if isinstance(model_field, DateTimeField):
        # Audit rows written before the one UK format held ISO 8601 with the offset: shown as UK time too.
        try:
            return local_datetime(datetime.fromisoformat(text))
        except ValueError:
            return text
    if isinstance(model_field, ArrayField):  # the audit writes a list as "t1, t2, dwi"
        return _labels_of(model_field, [item.strip() for item in text.split(",")])
    if model_field.choices:
        try:
            return str(dict(model_field.flatchoices).get(model_field.to_python(text), text))
        except ValidationError:
            return text
    return text


def _labels_of(model_field: ArrayField[Any, Any], values: list[str]) -> str:
    labels = dict(model_field.base_field.flatchoices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def extra_context(case: Case, section: Section) -> dict[str, Any]:
    """What a section's `extra` partial shows, derived from the saved case."""
    # Imported here: both modules read the case model, and the derived views are only needed on a page.
    from pathway import disability, timeline

    if section.slug == "referral":
        return {"intervals": timeline.transport_intervals(case)}
    if section.slug == "follow-up":
        return {"disability": disability.classify(case)}
    return {}


def summary_rows(case: Case, section: Section) -> list[tuple[str, str]]:
    """(label, shown value) for each field of the section: the read-only view of a saved section."""
    return [(field_label(field), display(case, field)) for field in section.fields]
