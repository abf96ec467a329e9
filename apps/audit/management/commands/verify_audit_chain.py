from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.integrity import BadCheckpoint, read_checkpoint, verify_chain, write_checkpoint


class Command(BaseCommand):
    help = (
        "Check that no audit event was changed, removed, reordered or written without the audit key, "
        "and that the chain still holds the last checkpoint; then write a new checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            type=Path,
            default=None,
            help="the checkpoint file (default: HUB_AUDIT_CHECKPOINT_FILE)",
        )
        parser.add_argument(
            "--keep-checkpoint", action="store_true", help="check against the checkpoint, do not move it on"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["checkpoint"] or Path(settings.HUB_AUDIT_CHECKPOINT_FILE)
        try:
            checkpoint = read_checkpoint(path)
        except BadCheckpoint as error:
            self.stderr.write(str(error))
            raise CommandError("audit chain broken: its checkpoint cannot be trusted") from None
        if checkpoint is None:
            self.stdout.write(f"no checkpoint at {path} yet: removed newest events could not be seen")
        result = verify_chain(checkpoint)
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            raise CommandError(
                f"audit chain broken: {len(result.problems)} problem(s) in {result.count} events"
            )
        self.stdout.write(f"audit chain intact: {result.count} events")
        if not options["keep_checkpoint"]:
            new = result.checkpoint()
            write_checkpoint(path, new)
            self.stdout.write(f"audit checkpoint {path}: {new.as_json()}")
