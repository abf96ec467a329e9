"""The disclosure policy: a small versioned document with a canonical hash (DESIGN §5,
reference/disclosure-control.md §6.3). Every run records the hash of the policy it applied.

A Policy cannot be built outside the allowed ranges: its constructor checks them, and the minimum
number of contributors of each statistic set against the static order-statistics audit (two colluding
insiders). A legal parameter (threshold, dominance cap, lag) that departs from the shipped defaults needs
a sign-off note in the document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from apps.benchmarks.codes import STATISTICS, MeasureClass, Statistic
from apps.benchmarks.quantiles import minimum_firms

STATIC_AUDIT_INSIDERS = 2
"""The statistic sets' minimums are derived against two colluding insiders (the reference's third column)."""


@dataclass(frozen=True)
class Problem:
    """One way a policy leaves the allowed ranges: a message marked for translation (the caller
    translates it, then fills in `params`) and its parameters; `measure_class` names a class by code."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class PolicyError(ValueError):
    """A policy outside the allowed ranges; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class ClassRules:
    """The primary rules and the lag of one measure class. `max_weight_share` caps the largest
    contributor's share of every summed or weighted quantity; `p_percent` is the p% rule, used where
    the cap is off (with the cap on it can never fail, reference §2.1)."""

    min_contributors: int
    max_weight_share: Decimal | None
    p_percent: int | None
    lag_months: int


@dataclass(frozen=True)
class StatisticLevel:
    """The statistics that may be published together once a cell has `min_firms` contributors."""

    min_firms: int
    statistics: frozenset[Statistic]


SENSITIVE_DEFAULT = ClassRules(
    min_contributors=5, max_weight_share=Decimal("0.25"), p_percent=None, lag_months=3
)
QUALITY_DEFAULT = ClassRules(min_contributors=5, max_weight_share=None, p_percent=15, lag_months=0)
DEFAULT_LEVELS = (
    StatisticLevel(5, frozenset({Statistic.MEDIAN})),
    StatisticLevel(8, frozenset({Statistic.MEDIAN, Statistic.MEAN})),
    StatisticLevel(12, frozenset({Statistic.MEDIAN, Statistic.MEAN, Statistic.P25, Statistic.P75})),
    StatisticLevel(20, frozenset(STATISTICS)),
)


@dataclass(frozen=True)
class Policy:
    """One version of the disclosure policy. The defaults are DESIGN §5's."""

    name: str = "alliance-default"
    version: str = "2026.1"
    price_cost: ClassRules = SENSITIVE_DEFAULT
    quantity: ClassRules = SENSITIVE_DEFAULT
    quality: ClassRules = QUALITY_DEFAULT
    quantile_window: int = 4
    statistic_levels: tuple[StatisticLevel, ...] = DEFAULT_LEVELS
    protection_interval: Decimal = Decimal("0.10")
    homogeneity_warn: Decimal = Decimal("0.01")
    sign_off: str = field(default="", compare=True)

    def __post_init__(self) -> None:
        problems = policy_problems(self)
        if problems:
            raise PolicyError(problems)

    def rules_for(self, measure_class: MeasureClass) -> ClassRules:
        return {
            MeasureClass.PRICE_COST: self.price_cost,
            MeasureClass.QUANTITY: self.quantity,
            MeasureClass.QUALITY: self.quality,
        }[measure_class]

    def statistics_for(self, n: int) -> frozenset[Statistic]:
        """The statistics a cell of n contributors may publish together (none below the first level)."""
        chosen: frozenset[Statistic] = frozenset()
        for level in self.statistic_levels:
            if n >= level.min_firms:
                chosen = level.statistics
        return chosen

    def minimum_firms_for(self, statistic: Statistic) -> int | None:
        """The number of contributors from which `statistic` is published (None: never)."""
        for level in self.statistic_levels:
            if statistic in level.statistics:
                return level.min_firms
        return None


def _class_problems(measure_class: MeasureClass, rules: ClassRules) -> list[Problem]:
    problems = []
    name = {"measure_class": measure_class.value}
    sensitive = measure_class.competitively_sensitive
    if rules.min_contributors < (5 if sensitive else 3):
        problems.append(
            Problem(
                gettext_noop(
                    "%(measure_class)s: the minimum number of contributors must be at least %(low)d"
                ),
                {**name, "low": 5 if sensitive else 3},
            )
        )
    share = rules.max_weight_share
    if share is not None and not Decimal("0.10") <= share <= Decimal("0.50"):
        problems.append(
            Problem(
                gettext_noop("%(measure_class)s: the largest contributor's share must lie in 0.10–0.50"), name
            )
        )
    if sensitive and share is None:
        problems.append(
            Problem(
                gettext_noop("%(measure_class)s: this class needs a largest contributor's share"),
                name,
            )
        )
    if rules.p_percent is not None and not 10 <= rules.p_percent <= 20:
        problems.append(Problem(gettext_noop("%(measure_class)s: p must lie in 10–20 per cent"), name))
    if share is None and rules.p_percent is None:
        problems.append(
            Problem(
                gettext_noop("%(measure_class)s: needs a largest contributor's share or the p-percent rule"),
                name,
            )
        )
    low, high = (3, 12) if sensitive else (0, 12)
    if not low <= rules.lag_months <= high:
        problems.append(
            Problem(
                gettext_noop("%(measure_class)s: the lag must lie in %(low)d–%(high)d months"),
                {**name, "low": low, "high": high},
            )
        )
    return problems


