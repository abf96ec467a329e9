"""One file per problem class of the issue, made here: encodings, delimiters, number styles, XLSX layouts."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from apps.submissions.models import Observation
from tests.submissions.data import EN_HEADERS, ROW, TOMATO_FIELDS, csv_bytes, xlsx_bytes

ZH_HEADERS = [
    "期间",
    "产品",
    "目的国",
    "贸易术语",
    "出境口岸",
    "运输方式",
    "包装",
    "数量（吨）",
    "金额",
    "币种",
]
ZH_ROW = [
    "2026年9月",
    "热破 28–30 °Bx",
    "哈萨克斯坦",
    "DAP",
    "霍尔果斯",
    "公路",
    "无菌大包装桶",
    "25",
    "21500",
    "美元",
]
# The ten required columns in Russian, Incoterm headed by its alias "Инкотермс" rather than its title.
RU_HEADERS_INCOTERM_ALIAS = [
    "Период",
    "Продукт",
    "Страна назначения",
    "Инкотермс",
    "Пункт пропуска",
    "Вид транспорта",
    "Упаковка",
    "Количество (т)",
    "Стоимость",
    "Валюта",
]
RU_ROW = [
    "сентябрь 2026",
    "Горячее дробление 28–30 °Bx",
    "Казахстан",
    "DAP",
    "Хоргос",
    "Автомобильный",
    "Асептическая бочка",
    "25",
    "21500",
    "USD",
]


def accepted(submission: Any) -> dict[str, Any]:
    assert submission.status == "accepted", list(submission.issues.values("row", "column", "value", "code"))
    observation = Observation.objects.get(submission=submission)
    return {**observation.dimensions, **observation.measures}


@pytest.mark.parametrize(
    ("encoding", "headers", "row", "expected"),
    [
        ("utf-8", EN_HEADERS, ROW, "utf-8"),
        ("utf-8-sig", RU_HEADERS_INCOTERM_ALIAS, RU_ROW, "utf-8-sig"),
        ("utf-16", RU_HEADERS_INCOTERM_ALIAS, RU_ROW, "utf-16"),
        ("gb18030", ZH_HEADERS, ZH_ROW, "gb18030"),
        ("cp1251", RU_HEADERS_INCOTERM_ALIAS, RU_ROW, "windows-1251"),
        (
            "koi8_r",
            RU_HEADERS_INCOTERM_ALIAS,
            ["сентябрь 2026", "hot-break-28-30", *RU_ROW[2:]],
            "koi8-r",
        ),  # KOI8-R has no en dash or degree sign
    ],
)
def test_encodings_are_detected_not_assumed(
    send: Any, encoding: str, headers: list[str], row: list[str], expected: str
) -> None:
    submission = send(
        csv_bytes(headers, [row], encoding=encoding, delimiter="\t" if encoding == "utf-16" else ",")
    )
    values = accepted(submission)
    assert values["destination_country"] == "KZ" and values["product"] == "hot-break-28-30"
    assert submission.summary["encoding"].replace("_", "-").lower() in (
        expected,
        expected.replace("windows-", "cp"),
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(send: Any, delimiter: str) -> None:
    submission = send(csv_bytes(EN_HEADERS, [ROW], delimiter=delimiter))
    assert accepted(submission)["quantity"] == 25
    assert submission.summary["delimiter"] == delimiter


@pytest.mark.parametrize(
    ("quantity", "value", "delimiter", "expected_quantity", "expected_value"),
    [
        ("1 234,56", "1 000,5", ";", 1234.56, 1000.5),
        ("1\u00a0234,56", "21\u00a0500", ";", 1234.56, 21500),
        ("1,234.56", "21,500.25", "\t", 1234.56, 21500.25),
        ("1.234,56", "21.500,25", ";", 1234.56, 21500.25),
        ("1234.5", "21500", ",", 1234.5, 21500),
        ("1500 kg", "21500", ",", 1.5, 21500),
    ],
)
def test_number_styles_of_the_region(
    send: Any, quantity: str, value: str, delimiter: str, expected_quantity: float, expected_value: float
) -> None:
    row = list(ROW)
    row[7], row[8] = quantity, value
    values = accepted(send(csv_bytes(EN_HEADERS, [row], delimiter=delimiter)))
    assert values["quantity"] == pytest.approx(expected_quantity)
    assert values["value"] == pytest.approx(expected_value)


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("Quantity (kg)", "25000"),
        ("数量（公斤）", "25000"),  # the everyday Chinese word for kilogram
        ("数量（千克）", "25000"),
        ("Количество (тонн)", "25"),
        ("Количество (т.)", "25"),
        ("Miqdori (tonna)", "25"),
        ("Quantity (MT)", "25"),
    ],
)
def test_unit_in_the_header_is_converted(send: Any, header: str, cell: str) -> None:
    headers = list(EN_HEADERS)
    headers[7] = header
    row = list(ROW)
    row[7] = cell
    assert accepted(send(csv_bytes(headers, [row])))["quantity"] == 25


def test_headers_match_ignoring_case_spaces_and_punctuation(send: Any) -> None:
    headers = [
        "PERIOD",
        "product.",
        "destination  country",
        "incoterm",
        "Border-crossing",
        "transport_mode",
        "PACKAGING",
        "quantity",
        "value ",
        "currency",
    ]
    assert accepted(send(csv_bytes(headers, [ROW])))["border_crossing"] == "khorgos"


def test_xlsx_sheet_named_after_the_standard_is_read(send: Any) -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["This sheet is a cover page"])
    data = workbook.create_sheet("tomato-paste.exports")
    data.append(EN_HEADERS)
    data.append([*ROW[:7], 25, 21500, "USD"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    submission = send(buffer.getvalue(), filename="export.xlsx")
    assert accepted(submission)["quantity"] == 25
    assert submission.summary["sheet"] == "tomato-paste.exports"


def test_xlsx_merged_header_cells_and_excel_date_serials(send: Any) -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tomato paste exports, September 2026"])
    sheet.merge_cells("A1:J1")
    sheet.append(["Period", "Shipment", None, None, None, None, None, "Quantity (t)", "Value", "Currency"])
    sheet.append(
        [
            None,
            "Product",
            "Destination country",
            "Incoterm",
            "Border crossing",
            "Transport mode",
            "Packaging",
            None,
            None,
            None,
        ]
    )
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("H2:H3")
    sheet.merge_cells("I2:I3")
    sheet.merge_cells("J2:J3")
    serial = (dt.date(2026, 9, 1) - dt.date(1899, 12, 30)).days
    sheet.append([serial, *ROW[1:7], 25, 21500, "USD"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    submission = send(buffer.getvalue(), filename="merged.xlsx")
    values = accepted(submission)
    assert values["period"] == "2026-09" and values["product"] == "hot-break-28-30"
    assert submission.summary["header_row"] == 3


def test_xlsx_real_dates_in_the_period_column(send: Any) -> None:
    submission = send(
        xlsx_bytes(EN_HEADERS, [[dt.datetime(2026, 9, 1), *ROW[1:7], 25, 21500, "USD"]]),
        filename="dates.xlsx",
    )
    assert accepted(submission)["period"] == "2026-09"


def test_xlsx_rows_and_columns_are_numbered_as_the_spreadsheet_does(send: Any) -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active  # nothing in row 1 or column A: the sheet's cells start at B2
    sheet["B2"] = "Tomato paste exports, September 2026"
    sheet.merge_cells("B2:K2")
    header = ["Period", "Shipment", None, None, None, None, None, "Quantity (t)", "Value", "Currency"]
    below = [None, "Product", "Destination country", "Incoterm", "Border crossing", "Transport mode"]
    serial = (dt.date(2026, 9, 1) - dt.date(1899, 12, 30)).days
    for column, (top, bottom, cell) in enumerate(
        itertools.zip_longest(header, [*below, "Packaging"], [serial, *ROW[1:7], 25, 21500, "USD"]), start=2
    ):
        sheet.cell(row=3, column=column, value=top)
        sheet.cell(row=4, column=column, value=bottom)
        sheet.cell(row=6, column=column, value=cell)
    for column in "BIJK":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet["I7"] = "lots"  # row 7: only a quantity, and not a number
    buffer = io.BytesIO()
    workbook.save(buffer)
    submission = send(buffer.getvalue(), filename="offset.xlsx")
    assert submission.summary["header_row"] == 4
    issues = [(i.row, i.column, i.value, i.code) for i in submission.issues.filter(value="lots")]
    assert issues == [(7, "Quantity (t)", "lots", "not_a_number")]

    del sheet["I7"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    submission = send(buffer.getvalue(), filename="offset.xlsx", key="without row 7")
    values = accepted(submission)
    assert values["period"] == "2026-09" and values["product"] == "hot-break-28-30"
    assert values["quantity"] == 25 and values["currency"] == "USD"
    assert Observation.objects.get(submission=submission).row == 6


def test_xlsx_error_cells_are_read_as_excel_shows_them(send: Any) -> None:
    row = [*ROW[:7], "#DIV/0!", 21500, "USD", "#N/A"]  # openpyxl writes these as error cells
    submission = send(xlsx_bytes([*EN_HEADERS, "Brix"], [row]), filename="errors.xlsx")
    assert submission.status == "rejected"
    issues = {(i.row, i.column, i.value) for i in submission.issues.all()}
    assert issues == {(2, "Quantity (t)", "#DIV/0!"), (2, "Brix", "#N/A")}


def test_json_rows_go_through_the_same_checks(
    cast: Any, tomato: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.submissions import services

    rows = [
        dict(
            zip(
                TOMATO_FIELDS,
                [*ROW[:7], 25, 21500, "USD"],
                strict=True,
            )
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        submission, _ = services.receive_rows(
            actor=cast.person("a", "contributor"),
            organization=cast.org_a,
            version=tomato,
            period="2026-09",
            rows=rows,
        )
    submission.refresh_from_db()
    assert accepted(submission)["quantity"] == 25
