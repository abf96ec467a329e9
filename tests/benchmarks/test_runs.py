"""A run reads the period from PostgreSQL, decides every figure and stores it: the published figures
agree with an independent numpy reference computed from the rows as sent; withheld ones carry the
reason; groups count once; firms that are not active members do not count; a resubmission makes a new
run that takes the earlier one's publications as known."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from apps.benchmarks.codes import QUANTILE_LEVELS, Statistic
from apps.benchmarks.models import Figure, Run
from apps.benchmarks.runs import compute_run, prepare
from apps.organizations.models import Organization
from apps.standards.models import Standard, StandardVersion
from tests.benchmarks.hub import (
    Alliance,
    firm_figures,
    make_alliance,
    reference_mean,
    reference_quantile,
    row,
    spread,
)

PERIOD = "2026-06"  # released: its three-month lag has passed by the tests' today


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    found = make_alliance(cast.steward, version)
    spread(found, PERIOD, 14)
    return found


def _current(measure: str, breakdown: tuple[str, str] = ("", ""), cohort: str = "all") -> dict[str, Figure]:
    figures = Figure.objects.filter(
        is_current=True,
        period=PERIOD,
        cohort=cohort,
        measure=measure,
        breakdown_field=breakdown[0],
        breakdown_value=breakdown[1],
    )
    return {figure.statistic: figure for figure in figures}


def test_the_version_declares_its_breakdowns(version: StandardVersion) -> None:
    assert version.breakdowns == ["destination_country", "product"]
    assert (
        StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0").breakdowns == []
    )


def test_every_published_figure_agrees_with_the_numpy_reference(alliance: Alliance) -> None:
    run = compute_run(Standard.objects.get(code="tomato-paste.exports"), PERIOD, trigger=Run.Trigger.COMMAND)
    published = Figure.objects.filter(run=run, status="published", cohort="all")
    assert published.count() >= 10
    checked = set()
    for figure in published:
        where = {figure.breakdown_field: figure.breakdown_value} if figure.breakdown_field else {}
        figures = firm_figures(alliance, PERIOD, figure.measure, where)
        assert figure.n_firms == len(figures)
        if figure.statistic == Statistic.MEAN:
            expected = reference_mean(alliance, PERIOD, figure.measure, where)
        else:
            expected = reference_quantile(figures, QUANTILE_LEVELS[Statistic(figure.statistic)])
        step = {"quantity": 1, "value": 1, "unit_price": 1, "brix": 0.1}.get(figure.measure, 1)
        assert figure.value == pytest.approx(expected, abs=step / 2 + 1e-9), (
            figure.measure,
            figure.statistic,
        )
        checked.add((figure.measure, figure.statistic, figure.breakdown_field))
    assert ("unit_price", "median", "") in checked
    assert ("brix", "mean", "") in checked
    assert ("unit_price", "median", "destination_country") in checked


def test_withheld_figures_say_why_and_carry_no_value(alliance: Alliance) -> None:
    compute_run(Standard.objects.get(code="tomato-paste.exports"), PERIOD, trigger=Run.Trigger.COMMAND)
    kyrgyzstan = _current("unit_price", ("destination_country", "KG"))  # three firms ship there
    assert {f.status for f in kyrgyzstan.values()} == {"suppressed"}
    assert {f.reason for f in kyrgyzstan.values()} == {"too_few_firms"}
    assert all(f.value is None and f.n_firms is None for f in kyrgyzstan.values())
    whole = _current("unit_price")  # 14 firms: quartiles yes, p10/p90 need 20
    assert whole["p10"].reason == "statistic_needs_more_firms" and whole["p10"].value is None
    assert whole["median"].status == "published"
    assert whole["p10"].evidence["rule"] == "STATISTIC_MIN_N"
    assert whole["p10"].evidence["minimum_firms"] == 20


def test_a_dominant_firm_makes_its_cell_confidential(alliance: Alliance) -> None:
    big = alliance.add_firm("big-one")
    alliance.send(big, PERIOD, [row("cold-break-28-30", "UZ", 4000, 4000 * 1000.0, 29.0)])
    compute_run(Standard.objects.get(code="tomato-paste.exports"), PERIOD, trigger=Run.Trigger.COMMAND)
    uzbekistan = _current("quantity", ("destination_country", "UZ"))
    assert uzbekistan["median"].status == "suppressed"
    assert uzbekistan["mean"].reason == "confidential"
    assert uzbekistan["mean"].evidence["rule"] == "DOMINANCE"
    assert float(uzbekistan["mean"].evidence["top_share"]) > 0.25


def test_an_enterprise_group_counts_once(cast: Any, version: StandardVersion) -> None:
    alliance = make_alliance(cast.steward, version)
    for index in range(6):
        firm = alliance.add_firm(f"solo-{index}")
        alliance.send(
            firm, PERIOD, [row("hot-break-28-30", "KZ", 100 + index, (100 + index) * (950 + index))]
        )
    for name in ("twin-a", "twin-b"):
        firm = alliance.add_firm(name, group="Twin Holdings")
        alliance.send(firm, PERIOD, [row("hot-break-28-30", "KZ", 120, 120 * 990.0)])
    compute_run(version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    assert _current("unit_price")["median"].n_firms == 7  # 6 firms and one group of two


def test_only_active_member_firms_count(alliance: Alliance, cast: Any) -> None:
    suspended = alliance.firms[0]
    Organization.objects.filter(pk=suspended.pk).update(status=Organization.Status.SUSPENDED)
    suspended.status = Organization.Status.SUSPENDED
    compute_run(alliance.version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    figures = _current("unit_price")
    assert figures["median"].n_firms == 13
    expected = reference_quantile(
        firm_figures(alliance, PERIOD, "unit_price", {}), QUANTILE_LEVELS[Statistic.MEDIAN]
    )
    assert figures["median"].value == pytest.approx(expected, abs=0.5)


def test_a_resubmission_makes_a_new_run_that_knows_the_earlier_one(alliance: Alliance) -> None:
    standard = alliance.version.standard
    first = compute_run(standard, PERIOD, trigger=Run.Trigger.COMMAND)
    assert first.facts, "the first run published something"
    firm = alliance.firms[5]
    alliance.send(firm, PERIOD, [row("hot-break-28-30", "KZ", 300, 300 * 1010.0, 28.8)], key="again")
    second = compute_run(standard, PERIOD, trigger=Run.Trigger.SUBMISSION)
    assert Figure.objects.filter(run=first, is_current=True).count() == 0
    assert (
        Figure.objects.filter(run=second, is_current=True).count()
        == Figure.objects.filter(run=second).count()
    )
    assert second.submissions != first.submissions  # the input names the new submission
    assert second.input_sha256 != first.input_sha256
    known = {fact.label for fact in prepare(standard, PERIOD).earlier}
    assert {fact[0] for fact in first.facts} <= known  # a later run takes what the first published as known
    assert {fact[0] for fact in second.facts} <= known
    median = _current("unit_price")["median"]
    assert median.run_id == second.pk


def test_the_same_input_gives_the_same_decisions(alliance: Alliance) -> None:
    standard = alliance.version.standard
    first = compute_run(standard, PERIOD, trigger=Run.Trigger.COMMAND)
    second = compute_run(standard, PERIOD, trigger=Run.Trigger.COMMAND)

    def decisions(run: Run) -> list[tuple[Any, ...]]:
        return sorted(
            Figure.objects.filter(run=run).values_list(
                "cohort",
                "measure",
                "breakdown_field",
                "breakdown_value",
                "statistic",
                "status",
                "value",
                "reason",
            )
        )

    assert decisions(first) == decisions(second)
    assert first.policy_sha256 == second.policy_sha256


def test_recompute_benchmarks_prints_each_run(alliance: Alliance) -> None:
    out = io.StringIO()
    call_command("recompute_benchmarks", standard="tomato-paste.exports", stdout=out)
    text = out.getvalue()
    assert f"tomato-paste.exports {PERIOD}: 14 firms" in text
    assert "published" in text and "1 runs." in text
    assert Run.objects.filter(period=PERIOD, trigger=Run.Trigger.COMMAND).count() == 1


def test_recompute_benchmarks_refuses_an_unknown_standard(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no-such"):
        call_command("recompute_benchmarks", standard="no-such.standard", stdout=io.StringIO())


def test_figures_replaced_while_embargoed_were_never_shown_and_bind_nothing(
    cast: Any, version: StandardVersion
) -> None:
    """A price figure of a recent month is embargoed for three months: a run superseded before then
    published nothing anyone saw, so the next run need not protect it; quality figures were shown."""
    alliance = make_alliance(cast.steward, version)
    recent = "2026-11"  # prices embargoed until 2027-03-01
    spread(alliance, recent, 12)
    standard = version.standard
    first = compute_run(standard, recent, trigger=Run.Trigger.COMMAND)
    assert any(fact[0].startswith("all|unit_price|") for fact in first.facts)
    known = {fact.label.split(" ", 1)[0] for fact in prepare(standard, recent).earlier}
    assert not any(key.startswith("all|unit_price|") for key in known)  # never shown
    assert any(key.startswith("all|brix|") for key in known)  # quality: out since 1 December


def test_a_run_over_its_budget_publishes_nothing_and_says_not_computed(
    alliance: Alliance, cast: Any, settings: Any, monkeypatch: Any
) -> None:
    import time

    from apps.benchmarks import runs

    standard = alliance.version.standard
    first = compute_run(standard, PERIOD, trigger=Run.Trigger.COMMAND)
    assert first.facts
    settings.HUB_BENCHMARK_RUN_SECONDS = 1

    def slow_engine(**kwargs: Any) -> Any:
        time.sleep(30)  # the timer interrupts the sleep, as it does the engine's Python between solves
        raise AssertionError("the budget should have stopped the engine")

    monkeypatch.setattr(runs, "protect_run", slow_engine)
    started = time.monotonic()
    second = compute_run(standard, PERIOD, trigger=Run.Trigger.SUBMISSION)
    assert time.monotonic() - started < 10
    figures = Figure.objects.filter(run=second)
    assert figures.count() == Figure.objects.filter(run=first).count()
    assert set(figures.values_list("status", flat=True)) == {"not_computed"}
    assert not figures.exclude(value=None).exists() and not figures.exclude(n_firms=None).exists()
    assert set(figures.values_list("evidence__rule", flat=True)) == {"OVER_BUDGET"}
    assert second.facts == [] and second.summary == {"not_computed:": figures.count()}
    assert not Figure.objects.filter(run=first, is_current=True).exists()

    body = cast.client_for("a_viewer").get(
        f"/api/v1/benchmarks/?standard={standard.code}&measure=unit_price&period={PERIOD}&breakdown=none"
    )
    rows = body.json()["results"]
    shown = {(r["status"], r["value"], r["reason"], r["n_firms"]) for r in rows}
    assert rows and shown == {("not_computed", None, None, None)}


def test_the_budget_stops_the_real_engine(alliance: Alliance, settings: Any) -> None:
    settings.HUB_BENCHMARK_RUN_SECONDS = 0.001  # far less than deciding a hundred cells takes
    run = compute_run(alliance.version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    assert set(Figure.objects.filter(run=run).values_list("status", flat=True)) == {"not_computed"}
    settings.HUB_BENCHMARK_RUN_SECONDS = 240
    again = compute_run(alliance.version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    assert Figure.objects.filter(run=again, status="published").exists()
