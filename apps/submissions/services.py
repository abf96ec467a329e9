"""Receiving, processing and superseding submissions.

- `receive_submission` stores the original bytes (always, even for a file that will be rejected) with
  their SHA-256, and returns the existing submission for a retried request (same Idempotency-Key, or
  the same bytes for the same standard and period). Processing is queued when the row is committed.
- `process_submission` claims the row with a conditional UPDATE and a lease, reads and checks every
  row (apps.submissions.checking, which writes nothing), then either saves the report and writes
  nothing, or writes all observations and supersedes the previous submission for that period in one
  short transaction. It is safe to run again at any point: a killed worker leaves nothing
  half-written, and the sweeper hands the row to another attempt.
- `sweep_submissions` (every minute) re-queues work left in `received` or with an expired lease, and
  gives up with a clear report after HUB_SUBMISSION_MAX_ATTEMPTS attempts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.celery import app as celery_app
from alliance.errors import HubError
from apps.audit.services import record_event
from apps.organizations.models import ApiToken, Organization
from apps.standards.models import StandardVersion
from apps.standards.values import parse_period
from apps.submissions import parsing
from apps.submissions.checking import check_table, open_table
from apps.submissions.messages import ReportProblem
from apps.submissions.models import Issue, Observation, Submission
from apps.submissions.permissions import check_can_send
from apps.submissions.scratch import clear_stale_scratch, scratch_dir
from apps.submissions.signals import processed, put_in_force

logger = logging.getLogger(__name__)


class TooLarge(HubError):
    """The upload is larger than HUB_UPLOAD_MAX_BYTES."""

    status = 413
    code = "too_large"

    def __init__(self) -> None:
        limit = settings.HUB_UPLOAD_MAX_BYTES // (1024 * 1024)
        super().__init__(
            _("The file is larger than %(limit)s MB, the most the hub accepts.") % {"limit": limit}
        )


class IdempotencyConflict(HubError):
    """The Idempotency-Key was used before for a different request."""

    status = 422
    code = "idempotency_key_reused"
    message = gettext_lazy("This Idempotency-Key was used before for a different request.")


class LeaseLost(Exception):
    """Another worker took the submission over; this attempt stops without writing."""


# --- Receiving --------------------------------------------------------------------------------------------


def _api_token(actor: Any) -> ApiToken | None:
    """The API token a submission came with (a machine client's is in the audit log's actor label)."""
    token = getattr(actor, "token", None)
    return token if isinstance(token, ApiToken) else None


def _digest(upload: File) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > settings.HUB_UPLOAD_MAX_BYTES:
            raise TooLarge
    upload.seek(0)
    return digest.hexdigest(), size


def _kind(upload: File, filename: str) -> str:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        return parsing.detect_kind(head if isinstance(head, bytes) else head.encode())
    except parsing.FileProblem:
        return "xlsx" if filename.lower().endswith((".xls", ".xlsx")) else "csv"


def _canonical_period(period: str, version: StandardVersion) -> str:
    """The period as the hub stores it (2026-09, 2026-Q3, 2026), or a ValidationError on `period`."""
    canonical = parse_period(period, version.frequency)
    if canonical is None:
        raise ValidationError(
            {
                "period": [
                    _("“%(value)s” is not a period of this standard. Write it like %(example)s.")
                    % {
                        "value": period[:40],
                        "example": {"month": "2026-09", "quarter": "2026-Q3"}.get(version.frequency, "2026"),
                    }
                ]
            }
        )
    return canonical


def receive_submission(
    *,
    actor: Any,
    organization: Organization,
    version: StandardVersion,
    period: str,
    upload: File,
    filename: str = "",
    idempotency_key: str | None = None,
    request: Any = None,
) -> tuple[Submission, bool]:
    """Store an upload and queue its processing; return (submission, created).

    Raises PermissionDenied, ValidationError (bad version or period, empty file), TooLarge, or
    IdempotencyConflict. A retry returns the submission the first request made.
    """
    check_can_send(actor, organization, version)
    canonical = _canonical_period(period, version)
    sha256, size = _digest(upload)
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    key = _key(idempotency_key)
    existing = _replayed(organization, key, _fingerprint(version, canonical, sha256))
    if existing is None:
        existing = _sent_before(organization, version, canonical, sha256)
    if existing is not None:
        return existing, False
    submission = _new_submission(
        actor,
        organization,
        version,
        canonical,
        sha256,
        key,
        source=_kind(upload, filename),
        filename=os.path.basename(filename or "")[:255],
        size=size,
    )
    return _insert_once(submission, upload, lambda stored: _received(stored, actor=actor, request=request))


def _sent_before(
    organization: Organization, version: StandardVersion, period: str, sha256: str
) -> Submission | None:
    """The latest submission of these bytes for this version and period, unless it was rejected. The
    same bytes again are a retry; rejected bytes may be sent again on purpose (a steward has added the
    missing exchange rate, say), and are checked anew."""
    return (
        Submission.objects.filter(organization=organization, version=version, period=period, sha256=sha256)
        .exclude(status=Submission.Status.REJECTED)
        .order_by("-created_at")
        .first()
    )


def _received(submission: Submission, *, actor: Any, request: Any) -> None:
    """Record that an upload was stored, and queue its processing for when the row is committed."""
    record_event(
        actor=actor,
        action="submission.receive",
        organization=submission.organization,
        target=submission,
        request=request,
        data={**_described(submission.version, submission.period), "size": submission.size},
    )
    transaction.on_commit(lambda: queue_processing(submission.pk))


def _described(version: StandardVersion, period: str) -> dict[str, Any]:
    """What a submission's audit events say it is for."""
    return {"standard": version.standard.code, "version": version.version, "period": period}


