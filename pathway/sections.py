"""The case record as the nurse enters it: six sections, each saved on its own (save as you go).

Every dataset field (pathway.dataset.FIELDS) belongs to exactly one section, in the order a case unfolds:
birth and eligibility first, follow-up at two years last. A section is also what one form, one URL
(`pathway:case_section`) and one partial template cover, so adding a field means adding it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, Model
from django.utils.text import capfirst

from core.templatetags.localtime import local_date, local_datetime
from pathway.models import Case


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]
    # Shown but not typed in: the values come from another record (`read_only_note` says which).
    read_only_note: str = ""

    @property
    def editable(self) -> bool:
        return not self.read_only_note

    @property
    def in_sentence(self) -> str:
        """The title inside a sentence: "Change referral and transfer", but "Change MRI and discharge"."""
        return self.title if self.title[1:2].isupper() else self.title[:1].lower() + self.title[1:]


SECTIONS: tuple[Section, ...] = (
    Section("birth", "Birth and eligibility", (
        "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days",
        "birth_weight_g", "multiple_birth", "birth_unit", "labour", "postnatal_collapse_datetime", "apgar_10",
        "resus_at_10min", "lowest_ph_60min", "base_deficit_60min", "hie_grade", "aeeg",
        "therapeutic_hypothermia", "cooling_centre",
    )),
    Section("referral", "Referral and transfer", (
        "referral_datetime", "core_monitoring_start", "passive_cooling_start", "transport_cooling",
        "depart_referring_datetime", "arrive_centre_datetime", "lowest_temp_before_arrival_c", "arrival_temp_c",
    )),
    Section("cooling", "Cooling", (
        "active_cooling_start", "target_temp_reached", "rewarming_start", "rewarming_end", "early_stop_reason",
    )),
    Section("mri-discharge", "MRI and discharge", (
        "mri_performed", "mri_datetime", "parent_consultation_datetime", "placenta_sent", "mnsi_referred",
        "outcome", "death_datetime", "discharge_datetime",
    )),
    # The family support log (families/) is the source of truth for the booklet; it updates this field.
    Section("family", "Family support", ("family_booklet_given",),
            read_only_note="Recorded from the family support log below."),
    Section("follow-up", "Follow-up at 2 years", ("followup_2y", "followup_2y_date")),
)

BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}
SECTION_OF_FIELD: dict[str, Section] = {field: s for s in SECTIONS for field in s.fields}
NOT_RECORDED = "Not recorded"


def field_label(field: str) -> str:
    """The field as a clinician writes it at the start of a line: "Time of death", "aEEG", "HIE grade"."""
    return sentence_start(str(Case._meta.get_field(field).verbose_name))


def sentence_start(text: str) -> str:
    """Capitalised for the start of a line, except an abbreviation written in mixed case ("aEEG", not "AEEG")."""
    return text if text[1:2].isupper() else capfirst(text)


def display(case: Case, field: str) -> str:
    """A saved value as the summary list shows it: choice labels, unit names, UK local times."""
    model_field = Case._meta.get_field(field)
    value = getattr(case, f"{field}_id") if model_field.is_relation else getattr(case, field)
    if value is None or value == "":
        return NOT_RECORDED
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
    model_field = model._meta.get_field(field)
    if isinstance(model_field, DateTimeField):
        # Audit rows written before the one UK format held ISO 8601 with the offset: shown as UK time too.
        try:
            return local_datetime(datetime.fromisoformat(text))
        except ValueError:
            return text
    if model_field.choices:
        try:
            return str(dict(model_field.flatchoices).get(model_field.to_python(text), text))
        except ValidationError:
            return text
    return text


def summary_rows(case: Case, section: Section) -> list[tuple[str, str]]:
    """(label, shown value) for each field of the section: the read-only view of a saved section."""
    return [(field_label(field), display(case, field)) for field in section.fields]
