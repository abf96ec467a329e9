from __future__ import annotations

import copy
from typing import Any

import pytest

from apps.standards.diff import bumped, diff_definitions, required_bump

TEXTS = {"en": "x"}
BASE = {
    "code": "t.x",
    "version": "1.2.3",
    "frequency": "month",
    "title": TEXTS,
    "fields": [
        {"name": "period", "type": "period", "role": "dimension", "required": True, "title": TEXTS},
        {
            "name": "kind",
            "type": "enum",
            "role": "dimension",
            "title": TEXTS,
            "constraints": {"enum": ["a", "b"]},
            "aliases": {"ru": ["вид"]},
        },
        {
            "name": "qty",
            "type": "decimal",
            "role": "measure",
            "unit": "t",
            "aggregation": "sum",
            "disclosureClass": "quantity",
            "title": TEXTS,
            "constraints": {"minimum": 0, "maximum": 100},
        },
    ],
}


def changed(edit: Any) -> dict[str, Any]:
    after = copy.deepcopy(BASE)
    edit(after)
    return after


def field(definition: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in definition["fields"] if f["name"] == name)


@pytest.mark.parametrize(
    ("edit", "bump"),
    [
        (lambda d: d["fields"].append({"name": "note", "type": "string", "title": TEXTS}), "minor"),
        (
            lambda d: d["fields"].append(
                {"name": "note", "type": "string", "required": True, "title": TEXTS}
            ),
            "major",
        ),
        (lambda d: d["fields"].pop(), "major"),
        (lambda d: field(d, "qty")["constraints"].update(maximum=200), "minor"),
        (lambda d: field(d, "qty")["constraints"].update(maximum=50), "major"),
        (lambda d: field(d, "qty")["constraints"].update(minimum=1), "major"),
        (lambda d: field(d, "qty")["constraints"].pop("minimum"), "minor"),
        (lambda d: field(d, "kind")["constraints"]["enum"].append("c"), "minor"),
        (lambda d: field(d, "kind")["constraints"]["enum"].remove("b"), "major"),
        (lambda d: field(d, "kind")["aliases"]["ru"].append("тип"), "minor"),
        (lambda d: field(d, "kind")["aliases"].pop("ru"), "major"),
        (lambda d: field(d, "qty").update(unit="kg"), "major"),
        (lambda d: field(d, "qty").update(acceptedUnits=["kg"]), "minor"),
        (lambda d: field(d, "qty").update(required=True), "major"),
        (lambda d: field(d, "period").update(required=False), "minor"),
        (lambda d: field(d, "qty").update(title={"en": "Quantity"}), "patch"),
        (lambda d: field(d, "qty").update(disclosureClass="price_cost"), "major"),
        (lambda d: d.update(frequency="quarter"), "major"),
        (lambda d: d.update(title={"en": "Better title"}), "patch"),
    ],
)
def test_required_bump(edit: Any, bump: str) -> None:
    assert required_bump(diff_definitions(BASE, changed(edit))) == bump


def test_no_change_needs_no_version() -> None:
    assert diff_definitions(BASE, copy.deepcopy(BASE)) == []
    assert required_bump([]) is None


def test_the_biggest_change_decides() -> None:
    def edit(d: dict[str, Any]) -> None:
        field(d, "qty").update(title={"en": "Q"})
        field(d, "qty")["constraints"].update(maximum=50)

    changes = diff_definitions(BASE, changed(edit))
    assert {c.bump for c in changes} == {"patch", "major"}
    assert required_bump(changes) == "major"


@pytest.mark.parametrize(("bump", "number"), [("major", "2.0.0"), ("minor", "1.3.0"), ("patch", "1.2.4")])
def test_bumped_numbers(bump: str, number: str) -> None:
    assert bumped("1.2.3", bump) == number
