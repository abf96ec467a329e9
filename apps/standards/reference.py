"""Reference data the standards use: ISO 3166 countries and ISO 4217 currencies (codes from pycountry,
names in the six languages from Babel/CLDR), and HS 2022 codes (standards/reference/hs2022.csv).

Everything is read once per process and kept in memory (a few hundred kilobytes).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale
from django.conf import settings

HS_FILE = Path(settings.BASE_DIR) / "standards" / "reference" / "hs2022.csv"
BABEL_LOCALES = {"en": "en", "zh-hans": "zh_Hans", "ru": "ru", "kk": "kk", "ky": "ky", "uz": "uz"}


def fold(text: str) -> str:
    """Text reduced for matching: case-folded, accents and punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return text.strip()


@lru_cache(maxsize=len(BABEL_LOCALES))
def _locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, "en"))


# --- Countries ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def country_name(code: str, language: str = "en") -> str:
    name = _locale(language).territories.get(code) or getattr(
        pycountry.countries.get(alpha_2=code), "name", code
    )
    return str(name)


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [
            code,
            country.alpha_3,
            country.name,
            getattr(country, "official_name", ""),
            getattr(country, "common_name", ""),
        ]
        names += [_locale(language).territories.get(code, "") for language in BABEL_LOCALES]
        for name in names:
            if name:
                index.setdefault(fold(name), code)
    return index


def find_country(text: str) -> str | None:
    """The alpha-2 code for a code (KZ, KAZ) or a name in any of the six languages, or None."""
    return _country_index().get(fold(text))


# --- Currencies ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def currency_name(code: str, language: str = "en") -> str:
    return _locale(language).currencies.get(code) or code


@lru_cache(maxsize=1)
def _currency_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code in currency_codes():
        index.setdefault(fold(code), code)
        for language in BABEL_LOCALES:
            name = _locale(language).currencies.get(code)
            if name:
                index.setdefault(fold(name), code)
    for symbol, code in (
        ("$", "USD"),
        ("¥", "CNY"),
        ("元", "CNY"),
        ("人民币", "CNY"),
        ("₸", "KZT"),
        ("тг", "KZT"),
        ("руб", "RUB"),
        ("рубль", "RUB"),
        ("₽", "RUB"),
        ("сом", "KGS"),
        ("€", "EUR"),
        ("тенге", "KZT"),
        ("теңге", "KZT"),
        ("сум", "UZS"),
        ("soʻm", "UZS"),
        ("юань", "CNY"),
        ("доллар", "USD"),
        ("美元", "USD"),
    ):
        index.setdefault(fold(symbol) or symbol, code)
    return index


def find_currency(text: str) -> str | None:
    """The ISO 4217 code for a code, a common symbol or a name in any of the six languages, or None."""
    stripped = text.strip()
    return _currency_index().get(fold(stripped)) or _currency_index().get(stripped)


# --- HS 2022 --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def hs_table() -> dict[str, dict[str, str]]:
    """code → row (level, parent, en, zh-hans, ru) for every chapter, heading and subheading."""
    if not HS_FILE.exists():
        return {}
    with HS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def hs_name(code: str, language: str = "en") -> str:
    """The code's name in `language`, falling back to its heading's, then to English."""
    table = hs_table()
    row = table.get(code)
    while row is not None:
        if row.get(language):
            return row[language]
        if language == "en":
            break
        row = table.get(row.get("parent", ""))
    return (table.get(code) or {}).get("en", "")


def find_hs_code(text: str) -> str | None:
    """A six-digit HS 2022 subheading from '200290', '2002.90', '2002 90' or '2002.90.00' (national
    digits beyond six are dropped); None when it is not a subheading of HS 2022."""
    digits = re.sub(r"[\s.\-]", "", text.strip())
    if not digits.isdigit() or len(digits) < 6:
        return None
    code = digits[:6]
    table = hs_table()
    if not table:  # no snapshot shipped: accept any six digits
        return code
    row = table.get(code)
    return code if row is not None and row["level"] == "subheading" else None
