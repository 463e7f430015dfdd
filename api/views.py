"""The REST API (/api/v1/): cases, units and KPI figures.

Views only orchestrate, as the screens do: a case comes through `pathway.access` (one the user may not see
is a 404, whatever id is guessed), input through a serializer, and every write is one call to
`pathway.services`, which validates, audits (actor = the token's user) and queues the KPI recompute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api import services as api_services
from api.errors import ApiValidationError, service_errors
from api.filters import CaseFilter, KpiAggregateFilter, UnitFilter
from api.scopes import pseudonymiser, token_of
from api.serializers import (
    CaseSerializer,
    CaseUpdateSerializer,
    EnteredInErrorSerializer,
    ErrorsSerializer,
    KpiAggregateSerializer,
    UnitSerializer,
)
from core import audit
from core.exceptions import DomainError
from core.fields import concrete_field
from kpis.models import KpiAggregate
from pathway import csv_io, services
from pathway.access import can, cases_for, editable_sections, get_case_for_user, role_sections, section_fields
from pathway.choices import YesNo
from pathway.dataset import FIELDS, V2_COLUMNS, field_for
from pathway.models import Case
from pathway.sections import SECTIONS
from units.access import Action, UserLike, may, transport_unit_ids
from units.models import Unit

MAX_ID_DIGITS = 18  # below 2**63: a longer id cannot exist, and the database would refuse to compare it
ERROR = ErrorsSerializer
READ_ERRORS = {401: OpenApiResponse(ERROR, "No valid token"), 404: OpenApiResponse(ERROR, "No such case for you")}
LIST_ERRORS = {400: OpenApiResponse(ERROR, "A filter value is not valid"), 401: READ_ERRORS[401]}
WRITE_ERRORS = {
    400: OpenApiResponse(ERROR, "Refused: each error names the field and the rule"),
    401: READ_ERRORS[401],
    403: OpenApiResponse(ERROR, "Your role does not allow changing cases"),
    404: READ_ERRORS[404],
    409: OpenApiResponse(ERROR, "Changed by someone else since your version, or entered in error"),
}


V2_FIELDS = frozenset(field_for(column) for column in V2_COLUMNS)


def _empty(field: str) -> Any:
    """What an absent column means on PUT: not recorded (or the dataset's default, as in the CSV import)."""
    return csv_io.empty_value(concrete_field(Case, field))


def _put_values(data: dict[str, Any]) -> dict[str, Any]:
    """PUT sends every column; a v2 column it leaves out stays as it is (a v1 client, like a v1 file)."""
    return {field: data.get(field, _empty(field)) for field in FIELDS if field in data or field not in V2_FIELDS}


# Shown in the documentation (Swagger UI's "Try it out" starts from them) and sent by the schemathesis run.
CREATE_EXAMPLE = OpenApiExample("A cooled baby born at Watford, cooled at Addenbrooke's", request_only=True, value={
    "case_ref": "EOE-2024-0153", "birth_datetime": "2024-05-14T03:10:00+01:00", "sex": "female", "gestation_weeks": 39,
    "gestation_days": 2, "birth_weight_g": 3300, "birth_unit_ods": "RWG02", "cooling_centre_ods": "RGT01",
    "therapeutic_hypothermia": "yes", "hie_grade": 2, "referral_datetime": "2024-05-14T04:30:00+01:00",
    "passive_cooling_start": "2024-05-14T03:40:00+01:00", "active_cooling_start": "2024-05-14T06:30:00+01:00",
})
PATCH_EXAMPLE = OpenApiExample("Record the Apgar score at 10 minutes", request_only=True,
                               value={"version": 1, "apgar_10": 5})


class EnteredInError(DomainError):
    """A case entered in error is kept for the record and can no longer be changed."""


@extend_schema_view(
    list=extend_schema(summary="Cases you may see (newest birth first)", responses={200: CaseSerializer(many=True),
                                                                                   **LIST_ERRORS}),
    retrieve=extend_schema(summary="One case", responses={200: CaseSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Add a case", request=CaseSerializer, examples=[CREATE_EXAMPLE],
                         responses={201: CaseSerializer, **WRITE_ERRORS}),
    update=extend_schema(summary="Replace every column of a case (absent optional columns are cleared)",
                         request=CaseUpdateSerializer, responses={200: CaseSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(summary="Change some columns of a case", request=CaseUpdateSerializer,
                                 examples=[PATCH_EXAMPLE],
                                 responses={200: CaseSerializer, **WRITE_ERRORS}),
)
class CaseViewSet(viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    queryset = Case.objects.none()  # the real rows come from pathway.access, per user
    lookup_value_regex = "[^/]+"  # any id reaches _id(), so a malformed one is a JSON 404 like any other

    def get_queryset(self) -> models.QuerySet[Case]:
        # A national data opt-out keeps the case in direct care (the screens) and out of every API read.
        return (cases_for(self.request.user, Action.LIST).exclude(national_opt_out=YesNo.YES)
                .select_related("birth_unit", "cooling_centre", "transport_service"))

    def get_serializer_context(self) -> dict[str, Any]:
        # Any serializer DRF makes itself (the browsable API's forms) reads as this request's token does.
        return {**super().get_serializer_context(), "pseudonymise": pseudonymiser(self.request)}

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_case_rows(request, page or [], many=True))

    def retrieve(self, request: Request, pk: str) -> Response:
        case = get_case_for_user(request.user, _id(pk), Action.VIEW)
        if case.national_opt_out == YesNo.YES:
            raise Http404("No such case")  # the same answer as a case the user may not see
        return Response(_case_rows(request, [case]))

    def create(self, request: Request) -> Response:
        if not may(request.user, Action.EDIT):
            raise PermissionDenied("Your role does not include adding cases")
        serializer = self._valid(CaseSerializer, request, case=None, partial=False)
        values = {field: serializer.validated_data.get(field, _empty(field)) for field in FIELDS}
        case = _through_service(services.case_create, judged=values, values=values, by=request.user)
        return Response(_case_rows(request, [case]), status=status.HTTP_201_CREATED,
                        headers={"Location": request.build_absolute_uri(f"{case.pk}/")})

    def update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, partial=True)

    @extend_schema(summary="Mark a case as entered in error (cases are never deleted)",
                   request=EnteredInErrorSerializer, responses={200: CaseSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request: Request, pk: str) -> Response:
        case = self._case_to_change(request, pk)
        serializer = self._valid(EnteredInErrorSerializer, request, case=case, partial=False)
        saved = _through_service(services.case_mark_entered_in_error, judged={}, case=case,
                                 reason=serializer.validated_data["reason"],
                                 expected_version=serializer.validated_data["version"], by=request.user)
        return Response(_case_rows(request, [saved]))

    # --- helpers ---

    def _change(self, request: Request, pk: str, *, partial: bool) -> Response:
        case = self._case_to_change(request, pk, sections=True)
        serializer = self._valid(CaseUpdateSerializer, request, case=case, partial=partial)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        values = data if partial else _put_values(data)
        _only_own_sections(request.user, case, values)
        saved = _through_service(services.case_update, judged={**services.case_values(case), **values}, case=case,
                                 values=values, expected_version=version, by=request.user)
        return Response(_case_rows(request, [saved]))

    def _case_to_change(self, request: Request, pk: str, *, sections: bool = False) -> Case:
        """404 for a case the user may not see; 403 if they see it but may not change it (the status says
        nothing new: they can read the case); 409 if it was entered in error, with the same message for every
        role that writes to it (a section role's sections count even on a frozen case, so the mark is what
        refuses it). `sections`: a section role (radiologist, transport team) may go on to change its own
        sections (`_only_own_sections`)."""
        case = get_case_for_user(request.user, _id(pk), Action.VIEW)
        if case.national_opt_out == YesNo.YES:
            raise Http404("No such case")  # out of every API read, so its answer too
        if not can(request.user, case, Action.EDIT) and not (sections and role_sections(request.user, case)):
            raise PermissionDenied("Your role does not allow changing this case")
        if case.entered_in_error:
            raise EnteredInError("This case was marked as entered in error: it can no longer be changed")
        return case

    def _valid(self, serializer_class: type[BaseSerializer], request: Request, *, case: Case | None,
               partial: bool) -> BaseSerializer:
        serializer = serializer_class(data=request.data, partial=partial,
                                      context={"request": request, "user": request.user, "case": case})
        serializer.is_valid(raise_exception=True)
        return serializer


def _case_rows(request: Request, cases: Sequence[Case], *, many: bool = False) -> Any:
    """Cases as the token may read them (identifiable, or pseudonymised as the CSV export is), and the
    export-log row saying so: every response carrying case rows is recorded, writes' echoes included."""
    pseudonymise = pseudonymiser(request)
    data = CaseSerializer(cases, many=True, context={"pseudonymise": pseudonymise}).data
    what = "Read" if request.method in SAFE_METHODS else "Returned by a change"
    api_services.case_read_record(by=request.user, token=token_of(request), rows=len(cases), what=what,
                                  identifiable=pseudonymise is None, scope=request.get_full_path())
    return data if many else data[0]


def _only_own_sections(user: UserLike, case: Case, values: dict[str, Any]) -> None:
    """A section role's change may only touch the fields of its sections (403 naming the others); a PUT that
    sends the other columns unchanged is fine."""
    if can(user, case, Action.EDIT):
        return
    sections = editable_sections(user, case)
    current = services.case_values(case)
    changed = audit.changes(current, {**current, **values}, list(values))
    outside = sorted(set(changed) - section_fields(sections))
    if outside:
        titles = " and ".join(s.title for s in SECTIONS if s.slug in sections)
        raise PermissionDenied(f"Your role changes only {titles}: {', '.join(outside)} cannot be changed")
    own = transport_unit_ids(user, Action.VIEW)
    if own and "transport_service" in changed and getattr(values["transport_service"], "pk", None) not in own:
        raise PermissionDenied("Your team can only record the transfers it made: keep your service as the "
                               "transport service")


def _id(pk: str) -> int:
    """A case id from the URL; anything else (or one past the database's integers) is no such case."""
    if not (pk.isascii() and pk.isdigit()) or len(pk) > MAX_ID_DIGITS:
        raise Http404("No such case")
    return int(pk)


def _through_service(service: Callable[..., Case], *, judged: dict[str, Any], **kwargs: Any) -> Case:
    """Call a case service; its refusal becomes a 400 naming field and rule for each message (`judged`:
    the whole record as the service saw it, from which each message's rule is found again)."""
    try:
        return service(**kwargs)
    except DomainError:
        raise  # entered in error (also a ValidationError): 409 Conflict, not a 400 about the fields
    except DjangoValidationError as exc:
        raise ApiValidationError(service_errors(exc, judged)) from None


@extend_schema_view(
    list=extend_schema(summary="Units of the network", responses={200: UnitSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One unit by ODS code", responses={200: UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reference data (public ODS codes), readable by every signed-in user, as on the KPI pages."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.order_by("ods_code")
    lookup_field = "ods_code"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = UnitFilter

    def get_object(self) -> Unit:
        return get_object_or_404(Unit, ods_code=self.kwargs["ods_code"].strip().upper())


@extend_schema_view(
    list=extend_schema(summary="Stored KPI figures (read only; the nightly and per-case runs write them)",
                       responses={200: KpiAggregateSerializer(many=True), **LIST_ERRORS}),
)
class KpiAggregateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Aggregate figures hold no patient rows; every signed-in user reads them, as on the dashboards."""

    serializer_class = KpiAggregateSerializer
    queryset = KpiAggregate.objects.order_by("kpi", "level", "org_code", "period_type", "period_start")
    filter_backends = [DjangoFilterBackend]
    filterset_class = KpiAggregateFilter
