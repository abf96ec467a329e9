from __future__ import annotations

from typing import Any

import pytest

from apps.submissions import services
from apps.submissions.models import Observation, Submission
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes

SECOND = ["2026-09", "cold-break-30-32", "UZ", "CPT", "irkeshtam", "rail", "bag-in-box", "12", "9000", "USD"]


def current_rows() -> list[tuple[str, Any]]:
    return sorted(
        (o.dimensions["product"], o.measures["quantity"])
        for o in Observation.objects.filter(submission__is_current=True)
    )


def test_a_retry_with_the_same_key_returns_the_same_submission(send: Any) -> None:
    first = send(csv_bytes(EN_HEADERS, [ROW]), key="erp-2026-09-1")
    again = send(csv_bytes(EN_HEADERS, [ROW]), key="erp-2026-09-1")
    assert first.pk == again.pk
    assert Submission.objects.count() == 1 and Observation.objects.count() == 1


def test_the_same_bytes_again_return_the_same_submission(send: Any) -> None:
    first = send(csv_bytes(EN_HEADERS, [ROW]))
    assert send(csv_bytes(EN_HEADERS, [ROW])).pk == first.pk
    assert Submission.objects.count() == 1


def test_a_key_reused_for_other_content_is_refused(send: Any) -> None:
    send(csv_bytes(EN_HEADERS, [ROW]), key="k1")
    with pytest.raises(services.IdempotencyConflict):
        send(csv_bytes(EN_HEADERS, [SECOND]), key="k1")
    assert Submission.objects.count() == 1


def test_a_resubmission_replaces_the_accepted_data_atomically_and_keeps_history(send: Any) -> None:
    first = send(csv_bytes(EN_HEADERS, [ROW, SECOND]))
    assert current_rows() == [("cold-break-30-32", 12), ("hot-break-28-30", 25)]
    corrected = list(ROW)
    corrected[7] = "30"
    second = send(csv_bytes(EN_HEADERS, [corrected]))
    first.refresh_from_db()
    assert second.is_current and not first.is_current and first.superseded_by_id == second.pk
    assert current_rows() == [("hot-break-28-30", 30)]
    assert Observation.objects.filter(submission=first).count() == 2  # history is kept


def test_a_rejected_resubmission_leaves_the_accepted_data_in_force(send: Any) -> None:
    first = send(csv_bytes(EN_HEADERS, [ROW]))
    broken = list(ROW)
    broken[7] = "lots"
    second = send(csv_bytes(EN_HEADERS, [broken]))
    first.refresh_from_db()
    assert second.status == "rejected" and first.is_current
    assert current_rows() == [("hot-break-28-30", 25)]


def test_processing_twice_changes_nothing(send: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW]))
    services.process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "accepted" and Observation.objects.count() == 1


def test_gives_up_with_a_clear_report_after_the_attempts(send: Any, settings: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW]))
    Submission.objects.filter(pk=submission.pk).update(
        status="received", attempts=settings.HUB_SUBMISSION_MAX_ATTEMPTS, is_current=False
    )
    Observation.objects.all().delete()
    services.process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "rejected" and submission.issues.get().code == "gave_up"


def test_texts_with_backslashes_tabs_quotes_and_newlines_survive_copy(send: Any) -> None:
    import polars as pl
    from django.db import transaction

    from apps.submissions.services import Spool, _copy_observations

    submission = send(csv_bytes(EN_HEADERS, [ROW]))
    tricky = 'C:\\path\\file\ttab "quoted" \\N end\nsecond line, 霍尔果斯'
    spool = Spool(submission.pk)
    try:
        with spool:
            spool.write(pl.DataFrame({"row": [99], "d24": [tricky], "m24": [1.25]}))
        with transaction.atomic():
            _copy_observations(spool)
    finally:
        spool.path.unlink()
    stored = Observation.objects.get(submission=submission, row=99)
    assert (stored.d24, stored.m24) == (tricky, 1.25)


