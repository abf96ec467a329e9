"""Every main page renders in each of the six languages, with the project's own words translated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The dashboard's heading in each language: proof that the catalog was compiled and is used.
PAGES = [
    "/",
    "/organizations/firm-a/",
    "/organizations/firm-a/members/",
    "/organizations/firm-a/tokens/",
    "/organizations/firm-a/audit/",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_render_in_each_language(cast: Any, language: str) -> None:
    client = cast.client_for("a_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Language"] == language
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        if language != "en":
            assert "Your organizations" not in html and ">Sign out<" not in html, (language, path)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_and_steward_pages_render_in_each_language(cast: Any, language: str) -> None:
    from django.test import Client

    anonymous = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = anonymous.get("/accounts/sign-in/").content.decode()
    assert (">Sign in<" in page) == (language == "en")
    steward = cast.client_for("steward")
    steward.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert steward.get("/steward/organizations/").status_code == 200
    assert steward.get("/steward/organizations/new/").status_code == 200


@pytest.mark.parametrize("folder", ["locale", "locale_vendor"])
@pytest.mark.parametrize("language", ["zh_Hans", "ru", "kk", "ky", "uz"])
def test_catalogs_are_complete(folder: str, language: str) -> None:
    path = Path(settings.BASE_DIR) / folder / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert missing == []


def test_uzbek_uses_the_modifier_letter_not_apostrophes() -> None:
    text = (Path(settings.BASE_DIR) / "locale/uz/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    strings = [line for line in text.splitlines() if line.startswith("msgstr")]
    assert not [line for line in strings if "o'" in line or "g'" in line or "o‘" in line or "g‘" in line]