def _key(idempotency_key: str | None) -> str | None:
    return (idempotency_key or "").strip()[:128] or None


def _fingerprint(version: StandardVersion, period: str, sha256: str) -> str:
    """What an Idempotency-Key stands for: the version, the period and the bytes."""
    return hashlib.sha256(f"{version.pk}|{period}|{sha256}".encode()).hexdigest()


def _new_submission(
    actor: Any,
    organization: Organization,
    version: StandardVersion,
    period: str,
    sha256: str,
    key: str | None,
    **fields: Any,
) -> Submission:
    return Submission(
        organization=organization,
        version=version,
        standard_id=version.standard_id,
        period=period,
        sha256=sha256,
        idempotency_key=key,
        fingerprint=_fingerprint(version, period, sha256),
        submitted_by=actor if getattr(actor, "pk", None) else None,
        submitted_by_token=_api_token(actor),
        **fields,
    )


def _insert_once(
    submission: Submission, original: File, then: Callable[[Submission], None]
) -> tuple[Submission, bool]:
    """Save `submission` with its original bytes, then run `then` (the audit event, queueing, putting
    it in force) in the same transaction; return (submission, True). A concurrent request with the same
    Idempotency-Key that won the race answers with its submission."""
    try:
        with transaction.atomic():
            submission.original.save("original", original, save=False)
            submission.save(force_insert=True)
            then(submission)
    except IntegrityError:
        submission.original.delete(save=False)
        existing = _replayed(submission.organization, submission.idempotency_key, submission.fingerprint)
        if existing is None:
            raise
        return existing, False
    return submission, True


