"""The codes of the disclosure engine: measure classes, aggregations, statistics, statuses, the public
reasons and the stewards' rules. They are stable strings: the API, the run record and the exports use
them as they are, so a code is never renamed, only added."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction


class MeasureClass(StrEnum):
    """The disclosure class set on each measure of a standard (DESIGN §5)."""

    PRICE_COST = "price_cost"
    QUANTITY = "quantity"
    QUALITY = "quality"

    @property
    def competitively_sensitive(self) -> bool:
        return self is not MeasureClass.QUALITY


class Aggregation(StrEnum):
    """How a firm's rows combine into its one figure: a sum, a ratio of two sums (value per quantity)
    or a mean weighted by another measure (Brix by quantity)."""

    SUM = "sum"
    RATIO = "ratio"
    WEIGHTED_MEAN = "weighted_mean"


class Statistic(StrEnum):
    """What a benchmark publishes of a cell. Minimum and maximum are not statistics of the hub."""

    MEDIAN = "median"
    MEAN = "mean"
    P10 = "p10"
    P25 = "p25"
    P75 = "p75"
    P90 = "p90"


STATISTICS = (Statistic.MEDIAN, Statistic.MEAN, Statistic.P10, Statistic.P25, Statistic.P75, Statistic.P90)
QUANTILE_LEVELS: dict[Statistic, Fraction] = {
    Statistic.P10: Fraction(1, 10),
    Statistic.P25: Fraction(1, 4),
    Statistic.MEDIAN: Fraction(1, 2),
    Statistic.P75: Fraction(3, 4),
    Statistic.P90: Fraction(9, 10),
}


class Status(StrEnum):
    PUBLISHED = "published"
    SUPPRESSED = "suppressed"
    EMBARGOED = "embargoed"
    NOT_COMPUTED = "not_computed"
    NO_DATA = "no_data"


class PublicReason(StrEnum):
    """What members and partners are told. Coarse on purpose: `confidential` covers dominance and
    complementary suppression alike, since telling them apart would say that one firm is large."""

    CONFIDENTIAL = "confidential"
    TOO_FEW_FIRMS = "too_few_firms"
    STATISTIC_NEEDS_MORE_FIRMS = "statistic_needs_more_firms"
    EMBARGOED = "embargoed"


class Rule(StrEnum):
    """The exact rule behind a decision, for stewards only."""

    THRESHOLD = "THRESHOLD"
    DOMINANCE = "DOMINANCE"
    P_PERCENT = "P_PERCENT"
    STATISTIC_MIN_N = "STATISTIC_MIN_N"
    COMPLEMENTARY = "COMPLEMENTARY"
    AUDIT_EXTRA_PRIMARY = "AUDIT_EXTRA_PRIMARY"
    REVISION_HISTORY = "REVISION_HISTORY"
    LAG = "LAG"
    NO_DATA = "NO_DATA"
    OVER_BUDGET = "OVER_BUDGET"


PUBLIC_REASON: dict[Rule, PublicReason | None] = {
    Rule.THRESHOLD: PublicReason.TOO_FEW_FIRMS,
    Rule.DOMINANCE: PublicReason.CONFIDENTIAL,
    Rule.P_PERCENT: PublicReason.CONFIDENTIAL,
    Rule.STATISTIC_MIN_N: PublicReason.STATISTIC_NEEDS_MORE_FIRMS,
    Rule.COMPLEMENTARY: PublicReason.CONFIDENTIAL,
    Rule.AUDIT_EXTRA_PRIMARY: PublicReason.CONFIDENTIAL,
    Rule.REVISION_HISTORY: PublicReason.CONFIDENTIAL,
    Rule.LAG: PublicReason.EMBARGOED,
    Rule.NO_DATA: None,
    Rule.OVER_BUDGET: None,
}

HOMOGENEITY_WARNING = "HOMOGENEITY_WARN"

RELIABILITY_LEVELS = ((5, "low"), (12, "medium"), (20, "high"))
"""A figure's reliability label by its number of firms (the statistic levels' steps): none below 5."""
