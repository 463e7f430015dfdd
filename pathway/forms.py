"""Case screens' forms: one ModelForm per section (save as you go), the case-list filters and the
entered-in-error confirmation.

A section form checks its own fields (model validators) and then the cross-field rules of the whole
record (`pathway.rules`), with the section's new values merged into the case as saved, so a nurse hears
about "rewarming end before rewarming start" while typing the cooling section. `services.case_update`
checks everything again inside the transaction; the form is for good messages, the service for safety.
The list filters, the entered-in-error form and where service errors land are shared with the POP screens
(`pop.forms` subclasses `RecordFilterForm` and `RecordEnteredInErrorForm` and calls `place_service_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from typing import Any, ClassVar, Generic, TypeVar, cast

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet

from core.forms import DATETIME_HINT, LocalDateTimeField, UKDateField
from pathway import choices as c
from pathway import rules, services
from pathway.access import can
from pathway.dataset import FIELDS
from pathway.models import BabyRecordQuerySet, Case, CaseQuerySet
from pathway.sections import SECTION_OF_FIELD, SECTIONS, Section, field_label, sentence_start
from pathway.standards import COOLING_HOURS, NORMOTHERMIA_LOW_C, target_range_text
from units.access import (
    ROLE_ACTIONS,
    Action,
    UserLike,
    every_network,
    memberships,
    network_ids_for,
    transport_unit_ids,
    units_for,
)
from units.models import Designation, Unit

NOT_RECORDED = "Not recorded"
RecordsT = TypeVar("RecordsT", bound=BabyRecordQuerySet)

HINTS: dict[str, str] = {
    "case_ref": "The network reference for this baby, e.g. EOE-2024-0153",
    "nhs_number": "10 digits, if known",
    "gestation_weeks": "Completed weeks, 22 to 44",
    "gestation_days": "0 to 6",
    "birth_weight_g": "In grams, 400 to 6500",
    "postnatal_collapse_datetime": f"Only if the baby collapsed after birth: it becomes time zero. {DATETIME_HINT}",
    "apgar_10": "0 to 10",
    "lowest_ph_60min": "Cord or baby, 6.50 to 7.60",
    "base_deficit_60min": "mmol/L, 0 to 35",
    "cooling_centre": "Required when the baby is cooled",
    "referral_datetime": f"First call to the cooling centre or transport service. {DATETIME_HINT}",
    "core_monitoring_start": f"Continuous rectal or oesophageal probe. {DATETIME_HINT}",
    "lowest_temp_before_arrival_c": "°C, one decimal place, e.g. 33.4",
    "arrival_temp_c": "°C, one decimal place, e.g. 33.6",
    "target_temp_reached": f"First core temperature of {target_range_text()}. {DATETIME_HINT}",
    "rewarming_end": f"Core temperature back to {NORMOTHERMIA_LOW_C} °C or more. {DATETIME_HINT}",
    "early_stop_reason": f"Only if cooling stopped before {COOLING_HOURS} hours",
    "mri_datetime": f"Required when an MRI was performed. {DATETIME_HINT}",
    "death_datetime": f"Required when the baby died. {DATETIME_HINT}",
    "followup_2y_date": "Required when the follow-up was completed, e.g. 14/05/2026",
    # v2
    "sentinel_event": "The event around birth that explains the injury, if any",
    "encephalopathy_exam_datetime": f"The examination that gave the HIE grade. {DATETIME_HINT}",
    "seizures": "In the first 7 days",
    "anticonvulsant_count": "Different anticonvulsant drugs given in the first 7 days, 0 to 6",
    "ventilation": "Highest support during cooling",
    "referral_decision": "The cooling centre's advice on the referral call",
    "not_cooled_reason": "Required when the baby was referred and not cooled",
    "transport_service": "The team that moved the baby",
    "transport_team_mobilised_datetime": f"The team left its base for this baby. {DATETIME_HINT}",
    "transport_team_arrived_datetime": f"At the baby's bedside at the referring unit. {DATETIME_HINT}",
    "mri_sequences": "First scan. The standard protocol is T1, T2, diffusion and spectroscopy",
    "mri_score_value": "As the scoring system writes it, e.g. 2A (NICHD NRN) or 11 (Weeke)",
    "mri_injury_pattern": "Predominant pattern on the first scan",
    "mri_mrs_lactate_naa": "Thalamic lactate/NAA peak-area ratio, 0.00 to 5.00",
    "mri_reported_by": "The reporting radiologist",
    "mri2_datetime": f"Only if a second scan was done. {DATETIME_HINT}",
    "discharge_destination": "'Not applicable' exactly when the baby died",
    "placenta_histology": "Only when the placenta was sent",
    "mnsi_reference": "Only when referred to MNSI",
    "ens_notified_date": "NHS Resolution Early Notification, e.g. 20/05/2024",
    "followup_corrected_age_months": "Required when the follow-up was completed: 18 to 42 months",
    "bayley_cognitive": "Composite score, 40 to 160",
    "bayley_language": "Composite score, 40 to 160",
    "bayley_motor": "Composite score, 40 to 160",
    "gmfcs_level": "1 to 5; required with a type of cerebral palsy",
    "epilepsy": "Seizures continuing or on treatment at the assessment",
}

# NHS.UK inputs are sized to the answer they expect (a pH is 4 characters, not a full-width line).
WIDTHS: dict[str, int] = {
    "case_ref": 20, "nhs_number": 10, "gestation_weeks": 2, "gestation_days": 2, "birth_weight_g": 4,
    "apgar_10": 2, "lowest_ph_60min": 4, "base_deficit_60min": 4, "lowest_temp_before_arrival_c": 4,
    "arrival_temp_c": 4, "anticonvulsant_count": 2, "mri_score_value": 5, "mri_mrs_lactate_naa": 4,
    "mri_reported_by": 20, "mnsi_reference": 10, "followup_corrected_age_months": 2, "bayley_cognitive": 3,
    "bayley_language": 3, "bayley_motor": 3, "gmfcs_level": 2,
}


# --- Which units a user may pick --------------------------------------------------------------------------


def editable_unit_ids(user: UserLike) -> set[int] | None:
    """None when a network-wide role lets the user edit every case of the deployment; else the units of their
    editing roles (a network-wide role's: every unit of its network)."""
    if every_network(user, network_ids_for(user, Action.EDIT)):
        return None
    return set(units_for(user, Action.EDIT).values_list("pk", flat=True))


def _editing_memberships_at_centres(user: UserLike) -> bool:
    return any(m.unit.is_cooling_centre and Action.EDIT in ROLE_ACTIONS[m.role] for m in memberships(user))


def birth_unit_choices(user: UserLike, current_id: int | None = None) -> QuerySet[Unit]:
    """Units a new case may be born at. A cooling centre's staff register babies referred in from any unit
    (the case is theirs through its cooling centre), so they choose from every unit; others from their own.
    The case's current unit stays selectable so an unrelated edit never fails on it."""
    units = Unit.objects.filter(active=True).exclude(designation=Designation.TRANSPORT)
    ids = editable_unit_ids(user)
    if ids is not None and not _editing_memberships_at_centres(user):
        units = units.filter(pk__in=ids)
    return Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=current_id))


