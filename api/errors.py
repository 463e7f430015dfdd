"""Every API error as {"errors": [{"field", "rule", "message"}]}: which field, which rule, in words.

`pathway.services` refuses a record with a Django ValidationError of field → messages (the same messages
the screens show). Those keep their wording here; the rule is found again from where the message comes
from: a cross-field rule of `pathway.rules` (its stable code, e.g. "order.rewarming_end"), the model
field's own validators (their Django code, e.g. "max_value"), or the uniqueness checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError, EditConflict
from core.fields import concrete_field
from pathway import rules
from pathway.dataset import UNIT_COLUMNS
from pathway.models import Case

NON_FIELD = "non_field_errors"
_API_NAME = {model_field: column for column, model_field in UNIT_COLUMNS.items()}
_UNIQUE_FIELDS = frozenset({"case_ref", "nhs_number"})


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the API field name; None when the whole request is at fault
    rule: str
    message: str


class ApiValidationError(exceptions.APIException):
    """A refused write whose errors are already named (field, rule, message)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("The request was refused: see errors")
        self.errors = errors


# --- From the services ---------------------------------------------------------------------------------


def service_errors(exc: ValidationError, values: Mapping[str, Any]) -> list[FieldError]:
    """The service's refusal, message by message, with the rule behind each (values: the whole record
    the service judged, keyed by model field name)."""
    if not hasattr(exc, "error_dict"):
        return [FieldError(None, exc.code or "invalid", message) for message in exc.messages]
    from_rules = {(v.field, v.message): v.rule for v in rules.hard_violations(values)}
    return [
        FieldError(_API_NAME.get(field, field) if field != NON_FIELD else None,
                   from_rules.get((field, message)) or _field_rule(field, message, values.get(field)), message)
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


def _field_rule(field: str, message: str, value: Any) -> str:
    """The code of the model field's check that says `message` about `value` ("invalid" if none does)."""
    if field in _UNIQUE_FIELDS and "already" in message:
        return "unique"
    try:
        model_field = concrete_field(Case, field)
    except FieldDoesNotExist:
        return "invalid"
    try:
        model_field.clean(value, None)
    except ValidationError as exc:
        return next((error.code or "invalid" for error in exc.error_list if message in error.messages), "invalid")
    return "invalid"


# --- From DRF's own checks -------------------------------------------------------------------------------


def drf_errors(detail: Any, field: str | None = None) -> Iterator[FieldError]:
    """Flatten a DRF error detail (dict / list / ErrorDetail, nested) into named errors."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key == NON_FIELD else (f"{field}.{key}" if field else str(key))
            yield from drf_errors(value, name)
    elif isinstance(detail, list):
        for item in detail:
            yield from drf_errors(item, field)
    else:
        yield FieldError(field, getattr(detail, "code", None) or "invalid", str(detail))


# --- The handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]) -------------------------------------------


def _body(errors: list[FieldError]) -> dict[str, list[dict[str, Any]]]:
    return {"errors": [asdict(error) for error in errors]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiValidationError):
        return Response(_body(exc.errors), status=exc.status_code)
    if isinstance(exc, EditConflict):
        return Response(_body([FieldError("version", "edit_conflict", str(exc))]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response(_body([FieldError(None, "conflict", str(exc))]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "Your role does not allow this")
    response = drf_exception_handler(exc, context)  # keeps headers (WWW-Authenticate, Allow, Retry-After)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = list(drf_errors(exc.detail))
    else:
        errors = [FieldError(None, getattr(exc.detail, "code", None) or exc.default_code, str(exc.detail))]
    response.data = _body(errors)
    return response
