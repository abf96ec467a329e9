"""The figures' filters of the API (django-filter): an empty value is no filter, a value outside a
filter's choices or form is a 400. `breakdown` reads `none` (the whole cohort only), a field
(`destination_country`: every value of it) or one cell (`destination_country:KZ`)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.benchmarks.codes import STATISTICS
from apps.benchmarks.models import Figure

WHOLE_COHORT = "none"


def _breakdown(value: str) -> str:
    field, colon, code = value.partition(":")
    if not field or (colon and not code):
        raise ValidationError(_("Write the breakdown as none, a field, or field:value."))
    return value


class FigureFilter(django_filters.FilterSet):
    standard = django_filters.CharFilter(
        field_name="standard__code", help_text="Standard code, e.g. tomato-paste.exports."
    )
    measure = django_filters.CharFilter(help_text="Measure (field name), e.g. unit_price.")
    cohort = django_filters.CharFilter(help_text="Cohort code; `all` is every standard's default.")
    breakdown = django_filters.CharFilter(
        method="filter_breakdown",
        validators=[_breakdown],
        help_text=(
            "`none`: the whole cohort only. `destination_country`: every value of that breakdown. "
            "`destination_country:KZ`: one cell. Omitted: every cell."
        ),
    )
    period = django_filters.CharFilter(help_text="One period, e.g. 2026-03.")
    period_from = django_filters.CharFilter(
        field_name="period", lookup_expr="gte", help_text="From this period on."
    )
    period_to = django_filters.CharFilter(
        field_name="period", lookup_expr="lte", help_text="Up to this period."
    )
    statistic = django_filters.ChoiceFilter(choices=[(s.value, s.value) for s in STATISTICS])

    class Meta:
        model = Figure
        fields = [
            "standard",
            "measure",
            "cohort",
            "breakdown",
            "period",
            "period_from",
            "period_to",
            "statistic",
        ]

    def filter_breakdown(self, queryset: QuerySet[Figure], name: str, value: str) -> QuerySet[Figure]:
        if value == WHOLE_COHORT:
            return queryset.filter(breakdown_field="")
        field, _colon, code = value.partition(":")
        queryset = queryset.filter(breakdown_field=field)
        return queryset.filter(breakdown_value=code) if code else queryset
