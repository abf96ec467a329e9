from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.standards.definition import DefinitionError
from apps.standards.services import STANDARDS_DIR, check_file, load_standards


class Command(BaseCommand):
    help = "Load the sectors and standard versions shipped in standards/ (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--folder", default=str(STANDARDS_DIR))
        parser.add_argument(
            "--check", nargs="+", metavar="FILE", help="Only check these files; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            failed = 0
            for name in options["check"]:
                try:
                    check_file(Path(name))
                    self.stdout.write(f"{name}: ok")
                except DefinitionError as error:
                    failed += 1
                    self.stderr.write(str(error))
            if failed:
                raise CommandError(f"{failed} file(s) with problems")
            return
        try:
            results = load_standards(Path(options["folder"]))
        except DefinitionError as error:
            raise CommandError(str(error)) from None
        created = [name for name, outcome in results if outcome != "unchanged"]
        for name, outcome in results:
            if outcome != "unchanged":
                self.stdout.write(f"{name}: {outcome}")
        self.stdout.write(f"standards: {len(results)} versions, {len(created)} new or changed")
