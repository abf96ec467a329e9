"""Benchmark runs at an alliance's full size (make bench-benchmarks; docs/performance.md has the latest).

The data: --firms member firms (all three sectors, a spread of regions and size classes, about one in
ten in an enterprise group of two or three), each sending tomato-paste.exports, sea-buckthorn.exports
and textiles.exports (their current versions, 1.1.0) for --periods months, --rows-per-firm rows a
firm-month: 1,000 x 3 x 24 x 140 is about 10 million observations. It is written straight into the
tables (Submission rows in force, observations COPYed into their field slots), not through the
submission pipeline, into a scratch database of the embedded PostgreSQL named after the sizes;
--reuse keeps it between runs.

What it measures, each in its own table:
- sql: `runs.prepare()` for every (standard, period), the step that reads the amounts with one GROUP BY
  (`sources.amounts()`) and builds the cells, against a bare `percentile_cont` GROUP BY over the same
  rows;
- audit: the engine (`runs.decide()`) on the firms of one run and on sub-samples of them (--sample-firms)
  with the whole cohort only, by product, and by every breakdown; each in a forked child ended after
  --audit-budget seconds ("over budget"), larger sizes skipped once a smaller one is over;
- full: `runs.compute_run()` for every (standard, period) in turn, each in a forked child under the same
  budget (read, audit, write as the run records them); stops at the first run over budget;
- incremental: one firm resubmits one month (a new submission in force, its period marked stale), then
  that one run: prepare, and the engine under the budget;
- reads: GET /api/v1/benchmarks/ (first page, and one cell's figures), /position/ and /api/v1/me/ under
  --clients concurrent clients with a token, against gunicorn as `manage.py runhub` starts it. When the
  engine did not finish, the figures read are stand-ins written by the bench: every cell of every run,
  six statistics each, the rows a run would store (values not computed).

Set HUB_DATA_DIR (e.g. /tmp/hub-bench) to keep the embedded server away from `make run`'s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

STANDARDS = ("tomato-paste.exports", "sea-buckthorn.exports", "textiles.exports")
SECTORS = ("tomato-paste", "sea-buckthorn", "textiles")
LAST_PERIOD = (2026, 11)
REGIONS = ("Changji", "Bayingolin", "Bortala", "Aksu", "Shihezi", "Tacheng", "Hami", "Turpan", "Ili", "Altay")
SIZES = {"micro": 30.0, "small": 120.0, "medium": 500.0, "large": 2000.0}  # tonnes a month, per standard
SIZE_SHARES = (0.3, 0.35, 0.25, 0.1)
DESTINATIONS = (
    "KZ", "UZ", "KG", "RU", "TJ", "TM", "AF", "MN", "IR", "PK", "AZ", "GE",
    "TR", "AE", "DE", "IT", "NL", "PL", "US", "JP", "KR", "IN", "SA", "BY",
)  # fmt: skip
PRICES = {  # USD a tonne
    "hot-break-28-30": 950, "hot-break-30-32": 1000, "hot-break-36-38": 1150,
    "cold-break-28-30": 1050, "cold-break-30-32": 1100, "cold-break-36-38": 1250,
    "frozen-berries": 2000, "dried-berries": 6000, "juice-concentrate": 3000,
    "seed-oil": 40000, "pulp-oil": 30000, "leaf-tea": 8000,
    "cotton-lint": 1800, "cotton-yarn": 3000, "woven-fabric": 5000, "knitted-fabric": 4500,
    "garments-knitted": 12000, "garments-woven": 14000, "home-textiles": 7000,
}  # fmt: skip
HS_CODES = {
    "tomato-paste.exports": {"": "200290"},
    "sea-buckthorn.exports": {"": "081090", "seed-oil": "151590", "pulp-oil": "151590", "leaf-tea": "121190"},
    "textiles.exports": {
        "cotton-lint": "520100", "cotton-yarn": "520511", "woven-fabric": "520811",
        "knitted-fabric": "600621", "garments-knitted": "610910", "garments-woven": "620342",
        "home-textiles": "630231",
    },
}  # fmt: skip


def periods(count: int) -> list[str]:
    year, month = LAST_PERIOD
    months = [(year * 12 + month - 1) - n for n in range(count)]
    return sorted(f"{m // 12}-{m % 12 + 1:02d}" for m in months)


# --- The scratch database ------------------------------------------------------------------------------


def use_database(name: str, *, fresh: bool) -> bool:
    """Point Django at database `name` of the embedded server (created if missing, emptied first if
    `fresh`); True if it existed and holds a finished build."""
    import psycopg

    from alliance.embedded_db import database_url

    data_dir = Path(os.environ.get("HUB_DATA_DIR", ROOT / ".data"))
    url = database_url(data_dir / "pg")
    socket_dir = url.split("host=", 1)[1]
    with psycopg.connect(dbname="postgres", user="postgres", host=socket_dir, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"postgres://postgres@/{name}?host={socket_dir}"
    if not exists:
        return False
    with psycopg.connect(dbname=name, user="postgres", host=socket_dir) as db:
        built = db.execute("SELECT to_regclass('bench_build')").fetchone()
        return bool(built and built[0])


def build(options: argparse.Namespace) -> dict[str, Any]:
    """Migrate, load the standards, create the firms through the services, then write every submission
    in force and COPY its observations. Returns what was built and how long each step took."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from apps.standards.services import load_standards

    load_standards()
    timings["migrate and standards"] = time.perf_counter() - started

    started = time.perf_counter()
    firms = create_firms(options.firms, options.seed)
    timings["firms (services.create_organization)"] = time.perf_counter() - started

    started = time.perf_counter()
    rows = write_observations(firms, options)
    timings["submissions and COPY of observations"] = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE submissions_observation")
        cursor.execute("VACUUM ANALYZE submissions_submission")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started
    record = {"firms": len(firms), "rows": rows, "timings": timings, "date": time.strftime("%Y-%m-%d")}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_build (record jsonb)")
        cursor.execute("INSERT INTO bench_build VALUES (%s)", [json.dumps(record)])
    return record


