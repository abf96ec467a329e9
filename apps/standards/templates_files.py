"""Template files a firm fills in: CSV (UTF-8 with BOM, so Excel opens it cleanly) and XLSX (localized
header row, a units row, drop-down lists, and a sheet that explains every field), in any language.

Every cell the hub writes that could start a formula (= + - @, tab, carriage return) is neutralized.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from alliance.i18n import pick
from apps.standards import reference
from apps.standards.models import Field, StandardVersion
from apps.standards.units import symbol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uploaded_fields(version: StandardVersion) -> list[Field]:
    return [field for field in version.fields.order_by("position") if not field.derived]


def header(field: Field, language: str) -> str:
    title = pick(field.titles, field.name, language)
    return f"{title} ({symbol(field.unit, language)})" if field.unit and field.unit != "1" else title


def allowed_values(field: Field, language: str) -> list[str]:
    """What a drop-down offers: labels of enum values, country or currency codes."""
    if field.type == Field.Type.ENUM:
        return [
            pick(field.enum_labels.get(code, {}), code, language)
            for code in field.constraints.get("enum", [])
        ]
    if field.type == Field.Type.COUNTRY:
        return sorted(reference.country_codes())
    if field.type == Field.Type.CURRENCY:
        return sorted(reference.currency_codes())
    return []


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_download(version: StandardVersion, language: str, kind: str) -> HttpResponse:
    """The template as an attachment with a safe, descriptive file name (never shown inline)."""
    content = xlsx_template(version, language) if kind == "xlsx" else csv_template(version, language)
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    filename = f"{version.standard.code}-{version.version or 'draft'}-{language}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_template(version: StandardVersion, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(header(field, language)) for field in uploaded_fields(version)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_template(version: StandardVersion, language: str) -> bytes:
    fields = uploaded_fields(version)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = version.standard.code[:31]
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    shaded = PatternFill("solid", fgColor="E8EEF4")
    with translation.override(language):
        guide = workbook.create_sheet(str(_("Fields"))[:31])
        for column, field in enumerate(fields, start=1):
            letter = get_column_letter(column)
            sheet.cell(row=1, column=column, value=safe_cell(header(field, language))).font = bold
            sheet.cell(row=1, column=column).fill = shaded
            sheet.cell(
                row=2, column=column, value=safe_cell(symbol(field.unit, language) if field.unit else "")
            )
            sheet.cell(row=2, column=column).font = Font(italic=True, color="5B6675")
            sheet.column_dimensions[letter].width = max(14, min(40, len(header(field, language)) + 4))
            values = allowed_values(field, language)
            if values:
                for row, value in enumerate(values, start=1):
                    lists.cell(row=row, column=column, value=safe_cell(value))
                validation = DataValidation(
                    type="list",
                    formula1=f"=lists!${letter}$1:${letter}${len(values)}",
                    allow_blank=not field.required,
                    showErrorMessage=field.type == Field.Type.ENUM,
                )
                validation.error = _("Choose a value from the list.")
                validation.add(f"{letter}3:{letter}10000")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A3"
        _write_guide(guide, version, fields, language)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_guide(sheet: Any, version: StandardVersion, fields: list[Field], language: str) -> None:
    sheet.append(
        [safe_cell(f"{pick(version.titles, version.standard.code, language)} {version.version or ''}")]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(pick(version.descriptions, "", language))])
    sheet.append([])
    columns = [_("Column"), _("Meaning"), _("Type"), _("Unit"), _("Required"), _("Allowed values")]
    sheet.append([str(c) for c in columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for field in fields:
        allowed = ""
        if field.type == Field.Type.ENUM:
            allowed = "; ".join(allowed_values(field, language))
        elif field.constraints.get("minimum") is not None or field.constraints.get("maximum") is not None:
            allowed = f"{field.constraints.get('minimum', '')} … {field.constraints.get('maximum', '')}"
        sheet.append(
            [
                safe_cell(header(field, language)),
                safe_cell(pick(field.descriptions, "", language)),
                str(Field.Type(field.type).label),
                safe_cell(symbol(field.unit, language) if field.unit else ""),
                str(_("yes") if field.required else _("no")),
                safe_cell(allowed),
            ]
        )
    for letter, width in zip("ABCDEF", (28, 70, 18, 12, 10, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
