"""Random small alliances for the property tests (reference §6.8): skewed firm sizes, enterprise
groups, overlapping steward cohorts, months and their sum, a ratio beside the sums, and a policy drawn
within the allowed ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from apps.benchmarks.codes import Aggregation, MeasureClass
from apps.benchmarks.inputs import Amount, Cell, Firm
from apps.benchmarks.policy import DEFAULT_POLICY, ClassRules, Policy

MONTH_ENDS = {"2026-01": date(2026, 1, 31), "2026-02": date(2026, 2, 28)}


@dataclass(frozen=True)
class Alliance:
    firms: list[Firm]
    amounts: list[Amount]
    cells: list[Cell]
    policy: Policy


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    cap = Decimal(draw(st.sampled_from(["0.20", "0.25", "0.30", "0.50"])))
    lag = draw(st.sampled_from([3, 6, 12]))
    sensitive = ClassRules(5, cap, None, lag)
    quality = ClassRules(draw(st.sampled_from([3, 5, 6])), None, draw(st.sampled_from([10, 15, 20])), 0)
    return Policy(
        price_cost=sensitive,
        quantity=sensitive,
        quality=quality,
        protection_interval=Decimal(draw(st.sampled_from(["0.05", "0.10", "0.20"]))),
        sign_off="property test",
    )


def _size(draw: st.DrawFn) -> float:
    return float(draw(st.integers(1, 100)) * 10 ** draw(st.integers(0, 2)))


@st.composite
def alliances(draw: st.DrawFn, max_firms: int = 12, max_cohorts: int = 2, ratios: bool = True) -> Alliance:
    n = draw(st.integers(5, max_firms))
    ids = [f"f{i}" for i in range(n)]
    owner = list(range(n))
    for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2)):
        owner[a] = owner[b]
    firms = [Firm(ids[i], f"g{owner[i]}") for i in range(n)]
    months = draw(st.sampled_from([["2026-01"], ["2026-01", "2026-02"]]))
    amounts = []
    for firm in ids:
        price = float(draw(st.integers(50, 150)))
        for month in months:
            if draw(st.integers(0, 9)) == 0:
                continue  # no exports that month
            quantity = _size(draw)
            amounts += [
                Amount(firm, "quantity_t", month, quantity),
                Amount(firm, "value_usd", month, quantity * price),
            ]
    cohorts = {"all": frozenset(ids)}
    for c in range(draw(st.integers(0, max_cohorts))):
        members = frozenset(f for f in ids if draw(st.booleans()))
        if members:
            cohorts[f"cohort{c}"] = members
    layouts = [[m] for m in months] + ([months] if len(months) > 1 else [])
    quantity_class = draw(st.sampled_from([MeasureClass.QUANTITY, MeasureClass.QUALITY]))
    cells = []
    for name, members in cohorts.items():
        for layout in layouts:
            key = f"{name}|{'+'.join(layout)}"
            end = max(MONTH_ENDS[m] for m in layout)
            slices = frozenset(layout)
            cells.append(
                Cell(
                    f"{key}|q",
                    "quantity_t",
                    quantity_class,
                    Aggregation.SUM,
                    "quantity_t",
                    None,
                    members,
                    slices,
                    end,
                )
            )
            if ratios and draw(st.booleans()):
                cells.append(
                    Cell(
                        f"{key}|p",
                        "price",
                        MeasureClass.PRICE_COST,
                        Aggregation.RATIO,
                        "value_usd",
                        "quantity_t",
                        members,
                        slices,
                        end,
                    )
                )
    policy = draw(policies()) if draw(st.booleans()) else DEFAULT_POLICY
    return Alliance(firms, amounts, cells, policy)
