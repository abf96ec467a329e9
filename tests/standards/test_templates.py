from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings

from alliance.i18n import pick
from apps.standards.models import StandardVersion
from apps.standards.templates_files import csv_template, safe_cell, xlsx_template
from apps.standards.units import symbol

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def tomato(standards: Any) -> StandardVersion:
    return StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")


def expected_headers(version: StandardVersion, language: str) -> list[str]:
    headers = []
    for field in version.fields.order_by("position"):
        if field.derived:
            continue
        title = pick(field.titles, field.name, language)
        headers.append(
            f"{title} ({symbol(field.unit, language)})" if field.unit and field.unit != "1" else title
        )
    return headers


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_template_opens_cleanly_in_each_language(tomato: StandardVersion, language: str) -> None:
    content = csv_template(tomato, language)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [expected_headers(tomato, language)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_xlsx_template_has_headers_units_lists_and_a_guide(tomato: StandardVersion, language: str) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_template(tomato, language)))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == expected_headers(tomato, language)
    units = {headers[i]: cell.value for i, cell in enumerate(sheet[2])}
    quantity_header = next(
        h for h in headers if h.startswith(pick(tomato.fields.get(name="quantity").titles, "", language))
    )
    assert units[quantity_header] == symbol("t", language)
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"
    validations = sheet.data_validations.dataValidation
    product_column = headers.index(pick(tomato.fields.get(name="product").titles, "", language)) + 1
    product_validation = next(
        v for v in validations if str(v.sqref).startswith(openpyxl.utils.get_column_letter(product_column))
    )
    product_labels = [lists.cell(row=r, column=product_column).value for r in range(1, 7)]
    assert product_labels == [
        pick(labels, "", language) for labels in tomato.fields.get(name="product").enum_labels.values()
    ]
    assert product_validation.type == "list"
    assert {v.type for v in validations} == {"list"} and len(validations) == 7
    guide = workbook.worksheets[2]
    guide_rows = [[c.value for c in row] for row in guide.iter_rows(min_row=5)]
    assert [row[0] for row in guide_rows] == headers
    assert all(row[1] for row in guide_rows)  # every field is explained


def test_formula_like_texts_are_neutralized() -> None:
    for dangerous in ("=1+1", "+7", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Quantity") == "Quantity"
    assert safe_cell(5) == 5