def _replayed(organization: Organization, key: str | None, fingerprint: str) -> Submission | None:
    """The submission an earlier request with this Idempotency-Key made, if any; IdempotencyConflict
    when that request was for something else."""
    if not key:
        return None
    existing = Submission.objects.filter(organization=organization, idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict
    return existing


def declare_nothing_to_report(
    *,
    actor: Any,
    organization: Organization,
    version: StandardVersion,
    period: str,
    idempotency_key: str | None = None,
    request: Any = None,
) -> tuple[Submission, bool]:
    """Record that `organization` has nothing to report for `period`; return (submission, created).

    The declaration is a submission of its own (source `none`, accepted, no rows) that becomes the
    period's current one at once: it supersedes data in force for the period, which is what the firm
    says by declaring it. This is the only way a period ends with no rows; a file without data rows is
    rejected. Declaring again while a declaration is in force returns it. Raises as receive_submission.
    """
    check_can_send(actor, organization, version)
    canonical = _canonical_period(period, version)
    content = _declaration(version, canonical)
    sha256 = hashlib.sha256(content).hexdigest()
    key = _key(idempotency_key)
    existing = _replayed(organization, key, _fingerprint(version, canonical, sha256))
    if existing is not None:
        return existing, False
    in_force = Submission.objects.filter(
        organization=organization, standard_id=version.standard_id, period=canonical, is_current=True
    ).first()
    if in_force is not None and in_force.source == Submission.Source.NONE:
        return in_force, False  # declared before and still in force: that declaration stands
    submission = _new_submission(
        actor,
        organization,
        version,
        canonical,
        sha256,
        key,
        source=Submission.Source.NONE,
        size=len(content),
        status=Submission.Status.ACCEPTED,
        progress=100,
        summary={"kind": "none", "rows": 0},
        processed_at=timezone.now(),
    )
    return _insert_once(
        submission, ContentFile(content), lambda stored: _declared(stored, actor=actor, request=request)
    )


def _declaration(version: StandardVersion, period: str) -> bytes:
    """The bytes a declaration stores as its original (the same for every declaration of the period)."""
    return json.dumps(
        {
            "nothing_to_report": True,
            "standard": version.standard.code,
            "version": version.version,
            "period": period,
        },
        sort_keys=True,
    ).encode()


def _declared(submission: Submission, *, actor: Any, request: Any) -> None:
    """Put a stored declaration in force for its period at once, and record it."""
    previous = _make_current(submission)
    submission.save(update_fields=["is_current", "superseded_by"])
    record_event(
        actor=actor,
        action="submission.nothing_to_report",
        organization=submission.organization,
        target=submission,
        request=request,
        data={
            **_described(submission.version, submission.period),
            "supersedes": str(previous.pk) if previous else None,
        },
    )


def receive_rows(
    *,
    actor: Any,
    organization: Organization,
    version: StandardVersion,
    period: str,
    rows: list[dict[str, Any]],
    idempotency_key: str | None = None,
    request: Any = None,
) -> tuple[Submission, bool]:
    """JSON rows go through exactly the same path as files: they are stored as the original bytes."""
    content = json.dumps({"rows": rows}, ensure_ascii=False, sort_keys=True, default=str).encode()
    return receive_submission(
        actor=actor,
        organization=organization,
        version=version,
        period=period,
        upload=ContentFile(content),
        filename="rows.json",
        idempotency_key=idempotency_key,
        request=request,
    )


PROCESS_TASK = "submissions.process"  # apps/submissions/tasks.py


def queue_processing(submission_id: Any) -> None:
    """Send the processing task; when the broker is down the sweeper sends it later."""
    try:
        celery_app.tasks[PROCESS_TASK].delay(str(submission_id))
    except Exception:  # the broker is down: the sweeper will queue it
        logger.warning("could not queue submission %s; the sweeper will", submission_id, exc_info=True)
        return
    Submission.objects.filter(pk=submission_id).update(queued_at=timezone.now())


# --- Processing -------------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(submission_id: Any, worker: str) -> Submission | None:
    now = timezone.now()
    claimed = (
        Submission.objects.filter(pk=submission_id)
        .filter(
            Q(status=Submission.Status.RECEIVED)
            | Q(status=Submission.Status.PROCESSING, claimed_until__lt=now)
        )
        .update(
            status=Submission.Status.PROCESSING,
            claimed_by=worker,
            progress=0,
            attempts=F("attempts") + 1,
            claimed_until=now + timedelta(seconds=settings.HUB_SUBMISSION_LEASE_SECONDS),
        )
    )
    return (
        Submission.objects.select_related("version__standard", "organization").get(pk=submission_id)
        if claimed
        else None
    )


def _renew(submission: Submission, worker: str, progress: int) -> None:
    renewed = Submission.objects.filter(
        pk=submission.pk, claimed_by=worker, status=Submission.Status.PROCESSING
    ).update(
        progress=min(progress, 99),
        claimed_until=timezone.now() + timedelta(seconds=settings.HUB_SUBMISSION_LEASE_SECONDS),
    )
    if not renewed:
        raise LeaseLost


class LeaseKeeper(threading.Thread):
    """Renews the worker's lease every third of its length while one attempt runs, so that a long block
    (a slow cell, a huge row) does not let the sweeper hand the file to a second worker. It only
    extends a lease this worker still holds; losing it is noticed by `_renew` between blocks. A worker
    that hangs is ended by the task's hard time limit, and this thread with it."""

    def __init__(self, submission_id: Any, worker: str) -> None:
        super().__init__(name=f"lease-{submission_id}", daemon=True)
        self.submission_id, self.worker = submission_id, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(1.0, settings.HUB_SUBMISSION_LEASE_SECONDS / 3)
        try:
            while not self.stopped.wait(interval):
                Submission.objects.filter(
                    pk=self.submission_id, claimed_by=self.worker, status=Submission.Status.PROCESSING
                ).update(
                    claimed_until=timezone.now() + timedelta(seconds=settings.HUB_SUBMISSION_LEASE_SECONDS)
                )
        except Exception:  # the database is away: the lease runs out, and the sweeper retries
            logger.warning("could not renew the lease of submission %s", self.submission_id, exc_info=True)
        finally:
            connection.close()

    def __enter__(self) -> LeaseKeeper:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.join()


def process_submission(*, submission_id: Any, worker: str | None = None) -> Submission:
    """Process one submission to its end state (see the module's docstring). Safe to call again.

    Past HUB_SUBMISSION_TIME_LIMIT (Celery's soft limit, which may strike anywhere) the attempt stops
    and, if this worker still holds the submission, rejects it with `too_slow`."""
    worker = worker or worker_name()
    try:
        return _attempt(submission_id, worker)
    except SoftTimeLimitExceeded:
        logger.warning("submission %s: past the time limit", submission_id)
        if not connection.in_atomic_block:  # the limit may have struck inside a query: start afresh
            connection.close()
        minutes = max(1, round(settings.HUB_SUBMISSION_TIME_LIMIT / 60))
        submission = Submission.objects.select_related("organization").get(pk=submission_id)
        problem = ReportProblem.error("too_slow", params={"minutes": minutes})
        with contextlib.suppress(LeaseLost):  # not claimed yet, or taken over: the sweeper goes on
            _finish(submission, worker, [problem], spool=None, summary={})
        return Submission.objects.get(pk=submission_id)


def _attempt(submission_id: Any, worker: str) -> Submission:
    clear_stale_scratch()
    submission = _claim(submission_id, worker)
    if submission is None:
        return Submission.objects.get(pk=submission_id)
    if submission.attempts > settings.HUB_SUBMISSION_MAX_ATTEMPTS:
        _finish(submission, worker, [ReportProblem.error("gave_up")], spool=None, summary={})
        return Submission.objects.get(pk=submission.pk)
    spool = Spool(submission.pk)
    try:
        with spool, LeaseKeeper(submission.pk, worker):
            problems, summary = _read_and_check(submission, worker, spool)
        try:
            _finish(submission, worker, problems, spool=spool, summary=summary)
        except (DataError, psycopg.errors.DataError) as error:  # refused by PostgreSQL: reject, say why
            logger.exception("submission %s: rows could not be stored", submission.pk)
            diagnostic = getattr(error, "diag", None) or getattr(error.__cause__, "diag", None)
            reason = (getattr(diagnostic, "message_primary", None) or "invalid value")[:200]
            problem = ReportProblem.error("not_stored", params={"reason": reason})
            _finish(submission, worker, [*problems, problem], spool=None, summary=summary)
    except LeaseLost:
        logger.info("submission %s was taken over by another worker", submission.pk)
    finally:
        spool.path.unlink(missing_ok=True)
    return Submission.objects.get(pk=submission.pk)


class Spool:
    """The accepted rows of the file being checked, as CSV in the observation table's columns, on disk
    (never in memory) until the short transaction that COPYs them."""

    def __init__(self, submission_id: Any) -> None:
        self.file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by __exit__, removed by the caller
            dir=scratch_dir(), prefix=f"rows-{submission_id}-", suffix=".csv", delete=False
        )
        self.path = Path(self.file.name)
        self.submission_id = str(submission_id)
        self.columns: list[str] = []

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, rows: pl.DataFrame) -> None:
        rows = rows.select(pl.lit(self.submission_id).alias("submission_id"), pl.all())
        self.columns = rows.columns
        rows.write_csv(self.file, include_header=False)