def cooling_centre_choices(current_id: int | None = None) -> QuerySet[Unit]:
    return Unit.objects.filter(Q(active=True, is_cooling_centre=True) | Q(pk=current_id))


def visible_units(user: UserLike, cases: CaseQuerySet) -> QuerySet[Unit]:
    """Units worth offering as list filters: every unit for network-wide readers, else the user's own
    units and those of the cases they can see."""
    units = Unit.objects.exclude(designation=Designation.TRANSPORT)
    if every_network(user, network_ids_for(user, Action.LIST)):
        return units
    return units.filter(Q(pk__in=units_for(user, Action.LIST).values("pk"))
                        | Q(pk__in=cases.values("birth_unit_id"))
                        | Q(pk__in=cases.values("cooling_centre_id")))


# --- Section forms --------------------------------------------------------------------------------------


def _text_widget(name: str, numeric: str = "") -> forms.TextInput:
    width = WIDTHS.get(name)
    attrs = {"class": f"nhsuk-input nhsuk-input--width-{width}" if width else "nhsuk-input"}
    if numeric:
        # NHS.UK advice: text inputs with an input mode, not type=number (which mangles and scrolls values).
        attrs.update(inputmode=numeric, spellcheck="false")
    return forms.TextInput(attrs=attrs)


def _choice_field(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field:
    field = cast(forms.ChoiceField, model_field.formfield(widget=forms.RadioSelect, **kwargs))
    choices = cast("list[tuple[Any, str]]", field.choices)  # a model field's choices, as a list
    options = [(value, text) for value, text in choices if value not in ("", None)]
    # An optional answer can be cleared again: "Not recorded" goes last, after the real answers.
    field.choices = [*options, ("", NOT_RECORDED)] if not field.required else options
    return field


def _formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Form field for a Case field: typed UK times, radios for coded answers, sized text inputs."""
    name = model_field.name
    verbose = str(model_field.verbose_name)
    label = sentence_start(verbose)
    # Every required-field message names its field (NHS.UK error messages: say what to do).
    required = (f"Choose an answer for '{label}'" if model_field.choices
                else f"Choose the {verbose}" if model_field.is_relation else f"Enter the {verbose}")
    common: dict[str, Any] = {"required": not model_field.blank, "label": label,
                              "error_messages": {"required": required}}
    if name in HINTS:
        common["help_text"] = HINTS[name]
    if isinstance(model_field, models.DateTimeField):
        return LocalDateTimeField(**common)
    if isinstance(model_field, ArrayField):  # MRI sequences: tick each one done
        sequences = cast("list[tuple[str, str]]", model_field.base_field.choices)
        return SequencesFormField(choices=sequences, widget=forms.CheckboxSelectMultiple, **common)
    if isinstance(model_field, models.DateField):
        return UKDateField(**common)
    if model_field.is_relation:
        return model_field.formfield(**kwargs, **common,
                                     empty_label="Choose a unit" if common["required"] else NOT_RECORDED)
    if model_field.choices:
        return _choice_field(model_field, **kwargs, **common)
    numeric = {models.DecimalField: "decimal", models.PositiveIntegerField: "numeric",
               models.PositiveSmallIntegerField: "numeric"}.get(type(model_field), "")
    return model_field.formfield(**kwargs, **common, widget=_text_widget(name, numeric))


class SequencesFormField(forms.MultipleChoiceField):
    """A set of codes, kept in the dataset's order (t1, t2, dwi, mrs, swi) whatever order they arrive in."""

    def clean(self, value: Any) -> list[str]:
        return c.ordered_sequences(super().clean(value))


class CaseSectionForm(forms.ModelForm):
    """One section of a case. With `case`, it edits that case and carries the version it was read at;
    without, it is the new-case form (the birth section)."""

    section: ClassVar[Section]

    def __init__(self, data: Any = None, *, user: UserLike, case: Case | None = None) -> None:
        self.user = user
        self.case = case
        # The form works on a copy: a refused save must not leave typed values on the page's case.
        super().__init__(data, instance=copy(case) if case else Case(), auto_id=f"{self.section.slug}-%s")
        if case is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=case.version,
                error_messages={"required": "Reload the case and enter your changes again",
                                "invalid": "Reload the case and enter your changes again"})
        self._limit_units()

    def _limit_units(self) -> None:
        if "birth_unit" in self.fields:
            current = self.case.birth_unit_id if self.case else None
            self.fields["birth_unit"].queryset = birth_unit_choices(self.user, current)  # type: ignore[attr-defined]
        if "cooling_centre" in self.fields:
            current = self.case.cooling_centre_id if self.case else None
            self.fields["cooling_centre"].queryset = cooling_centre_choices(current)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The section's values for `services.case_create` / `case_update`."""
        return {field: self.cleaned_data[field] for field in self.section.fields}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returned
        if self.case is not None and self.case.entered_in_error:
            raise ValidationError("This case was marked as entered in error: it can no longer be changed")
        values = self._merged(cleaned)
        for violation in rules.hard_violations(values):
            self._add_violation(violation)
        self._followup_age(cleaned)
        self._check_unit_scope(values)
        self._check_transport_scope(cleaned)
        return cleaned

    def _check_transport_scope(self, cleaned: dict[str, Any]) -> None:
        """A transport team reaches a case through the service that moved the baby: it may not hand the
        case to another service (it would lose it)."""
        if "transport_service" not in self.fields or self.case is None or self.has_error("transport_service"):
            return
        own = transport_unit_ids(self.user, Action.VIEW)
        if not own or can(self.user, self.case, Action.EDIT):
            return
        chosen = cleaned.get("transport_service")
        if chosen is None or chosen.pk not in own:
            self.add_error("transport_service", "Your team can only record the transfers it made: keep your "
                                                "service as the transport service")

    def _merged(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        values = services.case_values(self.case) if self.case else dict.fromkeys(FIELDS)
        # A field that failed its own check counts as empty, so the rules do not judge its old value.
        values.update({field: cleaned.get(field) for field in self.section.fields})
        return values

    def _followup_age(self, cleaned: dict[str, Any]) -> None:
        """Where the follow-up is recorded, a completed assessment needs its corrected age (dataset.md v2);
        `rules` leaves follow-ups completed before v2 valid elsewhere."""
        field = "followup_corrected_age_months"
        if (field in self.fields and not self.has_error(field) and cleaned.get(field) is None
                and cleaned.get("followup_2y") == c.FollowUp.COMPLETED):
            self.add_error(field, rules.followup_age_missing().message)

    def _add_violation(self, violation: rules.Violation) -> None:
        if violation.field in self.fields:
            if not self.has_error(violation.field):  # its own message already says what to fix
                self.add_error(violation.field, violation.message)
            return
        section = SECTION_OF_FIELD[violation.field]
        self.add_error(None, f"{field_label(violation.field)} ({section.title}): {violation.message}")

    def _check_unit_scope(self, values: dict[str, Any]) -> None:
        """A user may only create (or keep) a case they are allowed to edit: born or cooled at their unit."""
        ids = editable_unit_ids(self.user)
        if ids is None or "birth_unit" not in self.fields or self.has_error("birth_unit"):
            return
        chosen = {getattr(values.get(field), "pk", None) for field in ("birth_unit", "cooling_centre")}
        if not chosen & ids:
            names = ", ".join(sorted(m.unit.short_name for m in memberships(self.user)
                                     if Action.EDIT in ROLE_ACTIONS[m.role]))
            self.add_error("birth_unit", f"You can only record babies born or cooled at your unit ({names}): "
                                         "choose that unit as the birth unit or cooling centre")

    def validate_constraints(self) -> None:
        """Skip Django's generic message for the conditional NHS-number constraint ("Constraint … is
        violated"): the service names the field instead."""


def _section_form(section: Section) -> type[CaseSectionForm]:
    # Django lets the callback return None (no form field); the stubs want a field every time.
    form_class = cast(type[CaseSectionForm], forms.modelform_factory(
        Case, form=CaseSectionForm, fields=list(section.fields), formfield_callback=_formfield))  # type: ignore[arg-type]
    form_class.section = section
    return form_class


SECTION_FORMS: dict[str, type[CaseSectionForm]] = {s.slug: _section_form(s) for s in SECTIONS if s.editable}
NewCaseForm = SECTION_FORMS["birth"]


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what the service refused beside the field it names, or above the form naming the field."""
    place_service_errors(form, error, above=_above_the_section_form)


def _above_the_section_form(field: str, message: str) -> str:
    if field in SECTION_OF_FIELD:
        return f"{field_label(field)} ({SECTION_OF_FIELD[field].title}): {message}"
    return message


def place_service_errors(form: forms.BaseForm, error: ValidationError, *,
                         above: Callable[[str, str], str]) -> None:
    """Put what a service refused beside the field it names when the form has that field; otherwise above the
    form, worded by `above(field, message)` (each record's forms name a field elsewhere in their own way)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            if field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, above(field, message))


# --- Record list filters (HIE cases here; POP records in pop.forms) ------------------------------------------

ANY_YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "nhsuk-select"})


