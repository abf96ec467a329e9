"""The exchange rates that turn a file's amounts into USD (`RateBook`): the stewards' monthly rates,
and for a longer period the mean of its months'."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from apps.standards.models import ExchangeRate


class RateBook:
    """The stewards' exchange rates, looked up once per currency and month."""

    def __init__(self, rates: QuerySet[ExchangeRate] | None = None) -> None:
        self.cache: dict[tuple[str, str], Decimal | None] = {}
        self.rates = rates if rates is not None else ExchangeRate.objects.all()

    def usd_per_unit(self, currency: str, period: str) -> Decimal | None:
        if currency == "USD":
            return Decimal(1)
        month = period if len(period) == 7 and period[4] == "-" else None
        key = (currency, month or period)
        if key not in self.cache:
            query = self.rates.filter(currency=currency)
            if month:
                query = query.filter(period=month)
            else:  # a quarter, season or year: the mean of that year's (or quarter's) monthly rates
                year = period[:4]
                months = [f"{year}-{m:02d}" for m in _months_of(period)]
                query = query.filter(period__in=months)
            values = list(query.values_list("usd_per_unit", flat=True))
            self.cache[key] = (sum(values, Decimal(0)) / len(values)) if values else None
        return self.cache[key]


def _months_of(period: str) -> range:
    if "-Q" in period:
        quarter = int(period[-1])
        return range(3 * quarter - 2, 3 * quarter + 1)
    return range(1, 13)
