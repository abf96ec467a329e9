"""Hostile or broken input gets a clear error and changes nothing; the original bytes are kept."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.base import ContentFile

from apps.submissions import services
from apps.submissions.models import Submission
from tests.submissions.checks import rejected_with
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes, xlsx_bytes


def test_binary_file(send: Any) -> None:
    rejected_with(send(bytes(range(256)) * 40, filename="photo.csv"), "binary")


def test_old_excel_file(send: Any) -> None:
    rejected_with(send(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, filename="old.xls"), "old_excel")


def test_zip_bomb_is_not_opened(send: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<" + "a" * 50_000_000 + "/>")
    rejected_with(send(buffer.getvalue(), filename="bomb.xlsx"), "xlsx_bomb")


def test_xml_entity_tricks_are_refused(send: Any) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>'
    )
    content = io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW]))
    patched = io.BytesIO()
    with zipfile.ZipFile(content) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, laughs if item.filename == "xl/workbook.xml" else data)
    rejected_with(send(patched.getvalue(), filename="laughs.xlsx"), "bad_xlsx")


DECLARATIONS = '<!DOCTYPE x [<!ENTITY e "e">]>'  # declared, never used: the reader itself would not mind


@pytest.mark.parametrize(
    ("part", "head"),
    [
        ("xl/worksheets/sheet1.xml", DECLARATIONS),
        ("xl/worksheets/sheet1.xml", "<!-- made by hand -->\n<!DOCTYPE worksheet>"),
        ("xl/sharedStrings.xml", DECLARATIONS),
        ("xl/styles.xml", DECLARATIONS),
        ("xl/_rels/workbook.xml.rels", DECLARATIONS),
        ("[Content_Types].xml", "<!DOCTYPE Types>"),
    ],
)
def test_xml_declarations_in_any_part_are_refused(send: Any, part: str, head: str) -> None:
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW])))
    sst = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
    body = original.read(part).decode() if part in original.namelist() else sst
    declaration, _, rest = body.partition("?>") if body.startswith("<?xml") else ("", "", body)
    patched = io.BytesIO()
    with original, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            if item.filename != part:
                target.writestr(item, original.read(item.filename))
        target.writestr(part, f"{declaration}{'?>' if declaration else ''}{head}{rest}")
    rejected_with(send(patched.getvalue(), filename="declared.xlsx"), "bad_xlsx")


def test_a_part_in_utf_16_is_checked_as_such(send: Any) -> None:
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW])))
    patched = io.BytesIO()
    with original, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = data.decode().replace("?>", f"?>{DECLARATIONS}", 1).encode("utf-16")
            target.writestr(item, data)
    rejected_with(send(patched.getvalue(), filename="utf16.xlsx"), "bad_xlsx")


def test_a_damaged_sheet_is_refused(send: Any) -> None:
    content = bytearray(xlsx_bytes(EN_HEADERS, [ROW] * 50))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)  # its compressed bytes
    content[start + entry.compress_size // 2] ^= 0xFF
    rejected_with(send(bytes(content), filename="damaged.xlsx"), "bad_xlsx")


def test_overlapping_merged_ranges_over_the_header_are_not_filled_forever(send: Any) -> None:
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW])))
    merges = '<mergeCells count="5000">' + '<mergeCell ref="A1:XFD20"/>' * 5000 + "</mergeCells>"
    patched = io.BytesIO()
    with original, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            data = original.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet1.xml":  # a cell in the last column, 5,000 merges
                data = data.replace("</row>", '<c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>', 1)
                data = data.replace("</sheetData>", f"</sheetData>{merges}")
            target.writestr(item, data)
    submission = send(patched.getvalue(), filename="merged.xlsx")
    rejected_with(submission, "duplicate_column")  # the first range fills the header area with "Period"


def test_macro_workbook_is_refused(send: Any) -> None:
    content = io.BytesIO(xlsx_bytes(EN_HEADERS, [ROW]))
    patched = io.BytesIO()
    with zipfile.ZipFile(content) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"macro")
    rejected_with(send(patched.getvalue(), filename="renamed.xlsx"), "xlsx_macros")


def test_empty_file_changes_nothing(cast: Any, tomato: Any) -> None:
    with pytest.raises(services.ValidationError):
        services.receive_submission(
            actor=cast.person("a", "contributor"),
            organization=cast.org_a,
            version=tomato,
            period="2026-09",
            upload=ContentFile(b"", name="empty.csv"),
        )
    assert not Submission.objects.exists()


def test_header_only_file(send: Any) -> None:
    rejected_with(send(csv_bytes(EN_HEADERS, [])), "no_rows")


def test_no_recognizable_header(send: Any) -> None:
    rejected_with(send(csv_bytes(["a", "b", "c"], [["1", "2", "3"]])), "no_header")


def test_missing_required_columns_reject_the_file_with_one_message(send: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS[:-3], [ROW[:-3]]))
    rejected_with(submission, "missing_columns")
    issue = submission.issues.get(code="missing_columns")
    assert "Quantity" in issue.params["columns"] and "Currency" in issue.params["columns"]
    assert submission.issues.count() == 1


def test_duplicate_headers(send: Any) -> None:
    rejected_with(send(csv_bytes([*EN_HEADERS, "Quantity"], [[*ROW, "26"]])), "duplicate_column")


def test_ragged_rows(send: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS, [[*ROW, "surprise"]]))
    rejected_with(submission, "extra_cells")
    assert submission.issues.get(code="extra_cells").row == 2


def test_unknown_columns_only_warn(send: Any) -> None:
    submission = send(csv_bytes([*EN_HEADERS, "Our internal note"], [[*ROW, "call back"]]))
    assert submission.status == "accepted_with_warnings"
    assert submission.issues.get().code == "unknown_column"


def test_repeated_dimension_key(send: Any) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW, ROW, ROW]))
    rejected_with(submission, "duplicate_key")
    assert sorted(submission.issues.filter(code="duplicate_key").values_list("row", "params__first")) == [
        (3, 2),
        (4, 2),
    ]


def test_a_row_of_another_period(send: Any) -> None:
    row = list(ROW)
    row[0] = "01.08.2026"
    submission = send(csv_bytes(EN_HEADERS, [row]))
    rejected_with(submission, "period_mismatch")
    problem = submission.issues.get(code="period_mismatch")
    assert (problem.row, problem.column, problem.value) == (2, "Period", "01.08.2026")  # as written


def test_a_period_outside_the_standards_frequency(cast: Any, tomato: Any) -> None:
    for period in ("2026-Q3", "2026", "next month"):
        with pytest.raises(services.ValidationError):
            services.receive_submission(
                actor=cast.person("a", "contributor"),
                organization=cast.org_a,
                version=tomato,
                period=period,
                upload=ContentFile(csv_bytes(EN_HEADERS, [ROW]), name="x.csv"),
            )
    assert not Submission.objects.exists()


def test_formula_like_cells_are_text_and_neutralized_in_the_report(send: Any, cast: Any) -> None:
    row = list(ROW)
    row[1] = '=HYPERLINK("http://example.org")'
    submission = send(csv_bytes(EN_HEADERS, [row], delimiter=";"))
    rejected_with(submission, "not_allowed")
    report = (
        cast.client_for("a_viewer")
        .get(f"/api/v1/submissions/{submission.pk}/report.csv")
        .content.decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in report
    assert "\n=" not in report and ",=" not in report


def test_the_reader_is_told_which_rows_break_a_cross_field_rule(
    cast: Any, standards: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.standards.models import StandardVersion

    version = StandardVersion.objects.get(standard__code="tomato-paste.production", version="1.0.0")
    headers = [f.titles["en"] for f in version.fields.order_by("position") if not f.derived]
    names = [f.name for f in version.fields.order_by("position") if not f.derived]
    values = {
        "period": "2026",
        "fresh_tomatoes_processed": "1000",
        "paste_produced": "2000",
        "daily_capacity": "500",
        "campaign_length": "60",
        "energy_per_tonne": "3000",
        "water_per_tonne": "20",
        "export_share": "80",
    }
    with django_capture_on_commit_callbacks(execute=True):
        submission, _ = services.receive_submission(
            actor=cast.person("a", "contributor"),
            organization=cast.org_a,
            version=version,
            period="2026",
            upload=ContentFile(csv_bytes(headers, [[values.get(n, "") for n in names]]), name="p.csv"),
        )
    submission.refresh_from_db()
    rejected_with(submission, "rule_lte")


def test_a_file_of_errors_gets_a_capped_report_that_counts_them_all(send: Any, settings: Any) -> None:
    settings.HUB_REPORT_MAX_ISSUES = 50
    bad = list(ROW)
    bad[2] = "Narnia"  # no such country, on every row, and every row the same key
    submission = send(csv_bytes(EN_HEADERS, [bad] * 200 + [ROW] * 100))
    rejected_with(submission, "unknown_country")
    kept = list(submission.issues.filter(severity="error").values_list("row", "code"))
    assert len(kept) == 50 and kept[0] == (2, "unknown_country")
    assert submission.error_count == 200 + 99  # 200 bad countries, 99 rows repeating row 202's key


def test_an_error_in_the_last_block_leaves_nothing_from_the_blocks_before(
    send: Any, monkeypatch: Any
) -> None:
    from apps.submissions import parsing

    monkeypatch.setattr(parsing, "CHUNK_BYTES", 512)  # many blocks, streamed to COPY one by one
    rows = []
    for number in range(60):
        row = list(ROW)
        row[7] = str(10 + number)  # quantity: every row its own
        row[1] = ["hot-break-28-30", "hot-break-30-32", "cold-break-28-30"][number % 3]
        row[2] = ["KZ", "KG", "UZ", "TJ", "RU"][number // 3 % 5]
        row[3] = ["DAP", "FCA", "CPT", "EXW"][number // 15]
        rows.append(row)
    rows[-1][2] = "Narnia"
    submission = send(csv_bytes(EN_HEADERS, rows))
    rejected_with(submission, "unknown_country")
    assert submission.issues.get(code="unknown_country").row == 61


def test_a_unit_the_field_cannot_take_is_one_problem_of_the_header(send: Any) -> None:
    headers = list(EN_HEADERS)
    headers[7] = "数量（斤）"  # jin, a Chinese market weight the standard does not accept
    row = list(ROW)
    row[7] = "50000"
    submission = send(csv_bytes(headers, [row, row]))
    rejected_with(submission, "wrong_unit")
    problem = submission.issues.get()
    assert (problem.row, problem.column, problem.value) == (1, "数量（斤）", "斤")
    assert "kg" in problem.params["allowed"] and "t" in problem.params["allowed"].split(", ")
