"""Steward-only actions on standards, for every role; reading is open to everyone signed in.

A superuser is a steward here (it holds every model permission); a staff user without steward rights
is like any member."""

from __future__ import annotations

from typing import Any

import pytest

from tests.organizations.test_permission_matrix import row

CODE = "tomato-paste.exports"
FIELD = {"name": "extra", "type": "string", "role": "attribute", "title_en": "Extra"}
MATRIX = [
    *row("GET", "/standards/", "own", people=200, others=302),
    *row("GET", f"/standards/{CODE}/1.0.0/", "own", people=200, others=302),
    *row("GET", f"/standards/{CODE}/1.0.0/template.xlsx", "own", people=200, others=302),
    *row(
        "GET",
        f"/standards/{CODE}/draft/",
        "own",
        stewards=200,
        a_admin=404,
        staff=404,
        a_contributor=404,
        a_viewer=404,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/1.0.0/new-draft/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "GET",
        f"/standards/{CODE}/draft/fields/new/",
        "own",
        stewards=200,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/fields/new/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/fields/brix/remove/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/publish/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/discard/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/1.0.0/deprecate/",
        "own",
        stewards=302,
        a_admin=403,
        staff=403,
        a_contributor=403,
        a_viewer=403,
        others=302,
    ),
    *row("GET", "/api/v1/standards/", "own", people=200, tokens=200, anonymous=401),
    *row(
        "GET",
        f"/api/v1/standards/{CODE}/versions/1.0.0/schema.json",
        "own",
        people=200,
        tokens=200,
        anonymous=401,
    ),
    *row(
        "GET",
        f"/api/v1/standards/{CODE}/versions/draft/",
        "own",
        stewards=200,
        a_admin=404,
        staff=404,
        a_contributor=404,
        a_viewer=404,
        tokens=404,
        anonymous=401,
    ),
]


@pytest.mark.parametrize(("method", "path", "target", "actor", "expected"), MATRIX)
def test_standards_permission_matrix(
    cast: Any, standards: Any, method: str, path: str, target: str, actor: str, expected: int
) -> None:
    from apps.standards import services
    from apps.standards.models import StandardVersion

    base = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
    if "/draft/" in path and not path.endswith("new-draft/"):
        services.create_draft(actor=cast.steward, base=base)
        if path.endswith("/publish/"):
            services.save_field(
                actor=cast.steward,
                draft=StandardVersion.objects.get(status="draft"),
                data={
                    "name": "note",
                    "type": "string",
                    "title": {c: "x" for c in ("en", "zh-hans", "ru", "kk", "ky", "uz")},
                    "description": {c: "x" for c in ("en", "zh-hans", "ru", "kk", "ky", "uz")},
                },
            )
    client = cast.client_for(actor)
    response = (
        client.get(path)
        if method == "GET"
        else client.post(path, FIELD if path.endswith("fields/new/") else {})
    )
    assert response.status_code == expected, (method, path, actor, response.content[:200])