def test_a_value_far_from_the_firms_history_warns_but_is_accepted(send: Any) -> None:
    def month(period: str, quantity: str) -> bytes:
        rows = []
        for product in (
            "hot-break-28-30",
            "hot-break-30-32",
            "hot-break-36-38",
            "cold-break-28-30",
            "cold-break-30-32",
        ):
            rows.append(
                [period, product, "KZ", "DAP", "khorgos", "road", "aseptic-drum", quantity, "21500", "USD"]
            )
        return csv_bytes(EN_HEADERS, rows)

    for period in ("2026-06", "2026-07", "2026-08"):
        assert send(month(period, "25"), period=period).status == "accepted"
    normal = send(month("2026-09", "30"), period="2026-09")
    assert normal.status == "accepted" and normal.warning_count == 0
    typo = send(month("2026-10", "25000"), period="2026-10")  # kilograms written into a column of tonnes
    assert typo.status == "accepted_with_warnings"
    warning = typo.issues.filter(code="implausible").first()
    assert warning is not None and warning.column == "Quantity (t)" and warning.value == "25000"
    assert warning.params["typical"] == "25"
    assert typo.is_current  # warned, not rejected


def test_each_product_is_compared_with_its_own_history(send: Any) -> None:
    def month(period: str, big: str, small: str) -> bytes:
        rows = [
            [period, "hot-break-28-30", "KZ", "DAP", "khorgos", "road", "aseptic-drum", big, "210000", "USD"],
            [period, "cold-break-36-38", "KZ", "DAP", "khorgos", "road", "tin", small, "1200", "USD"],
        ]
        return csv_bytes(EN_HEADERS, rows)

    for period in ("2026-06", "2026-07", "2026-08"):
        assert send(month(period, "200", "1"), period=period).status == "accepted"
    usual = send(month("2026-09", "220", "1.2"), period="2026-09")  # a hundred times apart, as always
    assert usual.status == "accepted" and usual.warning_count == 0
    slip = send(month("2026-10", "200", "1000"), period="2026-10")  # kilograms in the small line
    warning = slip.issues.get(code="implausible")
    assert (warning.row, warning.value, warning.params["typical"]) == (3, "1000", "1")


def test_other_firms_figures_are_never_the_yardstick(send: Any, cast: Any) -> None:
    from apps.submissions.history import History

    send(csv_bytes(EN_HEADERS, [ROW]), period="2026-09")
    history = History(
        organization_id=cast.org_b.pk, version=Submission.objects.get().version, period="2026-10"
    )
    assert history.medians == {}


def test_a_rejected_file_can_be_sent_again_once_the_missing_rate_exists(send: Any) -> None:
    from decimal import Decimal

    from apps.standards.models import ExchangeRate

    row = list(ROW)
    row[9] = "KZT"
    content = csv_bytes(EN_HEADERS, [row])
    first = send(content)
    assert first.status == "rejected" and first.issues.get().code == "no_rate"
    ExchangeRate.objects.create(currency="KZT", period="2026-09", usd_per_unit=Decimal("0.002"))
    second = send(content)
    assert second.pk != first.pk and second.status == "accepted"
    assert Observation.objects.get(submission=second).measures["value"] == 43.0


def test_numbers_in_messages_are_written_the_readers_way() -> None:
    from django.utils import translation

    from apps.submissions.messages import message

    with translation.override("ru"):
        assert "3,045" in message("implausible", {"typical": "3.045"})
        assert "118\xa0900" in message("implausible", {"typical": "118900"})
        assert "128,5" in message("above_maximum", {"value": "128.5", "limit": 40})
        assert "«1.234»" in message("not_a_number", {"value": "1.234"})  # a cell stays as written
    with translation.override("en"):
        assert "118,900" in message("implausible", {"typical": "118900"})
        assert "3.045" in message("implausible", {"typical": "3.045"})