def create_firms(count: int, seed: int) -> list[Any]:
    """`count` active member firms in all three sectors, made by the steward through the services."""
    from apps.accounts.models import User
    from apps.organizations import services
    from apps.organizations.models import EnterpriseGroup, Organization, Sector

    rng = np.random.default_rng([seed, 1])
    steward = User.objects.create(email="steward@bench.example", full_name="Bench Steward")
    services.make_steward(user=steward)
    sectors = list(Sector.objects.filter(code__in=SECTORS))
    sizes = rng.choice(list(SIZES), size=count, p=SIZE_SHARES)
    groups: dict[int, Any] = {}
    number = 0
    while number < count:  # about one firm in ten belongs to a group of two or three
        if rng.random() < 0.05 and number + 1 < count:
            group = EnterpriseGroup.objects.create(name=f"Bench Group {number:04d}")
            for member in range(number, min(count, number + int(rng.integers(2, 4)))):
                groups[member] = group
            number += 3
        else:
            number += 1
    firms = []
    for number in range(count):
        firms.append(
            services.create_organization(
                actor=steward,
                slug=f"bench-firm-{number:04d}",
                legal_name=f"Bench Firm {number:04d} Co., Ltd.",
                short_names={"en": f"Bench Firm {number:04d}"},
                kind=Organization.Kind.MEMBER,
                country="CN",
                region=REGIONS[int(rng.integers(len(REGIONS)))],
                size_class=str(sizes[number]),
                sectors=sectors,
                enterprise_group=groups.get(number),
                status=Organization.Status.ACTIVE,
            )
        )
    return firms


def _columns(version: Any) -> dict[str, Any]:
    """The version's stored fields by name (the ones with a column)."""
    from apps.standards.slots import kind_of

    return {f.name: f for f in version.fields.order_by("position") if kind_of(f) and f.slot is not None}


def write_observations(firms: list[Any], options: argparse.Namespace) -> int:
    """One accepted submission in force per firm, standard and period, its rows COPYed into the
    observation table one (standard, period) at a time. Returns the rows written."""
    from apps.standards.models import Standard
    from apps.standards.selectors import current_version

    written = 0
    for number, code in enumerate(STANDARDS):
        standard = Standard.objects.get(code=code)
        version = current_version(standard)
        assert version is not None and version.version == "1.1.0", (code, version)
        profiles = firm_profiles(firms, version, np.random.default_rng([options.seed, 2, number]))
        for period in periods(options.periods):
            rng = np.random.default_rng([options.seed, 3, number, int(period.replace("-", ""))])
            written += write_period(standard, version, period, profiles, options.rows_per_firm, rng)
        print(f"    built {code}: {written:,} rows so far", flush=True)
    return written


