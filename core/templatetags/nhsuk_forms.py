"""Helpers for the "nhsuk" crispy template pack (templates/nhsuk/): NHS.UK frontend classes on widgets,
error-summary anchors and ids that stay unique when a page holds several forms."""

from __future__ import annotations

from django import template
from django.forms import BaseForm, BoundField
from django.utils.safestring import SafeString

register = template.Library()

# The NHS.UK class each kind of widget needs; anything else typed is an `nhsuk-input`.
_BASE_CLASS = {"select": "nhsuk-select", "textarea": "nhsuk-textarea", "checkbox": "nhsuk-checkboxes__input"}
_CHOICE_LISTS = frozenset({"radioselect", "checkboxselectmultiple"})


@register.filter
def nhsuk_widget(field: BoundField) -> SafeString:
    """The field's widget with its NHS.UK class, and the error modifier when the field has errors."""
    base = _BASE_CLASS.get(field.widget_type, "nhsuk-input")
    classes = field.field.widget.attrs.get("class", "").split()
    if base not in classes:
        classes.insert(0, base)
    if field.errors and field.widget_type != "checkbox":
        classes.append(f"{base}--error")
    return field.as_widget(attrs={"class": " ".join(classes)})


@register.filter
def error_anchor(field: BoundField) -> str:
    """Where an error-summary link should land: the first radio or checkbox of a list, else the input."""
    if field.widget_type in _CHOICE_LISTS:
        return f"{field.auto_id}_0"
    return field.id_for_label


@register.filter
def form_dom_id(form: BaseForm, suffix: str) -> str:
    """An id unique to this form (its auto_id pattern, e.g. "birth-%s"), for error-summary titles."""
    pattern = form.auto_id if isinstance(form.auto_id, str) and "%s" in form.auto_id else "%s"
    return pattern % suffix


@register.filter
def blank_choice_label(label: object) -> object:
    """Django's "---------" placeholder reads badly as a radio: call it what it means."""
    return "Not recorded" if str(label).strip("-") == "" else label
