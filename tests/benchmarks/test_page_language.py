"""The members' benchmark page speaks one language: the page is in the reader's language whatever the
query says; a download is in `?lang=` (the language of the page it was linked from), every word of it,
so a shared link gives everyone the same file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from apps.benchmarks.models import Run
from apps.benchmarks.runs import compute_run
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, make_alliance, row, spread

PERIOD = "2026-06"
QUERY = "standard=tomato-paste.exports&measure=unit_price"


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    found = make_alliance(cast.steward, version)
    found.firms.append(cast.org_a)
    found.contributors[cast.org_a.pk] = cast.person("a", "contributor")
    found.send(cast.org_a, PERIOD, [row("hot-break-28-30", "KZ", 150, 150 * 1234.0, 29.9)], key="a")
    spread(found, PERIOD, 12)
    compute_run(version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    return found


def _words(html: bytes) -> str:
    """The page but for the form's fresh CSRF token and the language switcher's way back (the URL)."""
    return re.sub(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"', "", html.decode())


def _reader(cast: Any, language: str) -> Client:
    client = cast.client_for("a_viewer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_a_stray_lang_leaves_the_page_in_the_readers_language(cast: Any, alliance: Alliance) -> None:
    russian = _reader(cast, "ru")
    plain = russian.get(f"/benchmarks/?{QUERY}")
    stray = russian.get(f"/benchmarks/?{QUERY}&lang=en")
    assert plain.status_code == stray.status_code == 200
    assert plain.headers["Content-Language"] == "ru"
    # the same page, word for word : the measure names too
    assert _words(stray.content) == _words(plain.content)
    assert ">Unit price<" not in stray.content.decode()


@pytest.mark.parametrize("kind", ["csv", "svg"])
def test_a_download_link_gives_everyone_the_pages_file(cast: Any, alliance: Alliance, kind: str) -> None:
    russian = _reader(cast, "ru")
    page = russian.get(f"/benchmarks/?{QUERY}").content.decode()
    assert f"format={kind}&amp;lang=ru" in page
    own = russian.get(f"/benchmarks/?{QUERY}&format={kind}")
    linked = _reader(cast, "en").get(f"/benchmarks/?{QUERY}&format={kind}&lang=ru")
    assert own.status_code == linked.status_code == 200
    assert linked.content == own.content
    english = _reader(cast, "en").get(f"/benchmarks/?{QUERY}&format={kind}").content
    assert english != own.content
    text = own.content.decode("utf-8-sig")
    assert "median" not in text and "медиана" in text.lower()