def _level_problems(policy: Policy) -> list[Problem]:
    problems = []
    previous: StatisticLevel | None = None
    for level in policy.statistic_levels:
        label = {"statistics": "+".join(sorted(level.statistics))}
        if not level.statistics:
            problems.append(Problem(gettext_noop("a statistic level needs at least one statistic")))
            continue
        if previous is not None and not (
            level.min_firms > previous.min_firms and level.statistics > previous.statistics
        ):
            problems.append(
                Problem(
                    gettext_noop(
                        "%(statistics)s: each level must need more firms and publish more statistics "
                        "than the one before"
                    ),
                    label,
                )
            )
        derived = minimum_firms(level.statistics, policy.quantile_window, STATIC_AUDIT_INSIDERS)
        if derived is None:
            problems.append(
                Problem(
                    gettext_noop("%(statistics)s: the static audit needs a number of firms over 30"), label
                )
            )
        elif level.min_firms < max(derived, 3):
            problems.append(
                Problem(
                    gettext_noop(
                        "%(statistics)s: the static audit needs a number of firms of at least %(firms)d"
                    ),
                    {**label, "firms": max(derived, 3)},
                )
            )
        previous = level
    if not policy.statistic_levels:
        problems.append(Problem(gettext_noop("the policy needs at least one statistic level")))
    return problems


def policy_problems(policy: Policy) -> list[Problem]:
    """Every way `policy` leaves the allowed ranges of reference §6.3 (empty when it is valid)."""
    problems = []
    if not policy.name or not policy.version:
        problems.append(Problem(gettext_noop("the policy needs a name and a version")))
    for measure_class in MeasureClass:
        problems.extend(_class_problems(measure_class, policy.rules_for(measure_class)))
    if policy.quantile_window < 3:
        problems.append(Problem(gettext_noop("the quantile window must be at least 3 firms")))
    else:
        problems.extend(_level_problems(policy))
    if not Decimal("0.05") <= policy.protection_interval <= Decimal("0.20"):
        problems.append(Problem(gettext_noop("the protection interval must lie in 0.05–0.20")))
    if not Decimal("0") <= policy.homogeneity_warn <= Decimal("0.05"):
        problems.append(Problem(gettext_noop("the homogeneity warning must lie in 0–0.05")))
    if legal_departures(policy) and not policy.sign_off.strip():
        problems.append(
            Problem(
                gettext_noop(
                    "a threshold, dominance cap or lag departs from the defaults: a sign-off note is needed"
                )
            )
        )
    return problems


def legal_departures(policy: Policy) -> list[str]:
    """The legal parameters (threshold, dominance cap, lag) that differ from the shipped defaults."""
    departures = []
    for measure_class in MeasureClass:
        rules = policy.rules_for(measure_class)
        default = SENSITIVE_DEFAULT if measure_class.competitively_sensitive else QUALITY_DEFAULT
        for name in ("min_contributors", "max_weight_share", "lag_months"):
            if getattr(rules, name) != getattr(default, name):
                departures.append(f"{measure_class.value}.{name}")
    return departures


def _ordered(statistics: frozenset[Statistic]) -> list[str]:
    return [statistic.value for statistic in STATISTICS if statistic in statistics]


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def policy_document(policy: Policy) -> dict[str, Any]:
    """The policy as a plain document (the form it is stored and hashed in)."""
    classes = {}
    for measure_class in MeasureClass:
        rules = policy.rules_for(measure_class)
        share = rules.max_weight_share
        classes[measure_class.value] = {
            "min_contributors": rules.min_contributors,
            "max_weight_share": None if share is None else _number(share),
            "p_percent": rules.p_percent,
            "lag_months": rules.lag_months,
        }
    return {
        "name": policy.name,
        "version": policy.version,
        "classes": classes,
        "quantile_window": policy.quantile_window,
        "statistic_levels": [
            {"min_firms": level.min_firms, "statistics": _ordered(level.statistics)}
            for level in policy.statistic_levels
        ],
        "protection_interval": _number(policy.protection_interval),
        "homogeneity_warn": _number(policy.homogeneity_warn),
        "sign_off": policy.sign_off,
    }


def policy_from_document(document: dict[str, Any]) -> Policy:
    """The policy a document describes; raises PolicyError when it is outside the allowed ranges."""
    classes = {}
    for measure_class in MeasureClass:
        rules = document["classes"][measure_class.value]
        share = rules["max_weight_share"]
        classes[measure_class.value] = ClassRules(
            min_contributors=int(rules["min_contributors"]),
            max_weight_share=None if share is None else Decimal(share),
            p_percent=None if rules["p_percent"] is None else int(rules["p_percent"]),
            lag_months=int(rules["lag_months"]),
        )
    levels = tuple(
        StatisticLevel(int(level["min_firms"]), frozenset(Statistic(s) for s in level["statistics"]))
        for level in document["statistic_levels"]
    )
    return Policy(
        name=document["name"],
        version=document["version"],
        price_cost=classes["price_cost"],
        quantity=classes["quantity"],
        quality=classes["quality"],
        quantile_window=int(document["quantile_window"]),
        statistic_levels=levels,
        protection_interval=Decimal(document["protection_interval"]),
        homogeneity_warn=Decimal(document["homogeneity_warn"]),
        sign_off=document.get("sign_off", ""),
    )


def canonical_json(document: Any) -> str:
    """JSON with sorted keys and no spaces: the same document always gives the same bytes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def policy_sha256(policy: Policy) -> str:
    """The SHA-256 of the policy's canonical JSON document."""
    return hashlib.sha256(canonical_json(policy_document(policy)).encode()).hexdigest()


DEFAULT_POLICY = Policy()
