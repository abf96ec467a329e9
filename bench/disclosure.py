"""Wall time of one benchmark run under disclosure control (make bench-disclosure; docs/performance.md
has the latest figures).

Each size is an alliance of F firms (about one in six shares its enterprise group with another) that
export to a few destination countries over the three months of a quarter, drawn from a seeded numpy
Generator: skewed firm sizes (log-normal), a price per firm and destination. Its C cells come in pairs,
a sum (quantity_t, class quantity) and a ratio (value_usd per quantity_t, class price_cost) over the
same cohort and slices: the whole quarter for all firms, then one per destination, one per month, then
random overlapping cohorts, each for the quarter and per destination, until there are C. Each run is
apps.benchmarks.disclosure.protect_run on the default policy, after the lag (nothing embargoed).

The table gives, per size, the seconds of a run at p50 and p99 over --repeat runs (with few repeats
p99 is about the slowest run), the figures published and suppressed (six statistics a cell), and the
ratio of this size's p50 to the previous one's: with doubled firms, and with four times the cells.
A size whose first run takes more than --limit seconds is run once, and the sizes after it in its row
and column are skipped. The engine is pure
Python with numpy and scipy: no Django, no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.benchmarks.codes import Aggregation, MeasureClass, Status
from apps.benchmarks.disclosure import RunOutcome, protect_run
from apps.benchmarks.inputs import Amount, Cell, Firm

MONTHS = ("2026-01", "2026-02", "2026-03")
QUARTER_END = date(2026, 3, 31)
TODAY = date(2026, 12, 3)  # after the three months' lag of the quarter
DESTINATIONS = ("KZ", "RU", "CN", "UZ", "KG", "AF")


@dataclass(frozen=True)
class Alliance:
    firms: list[Firm]
    amounts: list[Amount]
    cells: list[Cell]


def _cell_pair(name: str, members: frozenset[str], slices: frozenset[str]) -> list[Cell]:
    total = Cell(
        f"{name}|quantity_t",
        "quantity_t",
        MeasureClass.QUANTITY,
        Aggregation.SUM,
        "quantity_t",
        None,
        members,
        slices,
        QUARTER_END,
        Decimal("1"),
    )
    price = Cell(
        f"{name}|unit_price",
        "unit_price",
        MeasureClass.PRICE_COST,
        Aggregation.RATIO,
        "value_usd",
        "quantity_t",
        members,
        slices,
        QUARTER_END,
        Decimal("0.01"),
    )
    return [total, price]


def build_alliance(n_firms: int, n_cells: int, seed: int) -> Alliance:
    """A deterministic alliance of `n_firms` firms and `n_cells` cells (an even number)."""
    rng = np.random.default_rng([seed, n_firms, n_cells])
    ids = [f"f{i:04d}" for i in range(n_firms)]
    owner = list(range(n_firms))
    for a in rng.choice(n_firms, size=n_firms // 6, replace=False):
        owner[int(a)] = int(rng.integers(n_firms))  # joins another firm's enterprise group
    firms = [Firm(ids[i], f"g{owner[i]:04d}") for i in range(n_firms)]

    amounts = []
    sizes = rng.lognormal(mean=6.0, sigma=1.2, size=n_firms)  # tonnes a month, skewed
    for i, firm in enumerate(ids):
        reach = int(rng.integers(1, len(DESTINATIONS) + 1))
        destinations = rng.choice(len(DESTINATIONS), size=reach, replace=False)
        shares = rng.dirichlet(np.ones(reach))
        base_price = rng.normal(900.0, 120.0)  # USD a tonne
        for d, share in zip(destinations, shares, strict=True):
            price = max(base_price * rng.normal(1.0, 0.05), 50.0)
            for month in MONTHS:
                if rng.random() < 0.1:
                    continue  # nothing shipped there that month
                quantity = round(float(sizes[i] * share * rng.uniform(0.7, 1.3)), 3)
                slice_ = f"{month}|{DESTINATIONS[int(d)]}"
                amounts.append(Amount(firm, "quantity_t", slice_, quantity))
                amounts.append(Amount(firm, "value_usd", slice_, round(quantity * price, 2)))

    everyone = frozenset(ids)
    quarter = frozenset(f"{m}|{d}" for m in MONTHS for d in DESTINATIONS)
    to = {d: frozenset(f"{m}|{d}" for m in MONTHS) for d in DESTINATIONS}
    layouts = [("all|2026-Q1", everyone, quarter)]
    layouts += [(f"all|2026-Q1|{d}", everyone, to[d]) for d in DESTINATIONS]
    layouts += [(f"all|{m}", everyone, frozenset(f"{m}|{d}" for d in DESTINATIONS)) for m in MONTHS]
    cohort = 0
    while len(layouts) < n_cells // 2:
        share = rng.uniform(0.3, 0.7)
        members = frozenset(f for f in ids if rng.random() < share) or everyone
        layouts.append((f"cohort{cohort}|2026-Q1", members, quarter))
        layouts += [(f"cohort{cohort}|2026-Q1|{d}", members, to[d]) for d in DESTINATIONS]
        cohort += 1
    cells = [cell for layout in layouts[: n_cells // 2] for cell in _cell_pair(*layout)]
    return Alliance(firms, amounts, cells)


def run(alliance: Alliance) -> RunOutcome:
    return protect_run(cells=alliance.cells, firms=alliance.firms, amounts=alliance.amounts, today=TODAY)


@dataclass
class Result:
    firms: int
    cells: int
    p50: float
    p99: float
    counts: Counter[Status]


def percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(samples, q, method="higher"))


def measure(n_firms: int, n_cells: int, repeat: int, seed: int, limit: float) -> Result:
    """`repeat` runs of one alliance, or one if it took longer than `limit` seconds."""
    alliance = build_alliance(n_firms, n_cells, seed)
    times: list[float] = []
    outcome = None
    for _ in range(repeat):
        start = time.perf_counter()
        this = run(alliance)
        times.append(time.perf_counter() - start)
        if times[0] > limit:
            outcome = this
            break
        if outcome is not None and this.decisions != outcome.decisions:
            raise SystemExit(f"F={n_firms} C={n_cells}: two runs of the same input decided differently")
        outcome = this
    assert outcome is not None
    counts = Counter(d.status for d in outcome.decisions)
    return Result(n_firms, n_cells, percentile(times, 50), percentile(times, 99), counts)


def _ratio(result: Result, before: Result | None) -> str:
    return "" if before is None else f"{result.p50 / before.p50:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", default="20,40,80,160", help="firm counts (default 20,40,80,160)")
    parser.add_argument("--cells", default="8,32,128", help="cell counts, even (default 8,32,128)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each size (default 5)")
    parser.add_argument("--limit", type=float, default=60.0, help="skip larger sizes past this many s a run")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--quick", action="store_true", help="a small grid: F 20,40 x C 8,32, 3 runs each")
    args = parser.parse_args()
    if args.quick:
        args.firms, args.cells, args.repeat = "20,40", "8,32", 3
    firm_counts = [int(f) for f in args.firms.split(",")]
    cell_counts = [int(c) for c in args.cells.split(",")]
    if any(c < 2 or c % 2 for c in cell_counts):
        parser.error("cell counts must be even (a sum and a ratio per cohort and slices)")

    print(f"# bench/disclosure.py, {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"# machine: {os.cpu_count()} CPUs, {platform.platform()}, {platform.processor() or '?'}")
    print(
        f"# Python {platform.python_version()}, numpy {np.__version__}, seed {args.seed}, {args.repeat} runs"
    )
    print()
    print("| firms | cells | figures | p50 s | p99 s | published | suppressed | other | x firms | x cells |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    results: dict[tuple[int, int], Result] = {}
    slow: set[tuple[int, int]] = set()  # sizes past the limit, or skipped: larger ones are skipped
    for n_cells in cell_counts:
        for n_firms in firm_counts:
            fewer_firms = [(f, n_cells) for f in firm_counts if f < n_firms]
            fewer_cells = [(n_firms, c) for c in cell_counts if c < n_cells]
            if slow.intersection(fewer_firms[-1:] + fewer_cells[-1:]):
                slow.add((n_firms, n_cells))
                skipped = f"skipped: a smaller size took over {args.limit:g} s"
                print(f"| {n_firms} | {n_cells} | | {skipped} | | | | | | |")
                continue
            result = measure(n_firms, n_cells, args.repeat, args.seed, args.limit)
            results[(n_firms, n_cells)] = result
            if result.p50 > args.limit:
                slow.add((n_firms, n_cells))
            smaller_firms = [f for f in firm_counts if f < n_firms and (f, n_cells) in results]
            by_firms = results[(smaller_firms[-1], n_cells)] if smaller_firms else None
            fewer = [c for c in cell_counts if c < n_cells and (n_firms, c) in results]
            by_cells = results[(n_firms, fewer[-1])] if fewer else None
            counts = result.counts
            other = sum(counts.values()) - counts[Status.PUBLISHED] - counts[Status.SUPPRESSED]
            print(
                f"| {n_firms} | {n_cells} | {sum(counts.values())} | {result.p50:.3f} | {result.p99:.3f} "
                f"| {counts[Status.PUBLISHED]} | {counts[Status.SUPPRESSED]} | {other} "
                f"| {_ratio(result, by_firms)} | {_ratio(result, by_cells)} |",
                flush=True,
            )
    print()
    print("x firms: p50 over the p50 with the previous firm count; x cells: over the previous cell count.")
    print(f"A size whose first run took over {args.limit:g} s is run once.")


if __name__ == "__main__":
    main()
