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
ratio of this size's p50 to the previous one's: with doubled firms, and with four times the cells, and
what the audit did in the last run: its calls (find_violation), the components it audited afresh, the
insiders decided by their own basis (fallbacks) and the linear programmes solved.
A size whose first run takes more than --limit seconds is run once, and the sizes after it in its row
and column are skipped. The engine is pure
Python with numpy and scipy: no Django, no database.

`--shape production --firms 20,100,300,1000` times the shape of a production run instead: one standard
and one period (a quarter); each firm ships some of five products to some of nine destinations (a
slice is a destination and a product); four quantities (tonnes, value, cost, Brix-tonnes); seven
measures (three sums, the unit price and unit cost, value per cost, Brix weighted by tonnes); cells
for three cohorts (all, one region, the large firms) x the seven measures x (the total, each
destination, each product): 315 cells, most breakdown cells small. A size whose run takes more than
--limit seconds stops the sizes after it.
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

from apps.benchmarks import audit
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


PRODUCTS = ("paste", "ketchup", "juice", "puree", "diced")
PORTS = ("KZ", "RU", "CN", "UZ", "KG", "AF", "TR", "IR", "AZ")
REGIONS = ("north", "south", "east")
# measure: (class, aggregation, quantity, per, rounding)
MEASURES = {
    "quantity": (MeasureClass.QUANTITY, Aggregation.SUM, "quantity_t", None, "1"),
    "value": (MeasureClass.QUANTITY, Aggregation.SUM, "value_usd", None, "1"),
    "cost": (MeasureClass.PRICE_COST, Aggregation.SUM, "cost_usd", None, "1"),
    "unit_price": (MeasureClass.PRICE_COST, Aggregation.RATIO, "value_usd", "quantity_t", "0.01"),
    "unit_cost": (MeasureClass.PRICE_COST, Aggregation.RATIO, "cost_usd", "quantity_t", "0.01"),
    "value_per_cost": (MeasureClass.PRICE_COST, Aggregation.RATIO, "value_usd", "cost_usd", "0.001"),
    "brix": (MeasureClass.QUALITY, Aggregation.WEIGHTED_MEAN, "brix_t", "quantity_t", "0.1"),
}


def _production_amounts(rng: np.random.Generator, ids: list[str], sizes: np.ndarray) -> list[Amount]:
    amounts = []
    for i, firm in enumerate(ids):
        ports = rng.choice(len(PORTS), size=int(rng.integers(1, 4)), replace=False)
        products = rng.choice(len(PRODUCTS), size=int(rng.integers(1, 3)), replace=False)
        price, cost, brix = rng.normal(900.0, 120.0), rng.normal(0.8, 0.08), rng.normal(30.0, 3.0)
        for d in ports:
            for p in products:
                if rng.random() < 0.3:
                    continue  # not this product to that destination
                quantity = round(float(sizes[i] * rng.uniform(0.3, 1.0)), 3)
                value = round(quantity * max(price * rng.normal(1.0, 0.05), 50.0), 2)
                slice_ = f"{PORTS[int(d)]}|{PRODUCTS[int(p)]}"
                amounts += [
                    Amount(firm, "quantity_t", slice_, quantity),
                    Amount(firm, "value_usd", slice_, value),
                    Amount(firm, "cost_usd", slice_, round(value * max(cost, 0.3), 2)),
                    Amount(firm, "brix_t", slice_, round(quantity * brix, 3)),
                ]
    return amounts


def build_production(n_firms: int, seed: int) -> Alliance:
    """A deterministic production-shaped run of `n_firms` firms (see the module's docstring)."""
    rng = np.random.default_rng([seed, n_firms, 7])
    ids = [f"f{i:04d}" for i in range(n_firms)]
    owner = list(range(n_firms))
    for a in rng.choice(n_firms, size=n_firms // 6, replace=False):
        owner[int(a)] = int(rng.integers(n_firms))
    firms = [Firm(ids[i], f"g{owner[i]:04d}") for i in range(n_firms)]
    sizes = rng.lognormal(mean=6.0, sigma=1.2, size=n_firms)
    amounts = _production_amounts(rng, ids, sizes)
    region = {firm: REGIONS[int(rng.integers(len(REGIONS)))] for firm in ids}
    large = float(np.median(sizes))
    cohorts = {
        "all": frozenset(ids),
        "north": frozenset(f for f in ids if region[f] == "north"),
        "large": frozenset(f for f, size in zip(ids, sizes, strict=True) if size >= large),
    }
    every = {a.slice for a in amounts}
    breakdowns = {"total": frozenset(every)}
    breakdowns |= {port: frozenset(s for s in every if s.startswith(f"{port}|")) for port in PORTS}
    breakdowns |= {product: frozenset(s for s in every if s.endswith(f"|{product}")) for product in PRODUCTS}
    cells = [
        Cell(
            f"{cohort}|2026-Q1|{breakdown}|{measure}",
            measure,
            measure_class,
            aggregation,
            quantity,
            per,
            members,
            slices,
            QUARTER_END,
            Decimal(rounding),
        )
        for cohort, members in cohorts.items()
        for breakdown, slices in breakdowns.items()
        if slices
        for measure, (measure_class, aggregation, quantity, per, rounding) in MEASURES.items()
    ]
    return Alliance(firms, amounts, cells)


class Counting:
    """Counts what the audits of the runs do, by wrapping the engine's Audit (the bench only)."""

    def __init__(self) -> None:
        self.last = audit.AuditCounts()
        created = self
        original = audit.Audit.__init__

        def init(self: audit.Audit, *args: object, **kwargs: object) -> None:
            original(self, *args, **kwargs)  # type: ignore[arg-type]
            created.last = self.counts

        audit.Audit.__init__ = init  # type: ignore[method-assign]

    def text(self) -> str:
        c = self.last
        return f"{c.calls} | {c.components} | {c.fallbacks} | {c.programmes}"


COUNTING = Counting()


def run(alliance: Alliance) -> RunOutcome:
    return protect_run(cells=alliance.cells, firms=alliance.firms, amounts=alliance.amounts, today=TODAY)


@dataclass
class Result:
    firms: int
    cells: int
    p50: float
    p99: float
    counts: Counter[Status]
    audit: str


def percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(samples, q, method="higher"))


