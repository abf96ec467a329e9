from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from alliance.i18n import pick
from apps.standards.models import Field, StandardVersion

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_and_version_pages_speak_each_language(cast: Any, standards: Any, language: str) -> None:
    version = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0")
    client = cast.client_for("a_viewer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    catalog = client.get("/standards/").content.decode()
    assert pick(version.titles, "", language) in catalog
    page = client.get("/standards/tomato-paste.exports/1.0.0/")
    html = page.content.decode()
    for field in version.fields.all():
        assert pick(field.titles, "", language) in html
    assert pick(version.fields.get(name="product").enum_labels["cold-break-36-38"], "", language) in html
    with translation.override(language):
        assert f"<td>{Field.Type.HS_CODE.label}</td>" in html  # the type's name, not its code
    if language != "en":
        assert ">Templates<" not in html and ">Fields<" not in html


def test_members_see_no_steward_controls(cast: Any, standards: Any) -> None:
    html = cast.client_for("a_admin").get("/standards/tomato-paste.exports/1.1.0/").content.decode()
    assert 'id="new-draft"' not in html
    steward = cast.client_for("steward").get("/standards/tomato-paste.exports/1.1.0/").content.decode()
    assert 'id="new-draft"' in steward