def firm_profiles(firms: list[Any], version: Any, rng: np.random.Generator) -> list[dict[str, Any]]:
    """What each firm sells of this standard: a few products, a few destinations (the near markets
    most often), its scale and its price level."""
    products = list(version.fields.get(name="product").constraints["enum"])
    weights = 1.0 / np.arange(1, len(DESTINATIONS) + 1)
    weights /= weights.sum()
    found = []
    for firm in firms:
        n_products = int(rng.integers(1, min(4, len(products)) + 1))
        n_destinations = int(rng.integers(2, 11))
        found.append(
            {
                "firm": firm,
                "products": list(rng.choice(products, size=n_products, replace=False)),
                "destinations": list(rng.choice(DESTINATIONS, size=n_destinations, replace=False, p=weights)),
                "tonnes": SIZES[firm.size_class] * float(rng.lognormal(0.0, 0.4)),
                "price": float(rng.normal(1.0, 0.08)),
                "quality": float(rng.uniform(0.2, 0.4)),
            }
        )
    return found


def write_period(
    standard: Any,
    version: Any,
    period: str,
    profiles: list[dict[str, Any]],
    rows: int,
    rng: np.random.Generator,
) -> int:
    """The submissions of one (standard, period) and their observations, in one COPY."""
    import polars as pl
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.standards.slots import column_of
    from apps.submissions.models import Submission

    fields = _columns(version)
    now = timezone.now()
    submissions, blocks = [], []
    for profile in profiles:
        submission_id = uuid.uuid4()
        block = firm_rows(standard.code, fields, profile, rows, rng)
        count = len(block["row"])
        block["submission_id"] = np.full(count, str(submission_id))
        blocks.append(block)
        submissions.append(
            Submission(
                id=submission_id,
                organization=profile["firm"],
                version=version,
                standard=standard,
                period=period,
                source=Submission.Source.CSV,
                original="",
                filename="bench.csv",
                sha256=hashlib.sha256(str(submission_id).encode()).hexdigest(),
                status=Submission.Status.ACCEPTED,
                row_count=count,
                is_current=True,
                processed_at=now,
            )
        )
    stored = [name for name in blocks[0] if name in fields]
    table = pl.DataFrame(
        {
            name: _column(np.concatenate([block[name] for block in blocks]))
            for name in ["submission_id", "row", *stored]
        }
    )
    names = ["submission_id", "row", *(column_of(fields[name]) for name in stored)]
    data = table.write_csv(include_header=False).encode()
    with transaction.atomic():
        Submission.objects.bulk_create(submissions, batch_size=1000)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            with cursor.cursor.copy(
                f"COPY submissions_observation ({', '.join(names)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                for offset in range(0, len(data), 1 << 20):
                    copy.write(data[offset : offset + (1 << 20)])
    return table.height


def firm_rows(
    code: str, fields: dict[str, Any], profile: dict[str, Any], rows: int, rng: np.random.Generator
) -> Any:
    """One firm-month as numpy columns: `rows` distinct shipment groups over its products and
    destinations (a tenth of them skipped this month), amounts by its scale and price level, quality
    within the field's range."""
    pairs = [(p, d) for p in profile["products"] for d in profile["destinations"] if rng.random() > 0.1]
    pairs = pairs or [(profile["products"][0], profile["destinations"][0])]
    others = [
        name
        for name, field in fields.items()
        if field.role != "measure" and field.type == "enum" and name != "product"
    ]
    choices = [list(fields[name].constraints["enum"]) for name in others]
    combos = int(np.prod([len(c) for c in choices])) if choices else 1
    rows = min(rows, len(pairs) * combos)
    index = np.arange(rows)
    pair = index % len(pairs)
    combo = (index // len(pairs) + int(rng.integers(combos))) % combos
    product = np.array([pairs[i][0] for i in pair])
    columns: dict[str, Any] = {"row": index + 1, "product": product}
    columns["destination_country"] = np.array([pairs[i][1] for i in pair])
    for name, values, digits in zip(
        others, choices, np.unravel_index(combo, [len(c) for c in choices]), strict=True
    ):
        columns[name] = np.array(values)[digits]
    hs = HS_CODES[code]
    columns["hs_code"] = np.array([hs.get(p, hs.get("", "")) for p in product])
    columns["currency"] = np.full(rows, "USD")
    weight_name = "quantity" if "quantity" in fields else "net_weight"
    tonnes = profile["tonnes"] / rows * rng.lognormal(0.0, 0.6, size=rows)
    tonnes = np.round(np.minimum(tonnes, fields[weight_name].constraints.get("maximum", 1e9)), 3)
    columns[weight_name] = tonnes
    price = np.array([PRICES[p] for p in product]) * profile["price"] * rng.normal(1.0, 0.04, size=rows)
    columns["value"] = np.round(tonnes * price, 2)
    for name, field in fields.items():
        if field.role != "measure" or name in columns:
            continue
        if name == "length":
            columns[name] = np.where(np.char.find(product, "fabric") >= 0, np.round(tonnes * 5000), None)
        elif name == "pieces":
            keep = (np.char.find(product, "garments") >= 0) | (product == "home-textiles")
            columns[name] = np.where(keep, np.round(tonnes * 4000), None)
        elif name == "brix":
            low = np.array([float(p.split("-")[-2]) for p in product])
            columns[name] = np.round(low + rng.uniform(0, 2, size=rows), 1)
        else:
            low = float(field.constraints.get("minimum", 0))
            high = float(field.constraints.get("maximum", 100))
            centre = low + (high - low) * profile["quality"]
            value = centre + (high - low) * 0.02 * rng.normal(size=rows)
            columns[name] = np.clip(np.round(value, 0 if field.type == "integer" else 2), low, high)
    return columns


def _column(values: np.ndarray) -> Any:
    """A numpy column as polars takes it: object arrays (numbers with None) as lists."""
    return list(values) if values.dtype == object else values


# --- Measuring -----------------------------------------------------------------------------------------


def in_child(target: Any, budget: float, *args: Any) -> tuple[Any, float]:
    """Run target(*args) in a forked child; its result and seconds, or (None, seconds) once `budget`
    seconds have passed (the child is killed: a run it had open is rolled back)."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection when it needs one
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, args, sender))
    started = time.perf_counter()
    process.start()
    sender.close()
    result = receiver.recv() if receiver.poll(budget) else None
    elapsed = time.perf_counter() - started
    if result is None:
        process.kill()
    process.join()
    if isinstance(result, BaseException):
        raise result
    return result, elapsed


def _child(target: Any, args: tuple[Any, ...], sender: Any) -> None:
    try:
        sender.send(target(*args))
    except Exception as error:  # handed to the parent, which raises it
        sender.send(error)


def _decide(prepared: Any, policy: Any) -> dict[str, Any]:
    from apps.benchmarks.runs import decide

    outcome, seconds = decide(prepared, policy)
    return {"seconds": seconds, "statuses": Counter(d.status.value for d in outcome.decisions)}


def _compute(standard_id: int, period: str) -> dict[str, Any]:
    from apps.benchmarks.models import Run
    from apps.benchmarks.runs import compute_run
    from apps.standards.models import Standard

    run = compute_run(Standard.objects.get(pk=standard_id), period, trigger=Run.Trigger.COMMAND)
    return {"timings": run.timings, "summary": run.summary, "cells": run.n_cells}


def policy_in_force() -> Any:
    from apps.benchmarks.policy import policy_from_document
    from apps.benchmarks.runs import active_policy

    return policy_from_document(active_policy().document)


def reference_query(standard: Any, period: str | None) -> tuple[float, int]:
    """The bare GROUP BY the aggregation step is compared with: the median unit price per destination
    (per period and destination when `period` is None) over the same rows; seconds and groups."""
    from django.db import connection

    from apps.standards.selectors import current_version
    from apps.standards.slots import column_of

    fields = _columns(current_version(standard))
    dest, value = column_of(fields["destination_country"]), column_of(fields["value"])
    weight = column_of(fields["quantity" if "quantity" in fields else "net_weight"])
    where = "s.period = %s" if period else "TRUE"
    sql = (
        f"SELECT {'' if period else 's.period, '}o.{dest}, percentile_cont(0.5) WITHIN GROUP "
        f"(ORDER BY o.{value} / NULLIF(o.{weight}, 0)) FROM submissions_observation o "
        "JOIN submissions_submission s ON s.id = o.submission_id "
        f"WHERE s.standard_id = %s AND s.is_current AND {where} "
        f"GROUP BY {'' if period else 's.period, '}o.{dest}"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [standard.pk, period] if period else [standard.pk])
        groups = len(cursor.fetchall())
    return time.perf_counter() - started, groups


def amounts_only(standard: Any, period: str) -> tuple[float, int]:
    """`sources.amounts()` alone, as prepare() calls it: seconds and amounts."""
    from apps.benchmarks import sources
    from apps.benchmarks.measures import benchmark_measures
    from apps.standards.selectors import current_version, fields_of

    version = current_version(standard)
    fields = fields_of(version)
    _measures, quantities = benchmark_measures(fields)
    by_name = {field.name: field for field in fields}
    breakdowns = [by_name[name] for name in version.breakdowns if name in by_name]
    started = time.perf_counter()
    found = sources.amounts(standard, period, breakdowns, list(quantities.values()))
    return time.perf_counter() - started, len(found)


def sql_step(options: argparse.Namespace) -> None:
    from apps.benchmarks.runs import prepare
    from apps.standards.models import Standard

    print("\n## sql: prepare() for every (standard, period), against a bare percentile_cont GROUP BY")
    print("| standard | runs | rows read | amounts | cells | amounts() s (sum) | prepare() s (sum) "
          "| prepare p50 / max s | reference per run s (sum) | ratio | one reference query s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    totals = Counter[str]()
    for code in STANDARDS:
        standard = Standard.objects.get(code=code)
        sums = Counter[str]()
        prepares, cells = [], 0
        for period in periods(options.periods):
            seconds, found = amounts_only(standard, period)
            sums["amounts_s"] += seconds
            sums["amounts"] += found
            started = time.perf_counter()
            prepared = prepare(standard, period)
            prepares.append(time.perf_counter() - started)
            cells = max(cells, len(prepared.cells))
            seconds, _groups = reference_query(standard, period)
            sums["reference_s"] += seconds
        whole, _groups = reference_query(standard, None)
        rows = rows_of(standard)
        totals.update(
            amounts_s=sums["amounts_s"],
            prepare_s=sum(prepares),
            reference_s=sums["reference_s"],
            whole_s=whole,
            rows=rows,
        )
        print(
            f"| {code} | {len(prepares)} | {rows:,} | {sums['amounts']:,} | {cells} "
            f"| {sums['amounts_s']:.2f} "
            f"| {sum(prepares):.2f} | {statistics.median(prepares):.3f} / {max(prepares):.3f} "
            f"| {sums['reference_s']:.2f} | {sums['amounts_s'] / sums['reference_s']:.2f} | {whole:.2f} |",
            flush=True,
        )
    print(
        f"| all | {3 * options.periods} | {totals['rows']:,} | | | {totals['amounts_s']:.2f} "
        f"| {totals['prepare_s']:.2f} | | {totals['reference_s']:.2f} "
        f"| {totals['amounts_s'] / totals['reference_s']:.2f} | {totals['whole_s']:.2f} |"
    )
    print("ratio: amounts() over the bare query per run (both summed over the runs).")


def rows_of(standard: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM submissions_observation o JOIN submissions_submission s "
            "ON s.id = o.submission_id WHERE s.standard_id = %s AND s.is_current",
            [standard.pk],
        )
        return int(cursor.fetchone()[0])


def sample(prepared: Any, firms: int, breakdowns: str, seed: int) -> Any:
    """The prepared run cut to `firms` firms (a seeded sample) and to the cells of `breakdowns`:
    "whole" (the cohort only), "product" (and by product), "all" (every breakdown)."""
    rng = np.random.default_rng([seed, 4, firms])
    present = sorted({amount.firm for amount in prepared.amounts})
    kept = set(rng.choice(present, size=min(firms, len(present)), replace=False))
    allowed = {"whole": ("",), "product": ("", "product")}.get(breakdowns)
    cells = []
    for cell in prepared.cells:
        field = cell.key.split("|", 2)[2].partition("=")[0]
        if allowed is None or field in allowed:
            cells.append(replace(cell, firms=cell.firms & kept))
    return replace(
        prepared,
        cells=cells,
        firms=[firm for firm in prepared.firms if firm.id in kept],
        amounts=[amount for amount in prepared.amounts if amount.firm in kept],
    )


def audit_step(options: argparse.Namespace) -> None:
    from apps.benchmarks.runs import prepare
    from apps.standards.models import Standard

    standard = Standard.objects.get(code=STANDARDS[0])
    period = periods(options.periods)[-1]
    prepared = prepare(standard, period)
    policy = policy_in_force()
    firm_counts = sorted({min(f, options.firms) for f in options.sample_firms})
    print(f"\n## audit: decide() on {standard.code} {period}, sub-samples of its firms, "
          f"budget {options.audit_budget:g} s a run")  # fmt: skip
    print("| firms | breakdowns | cells | figures | amounts | engine s | published | suppressed | x firms |")
    print("|---|---|---|---|---|---|---|---|---|")
    over: set[tuple[int, str]] = set()
    done: dict[tuple[int, str], float] = {}
    layouts = ("whole", "product", "all")
    for layout in layouts:
        for firms in firm_counts:
            before = [f for f in firm_counts if f < firms]
            finer = layouts[: layouts.index(layout)]
            cut = sample(prepared, firms, layout, options.seed)
            size = f"| {firms} | {layout} | {len(cut.cells)} | {6 * len(cut.cells)} | {len(cut.amounts):,} "
            if (before and (before[-1], layout) in over) or (finer and (firms, finer[-1]) in over):
                over.add((firms, layout))
                print(f"{size}| skipped: a smaller size was over budget | | | |", flush=True)
                continue
            result, _elapsed = in_child(_decide, options.audit_budget, cut, policy)
            if result is None:
                over.add((firms, layout))
                print(f"{size}| over budget (> {options.audit_budget:g}) | | | |", flush=True)
                continue
            done[(firms, layout)] = result["seconds"]
            growth = ""
            if before and (before[-1], layout) in done:
                growth = f"{result['seconds'] / done[(before[-1], layout)]:.1f}"
            statuses = result["statuses"]
            print(
                f"{size}| {result['seconds']:.2f} | {statuses['published']} | {statuses['suppressed']} "
                f"| {growth} |",
                flush=True,
            )
    print("x firms: the engine's seconds over those with the previous firm count, same cells.")


def full_step(options: argparse.Namespace) -> None:
    from apps.standards.models import Standard

    print(f"\n## full: compute_run() for every (standard, period), budget {options.audit_budget:g} s a run")
    print("| standard | period | cells | read s | audit s | write s | wall s | published | suppressed |")
    print("|---|---|---|---|---|---|---|---|---|")
    started = time.perf_counter()
    runs = [
        (Standard.objects.get(code=code), period) for code in STANDARDS for period in periods(options.periods)
    ]
    for number, (standard, period) in enumerate(runs):
        result, elapsed = in_child(_compute, options.audit_budget, standard.pk, period)
        if result is None:
            print(
                f"| {standard.code} | {period} | | | over budget (> {options.audit_budget:g}) "
                f"| | {elapsed:.1f} | | |"
            )
            print(f"Stopped: run {number + 1} of {len(runs)} was over budget; the other "
                  f"{len(runs) - number - 1} runs were not attempted.")  # fmt: skip
            return
        timings, summary = result["timings"], Counter[str]()
        for key, count in result["summary"].items():
            summary[key.split(":")[0]] += count
        print(
            f"| {standard.code} | {period} | {result['cells']} | {timings['read']:.2f} "
            f"| {timings['audit']:.2f} "
            f"| {timings['write']:.2f} | {elapsed:.2f} | {summary['published']} | {summary['suppressed']} |",
            flush=True,
        )
    print(f"Full recomputation: {len(runs)} runs in {time.perf_counter() - started:.1f} s (target 60 s).")


def incremental_step(options: argparse.Namespace) -> None:
    """One firm resubmits the newest month of the first standard: the new submission is put in force
    and the period marked stale as the pipeline does; then that one run is prepared and decided."""
    from django.db import transaction

    from apps.benchmarks.freshness import mark_stale
    from apps.benchmarks.models import Pending
    from apps.benchmarks.runs import prepare
    from apps.organizations.models import Organization
    from apps.standards.models import Standard
    from apps.standards.selectors import current_version
    from apps.submissions.models import Submission

    standard = Standard.objects.get(code=STANDARDS[0])
    version = current_version(standard)
    period = periods(options.periods)[-1]
    firm = Organization.objects.get(slug="bench-firm-0007")
    profile = firm_profiles([firm], version, np.random.default_rng([options.seed, 5]))[0]
    rng = np.random.default_rng([options.seed, 6, int(time.time())])
    started = time.perf_counter()
    with transaction.atomic():
        old = Submission.objects.select_for_update().get(
            organization=firm, standard=standard, period=period, is_current=True
        )
        old.is_current = False
        old.save(update_fields=["is_current"])
        write_period(standard, version, period, [profile], options.rows_per_firm, rng)
        new = Submission.objects.get(organization=firm, standard=standard, period=period, is_current=True)
        Submission.objects.filter(pk=old.pk).update(superseded_by=new)
        mark_stale(standard_id=standard.pk, period=period)
    written = time.perf_counter() - started
    assert Pending.objects.filter(standard=standard, period=period).exists()
    started = time.perf_counter()
    prepared = prepare(standard, period)
    read = time.perf_counter() - started
    result, _elapsed = in_child(_decide, options.audit_budget, prepared, policy_in_force())
    engine = f"{result['seconds']:.2f} s" if result else f"over budget (> {options.audit_budget:g} s)"
    total = f"{read + result['seconds']:.2f} s" if result else "not finished"
    print(f"\n## incremental: {firm.slug} resubmits {standard.code} {period} ({new.row_count} rows)")
    print("| step | seconds |")
    print("|---|---|")
    print(
        f"| the resubmission written and in force, period marked stale (bench's direct write) "
        f"| {written:.3f} |"
    )
    print(
        f"| prepare() of the run ({len(prepared.cells)} cells, {len(prepared.amounts):,} amounts) "
        f"| {read:.3f} |"
    )
    print(f"| decide() of the run | {engine} |")
    print(f"| the run without its write (target 2 s) | {total} |")


def stand_in_figures(options: argparse.Namespace) -> int:
    """Every cell of every run as the figures a run stores, six statistics each, with a Run per
    (standard, period): what the reads read when the engine did not finish. Values are not computed."""
    from django.db import transaction

    from apps.benchmarks.codes import STATISTICS, Status
    from apps.benchmarks.inputs import available_from
    from apps.benchmarks.models import Figure, Run
    from apps.benchmarks.runs import active_policy, prepare
    from apps.standards.models import Standard

    policy_version = active_policy()
    policy = policy_in_force()
    count = 0
    for code in STANDARDS:
        standard = Standard.objects.get(code=code)
        for period in periods(options.periods):
            prepared = prepare(standard, period)
            with transaction.atomic():
                Figure.objects.filter(standard=standard, period=period, is_current=True).update(
                    is_current=False
                )
                run = Run.objects.create(
                    standard=standard,
                    period=period,
                    policy=policy_version,
                    policy_sha256=policy_version.sha256,
                    input_sha256="bench-stand-in",
                    trigger=Run.Trigger.COMMAND,
                    n_firms=len(prepared.firms),
                    n_cells=len(prepared.cells),
                )
                figures = []
                for cell in prepared.cells:
                    _cohort, measure, where = cell.key.split("|", 2)
                    field, _eq, value = where.partition("=")
                    release = available_from(cell.period_end, policy.rules_for(cell.measure_class).lag_months)
                    for number, statistic in enumerate(STATISTICS):
                        figures.append(
                            Figure(
                                run=run,
                                standard=standard,
                                period=period,
                                cohort=_cohort,
                                measure=measure,
                                unit=prepared.measures[measure].unit,
                                breakdown_field=field,
                                breakdown_value=value,
                                statistic=statistic.value,
                                status=Status.PUBLISHED.value,
                                value=100.0 + number,
                                n_firms=len(cell.firms),
                                available_from=release,
                            )
                        )
                Figure.objects.bulk_create(figures, batch_size=2000)
                count += len(figures)
    return count


def reader_token() -> str:
    """A token (viewer) of one bench firm, minted by its admin."""
    from apps.accounts.models import User
    from apps.organizations import services
    from apps.organizations.models import Organization, Role
    from apps.organizations.tokens import create_api_token

    firm = Organization.objects.get(slug="bench-firm-0003")
    steward = User.objects.get(email="steward@bench.example")
    admin, _created = User.objects.get_or_create(
        email="admin@bench-firm-0003.example", defaults={"full_name": "Bench Admin"}
    )
    if not firm.memberships.filter(user=admin).exists():
        services.grant_membership(actor=steward, organization=firm, user=admin, role=Role.ADMIN)
    _token, secret = create_api_token(
        actor=admin, organization=firm, name="bench reads", role="viewer", days=1
    )
    return secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, workers: int, log: Any) -> subprocess.Popen[bytes]:
    """gunicorn as runhub starts it, on the bench's database, with the API throttle out of the way."""
    env = dict(os.environ, HUB_API_RATE="100000000/min")
    command = [sys.executable, "-m", "gunicorn", "alliance.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "120", "--graceful-timeout", "10"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def load(
    port: int, path: str, secret: str, clients: int, requests: int, accept: str = "application/json"
) -> dict[str, Any]:
    """`requests` GETs of `path` from `clients` threads, each with its own connection."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {secret}", "Accept": accept}

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, codes = [], Counter[int]()
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            codes[response.status] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    share = [requests // clients + (1 if n < requests % clients else 0) for n in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, share))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
        "rate": len(ordered) / elapsed,
        "statuses": dict(statuses),
    }


STAND_IN_NOTE = "stand-in figures written by the bench: the engine's runs did not finish at this size"


def reads_step(options: argparse.Namespace) -> None:
    from apps.benchmarks.models import Figure

    current = Figure.objects.filter(is_current=True).count()
    computed = not Figure.objects.filter(is_current=True, run__input_sha256="bench-stand-in").exists()
    note = "figures of the runs computed" if computed else STAND_IN_NOTE
    if not current or options.stand_in:
        current = stand_in_figures(options)
        note = STAND_IN_NOTE
    secret = reader_token()
    period = periods(options.periods)[-min(3, options.periods)]
    paths = {
        "GET /api/v1/me/": "/api/v1/me/",
        "GET /api/v1/benchmarks/ (first page, 50 figures)": "/api/v1/benchmarks/",
        "GET /api/v1/benchmarks/ (one cell: standard, measure, period, breakdown)": (
            f"/api/v1/benchmarks/?standard={STANDARDS[0]}&measure=unit_price&period={period}"
            "&breakdown=destination_country:KZ"
        ),
        "GET /api/v1/benchmarks/position/": (
            f"/api/v1/benchmarks/position/?standard={STANDARDS[0]}&measure=unit_price&period={period}"
        ),
    }
    from django.db import connections

    connections.close_all()
    port = free_port()
    log_path = Path(os.environ.get("HUB_DATA_DIR", ROOT / ".data")) / "bench-benchmarks-gunicorn.log"
    with log_path.open("wb") as log:
        server = start_server(port, options.web_workers, log)
        try:
            for path in paths.values():  # warm every worker, check the answers
                result = load(port, path, secret, options.web_workers * 2, options.web_workers * 10)
                if set(result["statuses"]) != {200}:
                    raise SystemExit(f"{path}: {result['statuses']} (see {log_path})")
            rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
            for _round in range(options.rounds):  # in turns, so drift on a shared machine hits all alike
                for name, path in paths.items():
                    rounds[name].append(load(port, path, secret, options.clients, options.requests))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"\n## reads: {options.clients} concurrent clients, gunicorn {options.web_workers} sync workers, "
          f"{options.rounds} rounds of {options.requests} requests each, a token; "
          f"{current:,} current figures ({note})")  # fmt: skip
    print_rounds(rounds)


def print_rounds(rounds: dict[str, list[dict[str, Any]]]) -> None:
    """The table of `load` rounds by request, each beside `GET /api/v1/me/`."""
    print("| request | p50 ms | p99 ms | requests/s | p50 / me/ p50 | statuses |")
    print("|---|---|---|---|---|---|")
    me = statistics.median(r["p50"] for r in rounds["GET /api/v1/me/"])
    for name, results in rounds.items():
        p50 = statistics.median(r["p50"] for r in results)
        p99 = max(r["p99"] for r in results)
        rate = statistics.median(r["rate"] for r in results)
        codes = Counter[int]()
        for r in results:
            codes.update(r["statuses"])
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {rate:.0f} | {p50 / me:.2f} | {dict(codes)} |")
    print("p50 and requests/s: the median over the rounds; p99: the highest round's.")


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{dt.datetime.now().isoformat(timespec='seconds')} · {os.cpu_count()} CPUs · {memory:.0f} GiB · "
        f"Python {platform.python_version()} · PostgreSQL {server} · load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=24, help="months, up to 2026-11")
    parser.add_argument("--rows-per-firm", type=int, default=140, help="rows a firm-month of each standard")
    parser.add_argument("--quick", action="store_true", help="20 firms x 2 months x 30 rows, budget 5 s")
    parser.add_argument("--reuse", action="store_true", help="reuse a database built for these sizes")
    parser.add_argument("--only", action="append", choices=["sql", "audit", "full", "incremental", "reads"])
    parser.add_argument("--audit-budget", type=float, default=60.0, help="seconds the engine gets a run")
    parser.add_argument("--sample-firms", default="20,100,300,1000", help="firm counts of the audit step")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=1000, help="requests of one round of one endpoint")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--stand-in", action="store_true", help="write stand-in figures even if runs exist")
    parser.add_argument("--seed", type=int, default=20261203)
    options = parser.parse_args()
    if options.quick:
        options.firms, options.periods, options.rows_per_firm = 20, 2, 30
        options.audit_budget, options.requests, options.rounds = 5.0, 200, 1
        options.sample_firms = "10,20"
    options.sample_firms = [int(n) for n in str(options.sample_firms).split(",")]
    steps = options.only or ["sql", "audit", "full", "incremental", "reads"]

    name = f"bench_benchmarks_f{options.firms}_p{options.periods}_r{options.rows_per_firm}"
    built = use_database(name, fresh=not options.reuse)
    import django

    django.setup()
    print(f"# bench/benchmarks.py · {machine()}")
    from django.db import connection

    if built:
        with connection.cursor() as cursor:
            cursor.execute("SELECT record FROM bench_build")
            record = cursor.fetchone()[0]
        record = json.loads(record) if isinstance(record, str) else record
        print(f"# reusing database {name}, built {record['date']}")
    else:
        print(f"# building database {name}: {options.firms} firms x 3 standards x {options.periods} months x "
              f"{options.rows_per_firm} rows", flush=True)  # fmt: skip
        record = build(options)
    print(f"\n## build: {record['firms']:,} firms, {record['rows']:,} observations")
    print("| step | seconds |")
    print("|---|---|")
    for step, seconds in record["timings"].items():
        print(f"| {step} | {seconds:.1f} |")
    print(f"| total | {sum(record['timings'].values()):.1f} |", flush=True)
    for step in steps:
        {"sql": sql_step, "audit": audit_step, "full": full_step, "incremental": incremental_step,
         "reads": reads_step}[step](options)  # fmt: skip


if __name__ == "__main__":
    main()