def measure(
    n_firms: int, n_cells: int, repeat: int, seed: int, limit: float, production: bool = False
) -> Result:
    """`repeat` runs of one alliance, or one if it took longer than `limit` seconds."""
    alliance = build_production(n_firms, seed) if production else build_alliance(n_firms, n_cells, seed)
    n_cells = len(alliance.cells)
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
    return Result(n_firms, n_cells, percentile(times, 50), percentile(times, 99), counts, COUNTING.text())


def _ratio(result: Result, before: Result | None) -> str:
    return "" if before is None else f"{result.p50 / before.p50:.1f}"


def production(firm_counts: list[int], repeat: int, seed: int, limit: float) -> None:
    """The production-shaped runs, smallest first, until one takes longer than `limit` seconds."""
    print(
        "| firms | cells | figures | p50 s | p99 s | published | suppressed | other | audits | components "
        "| fallbacks | LPs |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n_firms in sorted(firm_counts):
        result = measure(n_firms, 0, repeat, seed, limit, production=True)
        counts = result.counts
        other = sum(counts.values()) - counts[Status.PUBLISHED] - counts[Status.SUPPRESSED]
        print(
            f"| {n_firms} | {result.cells} | {sum(counts.values())} | {result.p50:.3f} | {result.p99:.3f} "
            f"| {counts[Status.PUBLISHED]} | {counts[Status.SUPPRESSED]} | {other} | {result.audit} |",
            flush=True,
        )
        if result.p50 > limit:
            larger = [f for f in firm_counts if f > n_firms]
            if larger:
                print(f"\nskipped {larger}: {n_firms} firms took over {limit:g} s a run")
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", default="20,40,80,160", help="firm counts (default 20,40,80,160)")
    parser.add_argument("--cells", default="8,32,128", help="cell counts, even (default 8,32,128)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each size (default 5)")
    parser.add_argument("--limit", type=float, default=60.0, help="skip larger sizes past this many s a run")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--quick", action="store_true", help="a small grid: F 20,40 x C 8,32, 3 runs each")
    parser.add_argument(
        "--shape", choices=("grid", "production"), default="grid", help="the F x C grid, or production runs"
    )
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
    if args.shape == "production":
        production(firm_counts, args.repeat, args.seed, args.limit)
        return
    print(
        "| firms | cells | figures | p50 s | p99 s | published | suppressed | other | x firms | x cells "
        "| audits | components | fallbacks | LPs |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    results: dict[tuple[int, int], Result] = {}
    slow: set[tuple[int, int]] = set()  # sizes past the limit, or skipped: larger ones are skipped
    for n_cells in cell_counts:
        for n_firms in firm_counts:
            fewer_firms = [(f, n_cells) for f in firm_counts if f < n_firms]
            fewer_cells = [(n_firms, c) for c in cell_counts if c < n_cells]
            if slow.intersection(fewer_firms[-1:] + fewer_cells[-1:]):
                slow.add((n_firms, n_cells))
                skipped = f"skipped: a smaller size took over {args.limit:g} s"
                print(f"| {n_firms} | {n_cells} | | {skipped} | | | | | | | | | | |")
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
                f"| {_ratio(result, by_firms)} | {_ratio(result, by_cells)} | {result.audit} |",
                flush=True,
            )
    print()
    print("x firms: p50 over the p50 with the previous firm count; x cells: over the previous cell count.")
    print(f"A size whose first run took over {args.limit:g} s is run once.")


if __name__ == "__main__":
    main()
