"""Steward-only actions on standards, for every role; reading is open to everyone signed in.

A superuser is a steward here (it holds every model permission); a staff user without steward rights
is like any member. Each allowed answer is checked for what it does (tests/matrix.py): the draft
made, changed, published, discarded or the version deprecated, where the redirect leads, the page or
file given; every other answer changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from apps.standards.models import Field, StandardVersion
from tests.matrix import LOGIN, Case, Outcome, State, all_of, check, redirects_to, renders, row, snapshot

CODE = "tomato-paste.exports"
FIELD = {"name": "extra", "type": "string", "role": "attribute", "title_en": "Extra"}
NOT_STEWARDS = {"a_admin": 403, "staff": 403, "a_contributor": 403, "a_viewer": 403}
DRAFT_PAGE = f"/standards/{CODE}/draft/"


def state() -> State:
    """The standard's versions and their fields."""
    return snapshot(
        versions=StandardVersion.objects.values_list("id", "standard_id", "version", "status", "based_on_id"),
        fields=Field.objects.values_list("id", "version_id", "name", "type", "role", "required"),
    )


def draft_fields() -> set[str]:
    draft = StandardVersion.objects.get(standard__code=CODE, status="draft")
    return set(draft.fields.values_list("name", flat=True))


def version_page(version: str) -> Any:
    drawn = renders("standards/version.html")

    def effect(outcome: Outcome) -> None:
        drawn(outcome)
        shown = outcome.response.context["version"]
        assert (shown.standard.code, shown.status if version == "draft" else shown.version) == (CODE, version)

    return effect


def template_file(outcome: Outcome) -> None:
    response = outcome.response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"PK")  # a workbook is a zip file
    assert not outcome.changed()


def draft_created(outcome: Outcome) -> None:
    """POST new-draft/: a draft based on 1.1.0 (the newest), with 1.1.0's fields."""
    base = StandardVersion.objects.get(standard__code=CODE, version="1.1.0")
    ((_id, _standard, version, status, based_on),) = outcome.added("versions")
    assert (version, status, based_on) == (None, "draft", base.pk)
    assert not outcome.removed("versions") and not outcome.removed("fields")
    assert draft_fields() == set(base.fields.values_list("name", flat=True))


def field_added(outcome: Outcome) -> None:
    """POST fields/new/: the draft has the field "extra", and nothing else changed."""
    assert outcome.changed() == {"fields"}
    assert {row[2] for row in outcome.added("fields")} == {"extra"} and not outcome.removed("fields")
    assert "extra" in draft_fields()


def field_removed(outcome: Outcome) -> None:
    """POST fields/brix/remove/: the draft no longer has the field brix."""
    assert outcome.changed() == {"fields"}
    assert {row[2] for row in outcome.removed("fields")} == {"brix"} and not outcome.added("fields")
    assert "brix" not in draft_fields()


def published(outcome: Outcome) -> None:
    """POST publish/: the draft is published as 1.2.0 (it adds a field), and the page of 1.2.0 follows."""
    assert not StandardVersion.objects.filter(standard__code=CODE, status="draft").exists()
    new = StandardVersion.objects.get(standard__code=CODE, version="1.2.0")
    assert new.status == "published" and "note" in set(new.fields.values_list("name", flat=True))
    assert {row[0] for row in outcome.removed("versions")} == {new.pk}  # the draft's row, now numbered
    assert outcome.location() == f"/standards/{CODE}/1.2.0/"


def discarded(outcome: Outcome) -> None:
    """POST discard/: the draft and its fields are gone; nothing else changed."""
    assert outcome.changed() == {"versions", "fields"}
    (gone,) = outcome.removed("versions")
    assert gone[3] == "draft" and not outcome.added("versions") and not outcome.added("fields")
    assert {row[1] for row in outcome.removed("fields")} == {gone[0]}


def deprecated(outcome: Outcome) -> None:
    """POST deprecate/: 1.0.0 is deprecated; its fields stay as they were."""
    assert outcome.changed() == {"versions"}
    assert StandardVersion.objects.get(standard__code=CODE, version="1.0.0").status == "deprecated"
    assert {row[0] for row in outcome.removed("versions")} == {row[0] for row in outcome.added("versions")}


def standard_list(outcome: Outcome) -> None:
    codes = {standard["code"] for standard in outcome.response.json()}
    assert CODE in codes
    assert not outcome.changed()


def table_schema(outcome: Outcome) -> None:
    names = {field["name"] for field in outcome.response.json()["fields"]}
    assert {"period", "quantity", "brix"} <= names
    assert not outcome.changed()


def draft_body(outcome: Outcome) -> None:
    assert outcome.response.json()["status"] == "draft"
    assert not outcome.changed()


MATRIX = [
    *row("GET", "/standards/", "own", effect=renders("standards/catalog.html"), people=200, others=LOGIN),
    *row("GET", f"/standards/{CODE}/1.0.0/", "own", effect=version_page("1.0.0"), people=200, others=LOGIN),
    *row(
        "GET", f"/standards/{CODE}/1.0.0/template.xlsx", "own", effect=template_file, people=200, others=LOGIN
    ),
    *row(
        "GET",
        f"/standards/{CODE}/draft/",
        "own",
        effect=version_page("draft"),
        stewards=200,
        a_admin=404,
        staff=404,
        a_contributor=404,
        a_viewer=404,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/1.1.0/new-draft/",
        "own",
        effect=all_of(draft_created, redirects_to(DRAFT_PAGE)),
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "GET",
        f"/standards/{CODE}/draft/fields/new/",
        "own",
        effect=renders("standards/field_form.html"),
        stewards=200,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/fields/new/",
        "own",
        effect=all_of(field_added, redirects_to(DRAFT_PAGE)),
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/fields/brix/remove/",
        "own",
        effect=all_of(field_removed, redirects_to(DRAFT_PAGE)),
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/publish/",
        "own",
        effect=published,
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/draft/discard/",
        "own",
        effect=all_of(discarded, redirects_to(f"/standards/{CODE}/")),
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row(
        "POST",
        f"/standards/{CODE}/1.0.0/deprecate/",
        "own",
        effect=all_of(deprecated, redirects_to(f"/standards/{CODE}/1.0.0/")),
        stewards=302,
        **NOT_STEWARDS,
        others=LOGIN,
    ),
    *row("GET", "/api/v1/standards/", "own", effect=standard_list, people=200, tokens=200, anonymous=401),
    *row(
        "GET",
        f"/api/v1/standards/{CODE}/versions/1.0.0/schema.json",
        "own",
        effect=table_schema,
        people=200,
        tokens=200,
        anonymous=401,
    ),
    *row(
        "GET",
        f"/api/v1/standards/{CODE}/versions/draft/",
        "own",
        effect=draft_body,
        stewards=200,
        a_admin=404,
        staff=404,
        a_contributor=404,
        a_viewer=404,
        tokens=404,
        anonymous=401,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_standards_permission_matrix(cast: Any, standards: Any, case: Case) -> None:
    from apps.standards import services

    base = StandardVersion.objects.get(standard__code=CODE, version="1.1.0")  # the newest
    path = case.path
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
    client = cast.client_for(case.actor)
    before = state()
    response = (
        client.get(path)
        if case.method == "GET"
        else client.post(path, FIELD if path.endswith("fields/new/") else {})
    )
    check(Outcome(case, path, response, before, state()))
