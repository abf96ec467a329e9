"""The issue's own test: files from a Russian-language and a Chinese-language Excel are accepted with
the right values; a broken file gets a report a person can act on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import translation

from apps.submissions.messages import message
from apps.submissions.models import Observation
from tests.submissions.data import RU_ROWS_WITH_BRIX, RU_TITLES_WITH_BRIX, csv_bytes, xlsx_bytes


def test_russian_excel_csv_is_accepted_with_the_right_values(send: Any, rates: Any) -> None:
    content = csv_bytes(RU_TITLES_WITH_BRIX, RU_ROWS_WITH_BRIX, delimiter=";", encoding="cp1251")
    submission = send(content)
    assert submission.status == "accepted", list(submission.issues.values("row", "column", "code", "params"))
    assert submission.summary["encoding"] == "windows-1251" or submission.summary["encoding"].lower() in (
        "cp1251",
        "windows-1251",
    )
    assert submission.summary["delimiter"] == ";"
    rows = {o.row: o for o in Observation.objects.filter(submission=submission)}
    first, second = rows[2], rows[3]
    assert first.dimensions["product"] == "hot-break-28-30"
    assert first.dimensions["destination_country"] == "KZ"
    assert first.dimensions["border_crossing"] == "khorgos"
    assert first.dimensions["hs_code"] == "200290"
    assert Decimal(str(first.measures["quantity"])) == Decimal("1234.56")
    assert Decimal(str(first.measures["value"])) == Decimal("1111104")
    assert first.measures["brix"] == 28.5
    assert second.dimensions["destination_country"] == "KG"
    assert round(second.measures["value"], 2) == round(15990000 * 0.00205, 2)  # KZT converted to USD
    assert submission.is_current


def test_chinese_xlsx_with_a_title_row_is_accepted(send: Any, rates: Any) -> None:
    headers = [
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
        "白利度",
    ]
    rows = [
        [
            "2026年9月",
            "热破 28–30 °Bx",
            "哈萨克斯坦",
            "DAP",
            "霍尔果斯",
            "公路",
            "无菌大包装桶",
            25,
            21500,
            "USD",
            28.8,
        ],
        [
            "2026年9月",
            "冷破 30–32 °Bx",
            "乌兹别克斯坦",
            "CPT",
            "伊尔克什坦",
            "铁路",
            "盒中袋",
            12.5,
            80000,
            "CNY",
            31,
        ],
    ]
    content = xlsx_bytes(headers, rows, title="2026年9月番茄酱出口统计表", sheet="出口")
    submission = send(content, filename="出口.xlsx")
    assert submission.status == "accepted", list(submission.issues.values("row", "column", "code", "params"))
    assert submission.summary["header_row"] == 3
    observations = {o.row: o for o in Observation.objects.filter(submission=submission)}
    assert observations[4].dimensions["destination_country"] == "KZ"
    assert observations[4].measures["quantity"] == 25
    assert observations[5].dimensions["destination_country"] == "UZ"
    assert observations[5].dimensions["product"] == "cold-break-30-32"
    assert round(observations[5].measures["value"], 2) == round(80000 * 0.1389, 2)


def test_a_broken_file_gets_a_report_a_person_can_act_on(send: Any, rates: Any) -> None:
    rows = [list(RU_ROWS_WITH_BRIX[0]), list(RU_ROWS_WITH_BRIX[1])]
    rows[0][7] = "много"  # quantity not a number
    rows[1][2] = "Нарния"  # no such country
    rows[1][9] = "TMT"  # no rate for TMT
    submission = send(csv_bytes(RU_TITLES_WITH_BRIX, rows, delimiter=";", encoding="cp1251"))
    assert submission.status == "rejected"
    assert not Observation.objects.filter(submission=submission).exists()
    issues = list(submission.issues.order_by("row", "id"))
    assert [(i.row, i.column, i.value, i.code) for i in issues] == [
        (2, "Количество (т)", "много", "not_a_number"),
        (3, "Страна назначения", "Нарния", "unknown_country"),
        (3, "Стоимость", "15 990 000", "no_rate"),
    ]
    with translation.override("ru"):
        text = message(issues[0].code, issues[0].params)
    assert "много" in text and text != message(issues[0].code, issues[0].params)
