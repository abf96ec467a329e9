"""Collect the messages that Django, DRF, django-guardian and django-filter leave untranslated in our
languages into locale_vendor/<lang>/LC_MESSAGES/django.po, keeping translations already made there.

A maintenance command: run it after upgrading one of those packages, then translate what it adds
(docs/i18n.md). django-filter ships Chinese as zh_CN, which Django never loads for zh-hans; its
translations are copied in as they are.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.core.management.base import BaseCommand

LANGUAGES = {"zh-hans": "zh_Hans", "ru": "ru", "kk": "kk", "ky": "ky", "uz": "uz"}
# (package, locale folder inside it, catalog that lists every message id)
SOURCES = [
    ("django", "conf/locale", "en"),
    ("django.contrib.admin", "locale", "en"),
    ("django.contrib.auth", "locale", "en"),
    ("django.contrib.contenttypes", "locale", "en"),
    ("rest_framework", "locale", "en"),
    ("guardian", "locale", "ru"),
    ("django_filters", "locale", "ru"),
]
FALLBACKS = {("django_filters", "zh_Hans"): "zh_CN"}


def _read(path: Path) -> Catalog | None:
    """A package's catalog from its .po file, or from the compiled .mo when only that ships (DRF)."""
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle)
    compiled = path.with_suffix(".mo")
    if compiled.exists():
        with compiled.open("rb") as handle:
            return read_mo(handle)
    return None


def _translated(message: Any) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings) and bool(strings)


class Command(BaseCommand):
    help = "Gather untranslated third-party messages into locale_vendor/."

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR) / "locale_vendor"
        for folder in LANGUAGES.values():
            target_path = root / folder / "LC_MESSAGES" / "django.po"
            existing = _read(target_path)
            catalog = Catalog(locale=folder, project="Alliance Hub", fuzzy=False)
            for package, locale_dir, source_language in SOURCES:
                base = Path(importlib.import_module(package).__file__).parent / locale_dir  # type: ignore[arg-type]
                source = _read(base / source_language / "LC_MESSAGES" / "django.po")
                own = _read(base / folder / "LC_MESSAGES" / "django.po")
                fallback_folder = FALLBACKS.get((package, folder))
                fallback = (
                    _read(base / fallback_folder / "LC_MESSAGES" / "django.po") if fallback_folder else None
                )
                if source is None:
                    continue
                for message in source:
                    if not message.id or catalog.get(message.id, message.context) is not None:
                        continue
                    if (
                        own is not None
                        and (found := own.get(message.id, message.context))
                        and _translated(found)
                    ):
                        continue
                    string: Any = "" if not message.pluralizable else ("",) * catalog.num_plurals
                    for candidate in (existing, fallback):
                        found = candidate.get(message.id, message.context) if candidate else None
                        if found and _translated(found):
                            string = found.string
                            break
                    catalog.add(message.id, string, context=message.context, auto_comments=[package])
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with target_path.open("wb") as handle:
                write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
            missing = sum(1 for message in catalog if message.id and not _translated(message))
            self.stdout.write(f"{folder}: {len(catalog)} messages, {missing} to translate")