class RecordFilterForm(forms.Form, Generic[RecordsT]):
    """The filters every record list has (HIE cases, POP records): search, birth unit, year of birth and whether
    records entered in error are shown. An invalid value is ignored rather than failing the list."""

    q = forms.CharField(label="Case reference or NHS number", required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search", "class": "nhsuk-input nhsuk-input--width-20"}))
    birth_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, empty_label="Any",
                                        widget=_select())
    year = forms.TypedChoiceField(label="Year of birth", coerce=int, empty_value=None, required=False,
                                  widget=_select())
    include_error = forms.BooleanField(label="Include records entered in error", required=False)

    def __init__(self, data: Any, *, units: QuerySet[Unit], records: BabyRecordQuerySet) -> None:
        super().__init__(data, auto_id="filter-%s")
        self.fields["birth_unit"].queryset = units  # type: ignore[attr-defined]
        years = records.datetimes("birth_datetime", "year", order="DESC")
        self.fields["year"].choices = [("", "Any"), *((y.year, str(y.year)) for y in years)]  # type: ignore[attr-defined]

    def filter(self, records: RecordsT) -> RecordsT:
        """The records matching the valid filters this form shares."""
        self.is_valid()
        data = self.cleaned_data
        if not data.get("include_error"):
            records = records.current()
        records = records.search(data.get("q") or "")
        if data.get("birth_unit"):
            records = records.filter(birth_unit=data["birth_unit"])
        if data.get("year") is not None:
            records = records.born_in_year(data["year"])
        return records


