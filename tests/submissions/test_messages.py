"""What a report's messages say, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from apps.standards.models import StandardVersion
from tests.submissions.conftest import csv_bytes
from tests.submissions.test_files import EN_HEADERS, ROW

SEASON = {
    "period": "2026",
    "fresh_tomatoes_processed": "1000",
    "paste_produced": "200",
    "daily_capacity": "50",
    "campaign_length": "60",
    "energy_per_tonne": "3000",
    "water_per_tonne": "20",
}


def by_titles(version: StandardVersion, rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    """A CSV of `version` headed by its fields' English titles, one line per row given by field name."""
    fields = [f for f in version.fields.order_by("position") if not f.derived]
    cells = [[row.get(f.name, "") for f in fields] for row in rows]
    return csv_bytes([f.titles["en"] for f in fields], cells, delimiter=delimiter)


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
