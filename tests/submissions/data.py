"""The files firms send, made in the tests: header rows and data rows of tomato-paste.exports 1.0.0 in
several languages, and the CSV and XLSX bytes built from them."""

from __future__ import annotations

import io
import itertools
from typing import Any

import openpyxl

# The English titles of tomato-paste.exports 1.0.0's ten required fields, and a row that passes them.
EN_HEADERS = [
    "Period",
    "Product",
    "Destination country",
    "Incoterm",
    "Border crossing",
    "Transport mode",
    "Packaging",
    "Quantity (t)",
    "Value",
    "Currency",
]
ROW = ["2026-09", "hot-break-28-30", "KZ", "DAP", "khorgos", "road", "aseptic-drum", "25", "21500", "USD"]

# The field names of tomato-paste.exports 1.0.0 in the order of its English template (EN_HEADERS).
TOMATO_FIELDS = [
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

# The ten required columns and Brix headed by their Russian titles (the quantity's with its unit), and
# two rows as a Russian spreadsheet writes them (dates like 01.09.2026, decimal commas).
RU_TITLES_WITH_BRIX = [
    "Период",
    "Продукт",
    "Страна назначения",
    "Базис поставки (Инкотермс)",
    "Пункт пропуска",
    "Вид транспорта",
    "Упаковка",
    "Количество (т)",
    "Стоимость",
    "Валюта",
    "Брикс",
]
RU_ROWS_WITH_BRIX = [
    [
        "01.09.2026",
        "Горячее дробление 28–30 °Bx",
        "Казахстан",
        "DAP",
        "Хоргос",
        "Автомобильный",
        "Асептическая бочка",
        "1 234,56",
        "1 111 104,00",
        "USD",
        "28,5",
    ],
    [
        "01.09.2026",
        "Холодное дробление 36–38 °Bx",
        "Кыргызстан",
        "FCA",
        "Торугарт",
        "Автомобильный",
        "Асептическая бочка",
        "20,5",
        "15 990 000",
        "KZT",
        "37,2",
    ],
]

COUNTRIES = ["KZ", "KG", "UZ", "TJ", "RU", "MN", "AF", "TM", "CN", "TR"]
INCOTERMS = ["EXW", "FCA", "CPT", "CIP", "DAP", "FOB", "CFR", "CIF"]
CROSSINGS = ["khorgos", "alashankou", "torugart", "irkeshtam", "baketu", "sea"]
MODES = ["road", "rail", "multimodal", "sea", "air"]


def distinct_rows(count: int) -> list[list[str]]:
    combos = itertools.product(COUNTRIES, INCOTERMS, CROSSINGS, MODES, ["aseptic-drum", "tin"])
    return [
        ["2026-09", "hot-break-28-30", country, incoterm, crossing, mode, pack, "25", "21500", "USD"]
        for country, incoterm, crossing, mode, pack in itertools.islice(combos, count)
    ]


def csv_bytes(
    headers: list[str],
    rows: list[list[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    title: str | None = None,
) -> bytes:
    lines = [delimiter.join(headers)] + [delimiter.join(str(c) for c in row) for row in rows]
    if title:
        lines.insert(0, title)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(
    headers: list[Any],
    rows: list[list[Any]],
    *,
    title: str | None = None,
    sheet: str = "Sheet1",
    merge_title: bool = True,
) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    if title:
        ws.append([title])
        if merge_title:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