class CaseFilterForm(RecordFilterForm[CaseQuerySet]):
    cooling_centre = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, empty_label="Any",
                                            widget=_select())
    stage = forms.ChoiceField(choices=[("", "Any"), *c.Stage.choices], required=False, widget=_select())
    flagged = forms.ChoiceField(label="Data-quality warnings", choices=ANY_YES_NO, required=False, widget=_select())
    cooled = forms.ChoiceField(label="Cooled", choices=ANY_YES_NO, required=False, widget=_select())
    include_error = forms.BooleanField(label="Include cases entered in error", required=False)
    field_order = ("q", "birth_unit", "cooling_centre", "year", "stage", "flagged", "cooled", "include_error")

    def __init__(self, data: Any, *, user: UserLike, cases: CaseQuerySet) -> None:
        units = visible_units(user, cases)
        super().__init__(data, units=units, records=cases)
        self.fields["cooling_centre"].queryset = units.filter(is_cooling_centre=True)  # type: ignore[attr-defined]

    def filter(self, cases: CaseQuerySet) -> CaseQuerySet:
        """The cases matching the valid filters (an invalid value is ignored rather than failing the list)."""
        cases = super().filter(cases)
        for field in ("cooling_centre", "stage"):
            if self.cleaned_data.get(field):
                cases = cases.filter(**{field: self.cleaned_data[field]})
        cases = _yes_no(cases, self.cleaned_data.get("flagged"), ~Q(dq_flags=[]))
        cases = _yes_no(cases, self.cleaned_data.get("cooled"), Q(therapeutic_hypothermia=c.YesNo.YES))
        return cases.select_related("birth_unit", "cooling_centre")


