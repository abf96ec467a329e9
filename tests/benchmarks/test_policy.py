"""The disclosure policy: DESIGN §5 defaults, the allowed ranges of reference §6.3, a canonical hash."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from apps.benchmarks.codes import MeasureClass, Statistic
from apps.benchmarks.labels import CLASS_LABELS
from apps.benchmarks.policy import (
    DEFAULT_POLICY,
    ClassRules,
    Policy,
    PolicyError,
    Problem,
    StatisticLevel,
    legal_departures,
    policy_document,
    policy_from_document,
    policy_sha256,
)
from apps.benchmarks.services import _policy_problem

S = Statistic


def test_the_defaults_are_design_section_5() -> None:
    policy = DEFAULT_POLICY
    for measure_class in (MeasureClass.PRICE_COST, MeasureClass.QUANTITY):
        rules = policy.rules_for(measure_class)
        assert rules == ClassRules(5, Decimal("0.25"), None, 3)
    assert policy.rules_for(MeasureClass.QUALITY) == ClassRules(5, None, 15, 0)
    assert policy.quantile_window == 4
    assert [(level.min_firms, level.statistics) for level in policy.statistic_levels] == [
        (5, {S.MEDIAN}),
        (8, {S.MEDIAN, S.MEAN}),
        (12, {S.MEDIAN, S.MEAN, S.P25, S.P75}),
        (20, set(S)),
    ]
    assert policy.protection_interval == Decimal("0.10")


@pytest.mark.parametrize(
    ("n", "statistics"),
    [
        (4, set()),
        (5, {S.MEDIAN}),
        (7, {S.MEDIAN}),
        (8, {S.MEDIAN, S.MEAN}),
        (11, {S.MEDIAN, S.MEAN}),
        (12, {S.MEDIAN, S.MEAN, S.P25, S.P75}),
        (19, {S.MEDIAN, S.MEAN, S.P25, S.P75}),
        (20, set(S)),
    ],
)
def test_what_a_cell_may_publish_together_at_each_size(n: int, statistics: set[Statistic]) -> None:
    assert DEFAULT_POLICY.statistics_for(n) == statistics


def test_the_hash_is_of_the_canonical_document_and_survives_a_round_trip() -> None:
    document = policy_document(DEFAULT_POLICY)
    assert policy_from_document(document) == DEFAULT_POLICY
    assert policy_sha256(policy_from_document(document)) == policy_sha256(DEFAULT_POLICY)
    assert len(policy_sha256(DEFAULT_POLICY)) == 64
    # 0.10 and 0.1 are one number and one hash.
    same = replace(DEFAULT_POLICY, protection_interval=Decimal("0.1"))
    assert policy_sha256(same) == policy_sha256(DEFAULT_POLICY)
    assert policy_sha256(replace(DEFAULT_POLICY, protection_interval=Decimal("0.15"))) != policy_sha256(
        DEFAULT_POLICY
    )


def test_a_changed_version_changes_the_hash() -> None:
    assert policy_sha256(replace(DEFAULT_POLICY, version="2026.2")) != policy_sha256(DEFAULT_POLICY)


SIGNED = "Counsel approved, minute 2026-11-30"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"price_cost": ClassRules(4, Decimal("0.25"), None, 3)},
            "price_cost: the minimum number of contributors",
        ),
        ({"quality": ClassRules(2, None, 15, 0)}, "quality: the minimum number of contributors"),
        (
            {"quantity": ClassRules(5, Decimal("0.60"), None, 3)},
            "quantity: the largest contributor's share must lie",
        ),
        (
            {"quantity": ClassRules(5, Decimal("0.05"), None, 3)},
            "quantity: the largest contributor's share must lie",
        ),
        ({"quantity": ClassRules(5, None, 15, 3)}, "class needs a largest contributor's share"),
        ({"quality": ClassRules(5, None, 25, 0)}, "quality: p must lie in 10–20"),
        (
            {"quality": ClassRules(5, None, None, 0)},
            "needs a largest contributor's share or the p-percent rule",
        ),
        (
            {"price_cost": ClassRules(5, Decimal("0.25"), None, 2)},
            "price_cost: the lag must lie in 3–12 months",
        ),
        (
            {"price_cost": ClassRules(5, Decimal("0.25"), None, 13)},
            "price_cost: the lag must lie in 3–12 months",
        ),
        ({"quantile_window": 2}, "the quantile window"),
        ({"protection_interval": Decimal("0.04")}, "the protection interval"),
        ({"protection_interval": Decimal("0.25")}, "the protection interval"),
        ({"homogeneity_warn": Decimal("0.06")}, "the homogeneity warning"),
        ({"name": ""}, "a name and a version"),
    ],
)
def test_a_parameter_outside_its_allowed_range_is_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(PolicyError) as raised:
        replace(DEFAULT_POLICY, sign_off=SIGNED, **changes)
    assert any(problem in str(found) for found in raised.value.problems)


def test_a_statistic_set_below_what_the_static_audit_allows_is_refused() -> None:
    levels = (
        StatisticLevel(5, frozenset({S.MEDIAN})),
        StatisticLevel(7, frozenset({S.MEDIAN, S.MEAN})),
    )
    with pytest.raises(PolicyError, match="static audit needs a number of firms of at least 8"):
        replace(DEFAULT_POLICY, statistic_levels=levels)
    with pytest.raises(PolicyError, match="static audit needs a number of firms of at least 20"):
        replace(DEFAULT_POLICY, statistic_levels=(StatisticLevel(19, frozenset(S)),))


def test_a_wider_window_raises_the_minimums_it_needs() -> None:
    """Window 5 needs 14 firms for quartiles with the mean (reference §3.1), so the default 12 fails."""
    with pytest.raises(
        PolicyError,
        match="mean\\+median\\+p25\\+p75: the static audit needs a number of firms of at least 14",
    ):
        replace(DEFAULT_POLICY, quantile_window=5)


def test_stricter_levels_are_allowed() -> None:
    levels = (StatisticLevel(6, frozenset({S.MEDIAN})), StatisticLevel(10, frozenset({S.MEDIAN, S.MEAN})))
    assert replace(DEFAULT_POLICY, statistic_levels=levels).statistics_for(9) == {S.MEDIAN}


def test_a_legal_parameter_changed_from_the_defaults_needs_a_sign_off() -> None:
    lagged = ClassRules(5, Decimal("0.25"), None, 12)
    with pytest.raises(PolicyError, match="sign-off"):
        replace(DEFAULT_POLICY, price_cost=lagged)
    signed = replace(DEFAULT_POLICY, price_cost=lagged, sign_off=SIGNED)
    assert legal_departures(signed) == ["price_cost.lag_months"]
    # p% is not a legal parameter: changing it needs no sign-off.
    assert legal_departures(replace(DEFAULT_POLICY, quality=ClassRules(5, None, 12, 0))) == []


def test_policy_is_immutable() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.quantile_window = 3  # type: ignore[misc]
    assert isinstance(Policy(), Policy)


def _policy_messages() -> list[str]:
    with (Path(settings.BASE_DIR) / "locale/ru/LC_MESSAGES/django.po").open("rb") as catalog:
        return [
            str(message.id)
            for message in read_po(catalog)
            if message.id and any(path == "apps/benchmarks/policy.py" for path, _line in message.locations)
        ]


POLICY_MESSAGES = _policy_messages()


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_policy_problem_is_said_in_the_stewards_language(language: str) -> None:
    """Each problem the policy can name reads, filled in, in every language: no placeholder or stray
    per cent sign left, the measure class by its name, and the words not English outside English."""
    assert len(POLICY_MESSAGES) >= 16
    params = {"measure_class": "price_cost", "low": 3, "high": 12, "statistics": "mean+median", "firms": 8}
    with translation.override(language):
        for message in POLICY_MESSAGES:
            used = {key: value for key, value in params.items() if f"%({key})" in message}
            text = _policy_problem(Problem(message, used))
            assert "%" not in text.replace("p%", ""), text
            if "measure_class" in used:
                assert "price_cost" not in text and str(CLASS_LABELS["price_cost"]) in text
            if language != "en":
                assert text != str(Problem(message, used)), (language, message)
