"""Helpers that make the files firms send, in the tests themselves."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from apps.standards.models import ExchangeRate, StandardVersion
from apps.submissions import services

RU_HEADERS = [
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
RU_ROWS = [
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


@pytest.fixture
def tomato(standards: Any) -> StandardVersion:
    return StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")


@pytest.fixture
def rates(db: Any) -> None:
    ExchangeRate.objects.create(currency="KZT", period="2026-09", usd_per_unit=Decimal("0.00205"))
    ExchangeRate.objects.create(currency="CNY", period="2026-09", usd_per_unit=Decimal("0.1389"))


@pytest.fixture
def send(cast: Any, tomato: StandardVersion, django_capture_on_commit_callbacks: Any) -> Any:
    """Send bytes as a contributor of firm A and process them the way the worker does."""

    def _send(
        content: bytes,
        *,
        period: str = "2026-09",
        filename: str = "data.csv",
        key: str | None = None,
        version: StandardVersion | None = None,
        actor: Any = None,
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            submission, _created = services.receive_submission(
                actor=actor or cast.person("a", "contributor"),
                organization=cast.org_a,
                version=version or tomato,
                period=period,
                upload=ContentFile(content, name=filename),
                filename=filename,
                idempotency_key=key,
            )
        submission.refresh_from_db()
        return submission

    return _send


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

REFUSE_TWELVE = """
    CREATE OR REPLACE FUNCTION test_refuse_twelve() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF 12 IN (NEW.m1, NEW.m2, NEW.m3) THEN
            RAISE EXCEPTION 'value out of range for the test' USING ERRCODE = '22003';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_twelve BEFORE INSERT ON submissions_observation
        FOR EACH ROW EXECUTE FUNCTION test_refuse_twelve();
"""


@contextmanager
def refusing_twelve() -> Iterator[None]:
    """PostgreSQL refuses a quantity of 12 while rows are written, as it refuses a value out of a type's
    range (a data exception, raised by a trigger of the test's own)."""
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_TWELVE)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_twelve ON submissions_observation")


@pytest.fixture
def refusing_database(db: Any) -> Iterator[None]:
    with refusing_twelve():
        yield