def _yes_no(cases: CaseQuerySet, answer: str | None, condition: Q) -> CaseQuerySet:
    if answer == "yes":
        return cases.filter(condition)
    if answer == "no":
        return cases.exclude(condition)
    return cases


# --- Entered in error -----------------------------------------------------------------------------------------


class RecordEnteredInErrorForm(forms.Form):
    """Confirm a record was entered in error: why (kept in the audit trail), and the version it was read at so a
    stale confirmation is refused. Subclasses add the reason field worded for their record."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ("entered_in_error_reason", "version")

    def __init__(self, data: Any = None, *, version: int) -> None:
        super().__init__(data, initial={"version": version}, auto_id="eie-%s")


def entered_in_error_reason(record: str, example_ref: str) -> forms.CharField:
    """The reason box, naming the record ("case", "record") and an example reference of its kind."""
    return forms.CharField(
        label=f"Why was this {record} entered in error?", max_length=255,
        help_text=f"For example: duplicate of {example_ref}, or details of the wrong baby. Up to 255 characters.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "nhsuk-textarea"}),
        error_messages={"required": f"Give the reason the {record} was entered in error"})


class EnteredInErrorForm(RecordEnteredInErrorForm):
    entered_in_error_reason = entered_in_error_reason("case", "EOE-2024-0153")

    def __init__(self, data: Any = None, *, case: Case) -> None:
        super().__init__(data, version=case.version)