def _read_and_check(
    submission: Submission, worker: str, spool: Spool
) -> tuple[list[ReportProblem], dict[str, Any]]:
    """Read the stored original and check it, spooling its rows while it has no error and renewing the
    lease as it goes; the problems and the summary (nothing stored yet)."""
    version = submission.version
    fields = [f for f in version.fields.order_by("position") if not f.derived]
    try:
        table = open_table(
            Path(submission.original.path), kind=submission.source, fields=fields, version=version
        )
    except parsing.FileProblem as problem:
        return [ReportProblem.from_file_problem(problem)], {}

    try:
        return check_table(
            version=version,
            fields=fields,
            table=table,
            period=submission.period,
            organization_id=submission.organization_id,
            size=submission.size,
            accepted=spool.write,
            progress=lambda percent: _renew(submission, worker, percent),
        )
    finally:
        table.close()


def _finish(
    submission: Submission,
    worker: str,
    problems: list[ReportProblem],
    *,
    spool: Spool | None,
    summary: dict[str, Any],
) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .filter(pk=submission.pk, claimed_by=worker, status=Submission.Status.PROCESSING)
            .first()
        )
        if locked is None:
            raise LeaseLost
        Issue.objects.filter(submission=locked).delete()
        Observation.objects.filter(submission=locked).delete()
        Issue.objects.bulk_create(
            Issue(
                submission=locked,
                severity=p.severity,
                row=p.row,
                column=p.column[:255],
                value=p.value[:255],
                code=p.code,
                params=p.params,
            )
            for p in problems
        )
        locked.row_count = summary.get("rows", 0)
        locked.error_count = summary.get("errors_total", len(errors))
        locked.warning_count = len(warnings)
        locked.summary = summary
        locked.progress = 100
        locked.claimed_until = None
        locked.processed_at = timezone.now()
        if errors or spool is None or not locked.row_count:
            locked.status = Submission.Status.REJECTED
            locked.save()
            processed.send(sender=Submission, submission=locked)
            return
        _copy_observations(spool)
        previous = _make_current(locked)
        locked.status = Submission.Status.ACCEPTED_WITH_WARNINGS if warnings else Submission.Status.ACCEPTED
        locked.save()
        record_event(
            actor=None,
            action="submission.accept",
            organization=locked.organization,
            target=locked,
            data={
                "rows": locked.row_count,
                "supersedes": str(previous.pk) if previous else None,
                "in_force": locked.is_current,
            },
        )
        processed.send(sender=Submission, submission=locked)


