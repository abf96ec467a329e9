"""The member's dashboard: their organizations, their role in each, what they can do there. And the
partner API guide (docs/api-guide*.md), rendered in the reader's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from markdown_it import MarkdownIt

from apps.organizations.permissions import is_steward
from apps.organizations.selectors import memberships_of, organization_counts


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"memberships": memberships_of(request.user)}  # type: ignore[arg-type]
    if is_steward(request.user):
        context.update(organization_counts())
    return render(request, "portal/dashboard.html", context)


# The guide is written in English, Russian and Chinese, the languages partner developers read; readers
# of Kazakh, Kyrgyz and Uzbek get the Russian one.
GUIDES = {"en": "api-guide.md", "ru": "api-guide.ru.md", "zh-hans": "api-guide.zh-hans.md"}
GUIDE_FALLBACK = {"kk": "ru", "ky": "ru", "uz": "ru"}


def guide_language(language: str | None) -> str:
    language = (language or "en").lower()
    return language if language in GUIDES else GUIDE_FALLBACK.get(language, "en")


@lru_cache(maxsize=8)
def _rendered(path: Path, modified: float) -> str:
    """The guide as HTML: CommonMark with tables, raw HTML in it escaped, never trusted."""
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(path.read_text("utf-8"))


def api_guide(request: HttpRequest) -> HttpResponse:
    language = guide_language(get_language())
    path = Path(settings.BASE_DIR) / "docs" / GUIDES[language]
    if not path.exists():
        language, path = "en", Path(settings.BASE_DIR) / "docs" / GUIDES["en"]
    html = _rendered(path, path.stat().st_mtime)
    return render(
        request,
        "portal/api_guide.html",
        {"guide": mark_safe(html), "guide_language": language},  # noqa: S308  (rendered with html off)
    )
