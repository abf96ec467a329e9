"""Recompute benchmarks now, in this process, and print each run.

manage.py recompute_benchmarks                      # every member standard, every period with data
manage.py recompute_benchmarks --standard tomato-paste.exports --period 2026-03
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.benchmarks.models import Run
from apps.benchmarks.runs import NothingToCompute, compute_run
from apps.benchmarks.selectors import periods_with_data, standards_to_benchmark


class Command(BaseCommand):
    help = "Recompute benchmarks synchronously and print each run."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--standard", help="Only this standard (its code).")
        parser.add_argument("--period", help="Only this period (as the standard writes it, e.g. 2026-03).")

    def handle(self, *args: Any, **options: Any) -> None:
        standards = standards_to_benchmark()
        if options["standard"]:
            standards = [s for s in standards if s.code == options["standard"]]
            if not standards:
                raise CommandError(
                    f"no member standard with benchmark measures is called {options['standard']!r}"
                )
        total = 0
        for standard in standards:
            periods = [options["period"]] if options["period"] else periods_with_data(standard)
            for period in periods:
                try:
                    run = compute_run(standard, period, trigger=Run.Trigger.COMMAND)
                except NothingToCompute:
                    continue
                total += 1
                counts = ", ".join(f"{key.rstrip(':')} {count}" for key, count in run.summary.items())
                self.stdout.write(
                    f"run {run.pk}: {standard.code} {period}: {run.n_firms} firms, {run.n_cells} cells; "
                    f"{counts}; read {run.timings['read']:.2f} s, audit {run.timings['audit']:.2f} s, "
                    f"write {run.timings['write']:.2f} s; policy {run.policy.version}"
                    + (f"; unresolved {len(run.unresolved)}" if run.unresolved else "")
                )
        self.stdout.write(f"{total} runs.")
