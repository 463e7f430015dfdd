"""List filters (django-filter). A value that is not valid is a 400 naming the filter, never ignored."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.forms import LocalDateTimeField
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.periods import PeriodType
from pathway.choices import Stage
from pathway.models import Case, CaseQuerySet
from units.models import Unit

EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeFilter(filters.Filter):
    """An instant typed as the screens take it: ISO 8601 with offset, or UK local time without."""

    field_class = LocalDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.Filter):
    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is refused rather than read as "no filter"."""

    default_error_messages = {"invalid": "Give true or false"}
    WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        try:
            return self.WORDS[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["widget"] = forms.TextInput  # django-filter's BooleanWidget reads any other word as "not given"
        super().__init__(*args, **kwargs)


class CaseFilter(filters.FilterSet):
    unit = filters.CharFilter(method="filter_unit", help_text="ODS code: cases born or cooled at this unit")
    year = YearFilter(method="filter_year", min_value=EARLIEST_YEAR, max_value=LATEST_YEAR,
                      help_text="Year of birth (UK time)")
    stage = filters.ChoiceFilter(choices=Stage.choices)
    updated_since = LocalDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                        help_text="Cases changed at or after this time")
    include_entered_in_error = StrictBooleanFilter(method="filter_nothing",
                                                     help_text="Also list cases entered in error (default: no)")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_unit(self, cases: CaseQuerySet, name: str, code: str) -> CaseQuerySet:
        unit = Unit.objects.by_code(code)
        if unit is None:
            return cases.none()
        return cases.filter(Q(birth_unit=unit) | Q(cooling_centre=unit))

    def filter_year(self, cases: CaseQuerySet, name: str, year: int) -> CaseQuerySet:
        return cases.born_in_year(year)

    def filter_nothing(self, cases: CaseQuerySet, name: str, value: bool) -> CaseQuerySet:
        return cases  # read in filter_queryset, which also sees it when it is absent

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        cases = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        # As on the screens, cases entered in error leave the list unless asked for.
        if not data.get("include_entered_in_error") and data.get("stage") != Stage.ENTERED_IN_ERROR:
            cases = cases.filter(entered_in_error=False)
        return cases


class KpiAggregateFilter(filters.FilterSet):
    kpi = filters.CharFilter(help_text="KPI code, e.g. cooling_started_6h")
    level = filters.ChoiceFilter(choices=[(level.value, level.value) for level in Level])
    org = filters.CharFilter(field_name="org_code", lookup_expr="iexact",
                             help_text="ODS code of a unit, or the code of a trust, LMNS, ICB, network (EOE) or region")
    period = filters.CharFilter(field_name="period_key", help_text="e.g. 2024, 2024-Q3, 2024-07, R12-2024-07")
    period_type = filters.ChoiceFilter(choices=PeriodType.choices)

    class Meta:
        model = KpiAggregate
        fields: list[str] = []


class UnitFilter(filters.FilterSet):
    is_cooling_centre = StrictBooleanFilter()
    active = StrictBooleanFilter()

    class Meta:
        model = Unit
        fields: list[str] = []
