"""What a report's messages say, in the reader's language, and what becomes of a problem that does not
fit its code: refused when it is made, shown with a visible gap when an older one is read."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from apps.standards.models import StandardVersion
from apps.submissions import messages, parsing
from apps.submissions.messages import CODES, MISSING, ProblemError
from apps.submissions.models import Issue
from apps.submissions.validation import Problem
from tests.submissions.conftest import csv_bytes
from tests.submissions.test_files import EN_HEADERS, ROW

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ANY_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
TOMATO_COLUMNS = [
    "period",
    "product",
    "destination_country",
    "incoterm",
    "border_crossing",
    "transport_mode",
    "packaging",
    "quantity",
    "value",
    "currency",
]
SEASON = {
    "period": "2026",
    "fresh_tomatoes_processed": "1000",
    "paste_produced": "200",
    "daily_capacity": "50",
    "campaign_length": "60",
    "energy_per_tonne": "3000",
    "water_per_tonne": "20",
}


def tomato(*extra: str, **cells: str) -> list[str]:
    """A good row of tomato-paste.exports (test_files.ROW) with cells changed by field name, and cells
    beyond EN_HEADERS."""
    row = list(ROW)
    for name, cell in cells.items():
        row[TOMATO_COLUMNS.index(name)] = cell
    return [*row, *extra]


def by_titles(version: StandardVersion, rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    """A CSV of `version` headed by its fields' English titles, one line per row given by field name."""
    fields = [f for f in version.fields.order_by("position") if not f.derived]
    cells = [[row.get(f.name, "") for f in fields] for row in rows]
    return csv_bytes([f.titles["en"] for f in fields], cells, delimiter=delimiter)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_is_translated_with_exactly_its_params(language: str) -> None:
    wrong = []
    for code, entry in CODES.items():
        with translation.override(language):
            template = str(entry.message)
        with translation.override(None):
            if language != "en" and template == str(entry.message):
                wrong.append((code, "not translated"))
        placeholders = ANY_PLACEHOLDER.findall(template.replace("%%", ""))
        if sorted(placeholders) != sorted(f"%({name})s" for name in entry.params):
            wrong.append((code, placeholders))
        if not set(entry.numbers) <= set(entry.params):
            wrong.append((code, entry.numbers))
    assert wrong == []


def test_a_broken_rule_names_the_cell_the_other_column_and_its_value(cast: Any, send: Any) -> None:
    production = StandardVersion.objects.get(standard__code="tomato-paste.production", version="1.0.0")
    row = {**SEASON, "fresh_tomatoes_processed": "1 000", "paste_produced": "2 000,5"}
    submission = send(by_titles(production, [row], delimiter=";"), period="2026", version=production)
    client = cast.client_for("a_viewer")
    url = f"/api/v1/submissions/{submission.pk}/report/"
    (english,) = client.get(url, headers={"accept-language": "en"}).json()["issues"]
    assert english["message"] == "2 000,5 must not be greater than Fresh tomatoes processed (1,000)."
    (russian,) = client.get(url, headers={"accept-language": "ru"}).json()["issues"]
    assert "2 000,5" in russian["message"] and "Fresh tomatoes processed" in russian["message"]
    assert "1\xa0000" in russian["message"]


def test_a_repeated_key_names_a_column_the_file_left_out_by_its_title(cast: Any, send: Any) -> None:
    with translation.override("en"):  # the worker's language, in which the hub words what a file left out
        submission = send(csv_bytes(EN_HEADERS, [ROW, ROW]))  # no HS code column: its default is used
    url = f"/api/v1/submissions/{submission.pk}/report/"
    (issue,) = cast.client_for("a_viewer").get(url, headers={"accept-language": "en"}).json()["issues"]
    assert issue["message"] == (
        "This row repeats row 2: the same Period, Product, HS code, Destination country, Incoterm, "
        "Border crossing, Transport mode, Packaging. Combine them or correct one."
    )


def test_a_problem_that_does_not_fit_its_code_is_refused_where_it_is_made() -> None:
    with pytest.raises(ProblemError, match="missing"):
        Problem("error", 2, "Paste produced", "2000", "rule_lte", {"other": "Fresh", "limit": "1000"})
    with pytest.raises(ProblemError, match="extra"):
        Problem("error", None, "", "", "xlsx_too_large", {"size": 2_000_000_000})
    with pytest.raises(ProblemError, match="not a problem code"):
        Problem("error", None, "", "", "no_such_code")
    with pytest.raises(ProblemError, match="missing"):
        parsing.FileProblem("bad_csv", row=2)


def test_an_issue_stored_by_older_code_is_shown_with_a_visible_gap_and_logged(
    send: Any, cast: Any, caplog: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(messages, "_complained", set())  # logged again, whatever earlier tests showed
    submission = send(csv_bytes(EN_HEADERS, [tomato(quantity="lots")]))
    # As the checker stored broken rules before it passed the cell: without `value`.
    Issue.objects.create(
        submission=submission,
        severity="error",
        row=3,
        column="Paste produced",
        value="2000",
        code="rule_lte",
        params={"other": "Fresh tomatoes processed", "limit": "1000"},
    )
    Issue.objects.create(submission=submission, severity="error", code="retired_code")
    client = cast.client_for("a_viewer")
    with caplog.at_level(logging.ERROR, logger="apps.submissions.messages"):
        report = client.get(f"/api/v1/submissions/{submission.pk}/report/", headers={"accept-language": "en"})
        page = client.get(f"/submissions/{submission.pk}/")
    assert report.status_code == 200 and page.status_code == 200
    shown = [issue["message"] for issue in report.json()["issues"]]
    assert f"{MISSING} must not be greater than Fresh tomatoes processed (1,000)." in shown
    assert "retired_code" in shown
    assert f"{MISSING} must not be greater than" in page.content.decode()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "'rule_lte' lacks value" in logged and "'retired_code' is not a problem code" in logged