# First key of the pg_advisory_xact_lock(int, int) that serializes superseding within one period (the
# second key is a hash of organization, standard and period); the audit chain's lock is a single key.
PERIOD_LOCK = 0x5B11


def lock_period(organization_id: int, standard_id: int, period: str) -> None:
    """Wait for, then hold until the transaction ends, the lock on what is in force for one period."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [PERIOD_LOCK, f"{organization_id}|{standard_id}|{period}"],
        )


def _make_current(submission: Submission) -> Submission | None:
    """Put `submission` in force for its period, unless a submission sent after it is in force already
    (then it is accepted but superseded at once by that one); return what it supersedes.

    Runs inside the caller's transaction (the caller saves `submission`), under an advisory lock per
    (organization, standard, period): two submissions finishing together wait for each other instead of
    both finding none in force, and the newest sent is in force whatever order the workers finish in."""
    lock_period(submission.organization_id, submission.standard_id, submission.period)
    current = (
        Submission.objects.select_for_update()
        .filter(
            organization_id=submission.organization_id,
            standard_id=submission.standard_id,
            period=submission.period,
            is_current=True,
        )
        .exclude(pk=submission.pk)
        .first()
    )
    if current is not None and (current.created_at, str(current.pk)) > (
        submission.created_at,
        str(submission.pk),
    ):
        submission.is_current = False
        submission.superseded_by = current
        return None
    if current is not None:
        current.is_current = False
        current.superseded_by = submission
        current.save(update_fields=["is_current", "superseded_by"])
    submission.is_current = True
    put_in_force.send(sender=Submission, standard_id=submission.standard_id, period=submission.period)
    return current


def _copy_observations(spool: Spool) -> None:
    """Stream the spool into PostgreSQL inside the caller's transaction."""
    if not spool.columns:
        return
    names = ", ".join(spool.columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY submissions_observation ({names}) FROM STDIN (FORMAT csv)") as copy,
        spool.path.open("rb") as lines,
    ):
        while chunk := lines.read(1 << 20):
            copy.write(chunk)


# --- Sweeping ---------------------------------------------------------------------------------------------


def sweep_submissions(*, now: Any = None) -> int:
    """Queue again what no worker is working on: received long ago, or processing with an expired lease."""
    now = now or timezone.now()
    requeue = now - timedelta(seconds=settings.HUB_SUBMISSION_REQUEUE_SECONDS)
    stale = Submission.objects.filter(
        Q(status=Submission.Status.RECEIVED, created_at__lt=now - timedelta(seconds=30))
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=requeue))
        | Q(status=Submission.Status.PROCESSING, claimed_until__lt=now)
    ).values_list("pk", flat=True)[:200]
    count = 0
    for submission_id in stale:
        queue_processing(submission_id)
        count += 1
    return count
