"""The Content-Security-Policy on the hub's pages, and pages that need nothing it forbids."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline script"),
    (re.compile(r"<style\b", re.I), "an inline style sheet"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_pages_forbid_inline_code_and_foreign_sources(cast: Any) -> None:
    response = cast.client_for("a_admin").get("/")
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src", "img-src"):
        assert directives[name] == "'self'", name
    assert directives["object-src"] == directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("actor", "path"),
    [
        ("anonymous", "/accounts/sign-in/"),
        ("a_admin", "/"),
        ("a_admin", "/organizations/firm-a/"),
        ("a_admin", "/organizations/firm-a/audit/"),
        ("a_admin", "/organizations/firm-a/tokens/"),
        ("a_admin", "/standards/"),
        ("a_admin", "/submissions/"),
        ("steward", "/steward/organizations/"),
    ],
)
def test_the_hubs_pages_have_no_inline_code(cast: Any, standards: Any, actor: str, path: str) -> None:
    response = cast.client_for(actor).get(path)
    assert response.status_code == 200, path
    page = response.content.decode()
    for pattern, what in INLINE:
        assert not pattern.search(page), f"{path} has {what}: {pattern.search(page)}"


def test_a_standards_version_page_has_no_inline_code(cast: Any, standards: Any) -> None:
    version = standards[0]
    page = cast.client_for("a_admin").get(f"/standards/{version.standard.code}/{version.version}/")
    assert page.status_code == 200
    for pattern, what in INLINE:
        assert not pattern.search(page.content.decode()), what


def test_swagger_ui_is_served_as_files_the_policy_allows(db: Any) -> None:
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    for pattern, what in INLINE:
        assert not pattern.search(html), what
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert script, html
    init = Client().get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
