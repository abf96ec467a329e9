"""Every shipped standard loads, round-trips (file → database → definition → the same fields), exports a
plain Table Schema with the same columns, loads idempotently, and cannot be changed once published."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from apps.standards.definition import (
    DefinitionError,
    check_definition,
    definition_of,
    normalized,
    table_schema,
)
from apps.standards.models import StandardVersion
from apps.standards.services import STANDARDS_DIR, load_standards
from tests.standards.data import SHIPPED_CODES

SHIPPED = sorted(STANDARDS_DIR.glob("*/*.yaml"))


def test_every_standard_of_the_design_is_shipped() -> None:
    assert {path.parent.name for path in SHIPPED} == SHIPPED_CODES


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_file_round_trips(standards: Any, path: Path) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    version = StandardVersion.objects.get(standard__code=content["code"], version=content["version"])
    assert normalized(definition_of(version)) == normalized(content)
    schema = table_schema(version, "ru")
    uploaded = [f["name"] for f in content["fields"] if not f.get("derived")]
    assert [f["name"] for f in schema["fields"]] == uploaded
    assert all(f["title"] for f in schema["fields"])
    assert schema.get("primaryKey", []) == content.get("primaryKey", [])


def test_loading_into_an_empty_database_and_again_changes_nothing(db: Any) -> None:
    from apps.standards.models import Standard

    Standard.objects.all().delete()
    first = load_standards()
    assert len(first) == len(SHIPPED) and {outcome for _name, outcome in first} == {"created"}
    assert {outcome for _name, outcome in load_standards()} == {"unchanged"}


def test_a_changed_published_version_is_refused(standards: Any, tmp_path: Path) -> None:
    folder = tmp_path / "standards"
    shutil.copytree(STANDARDS_DIR, folder)
    path = folder / "tomato-paste.exports" / "1.0.0.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("maximum: 50000", "maximum: 60000"), encoding="utf-8"
    )
    with pytest.raises(DefinitionError) as error:
        load_standards(folder)
    assert "tomato-paste.exports/1.0.0.yaml" in str(error.value)
    assert "published-immutable" in str(error.value)
    field = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.0.0").fields.get(
        name="quantity"
    )
    assert field.constraints["maximum"] == 50000


def test_deprecating_in_a_file_is_allowed(standards: Any, tmp_path: Path) -> None:
    folder = tmp_path / "standards"
    shutil.copytree(STANDARDS_DIR, folder)
    path = folder / "textiles.mill" / "1.0.0.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: published", "status: deprecated"), encoding="utf-8"
    )
    results = dict(load_standards(folder))
    assert results["textiles.mill 1.0.0"] == "deprecated"


def _minimal() -> dict[str, Any]:
    texts = {code: "x" for code in ("en", "zh-hans", "ru", "kk", "ky", "uz")}
    return {
        "code": "test.thing",
        "version": "1.0.0",
        "sector": "textiles",
        "frequency": "month",
        "title": texts,
        "description": texts,
        "fields": [
            {
                "name": "period",
                "type": "period",
                "role": "dimension",
                "required": True,
                "title": texts,
                "description": texts,
            },
            {
                "name": "amount",
                "type": "decimal",
                "role": "measure",
                "unit": "t",
                "aggregation": "sum",
                "disclosureClass": "quantity",
                "title": texts,
                "description": texts,
            },
        ],
    }


@pytest.mark.parametrize(
    ("change", "where", "rule"),
    [
        (lambda d: d["fields"][1].pop("unit"), "fields[1] amount", "unit"),
        (lambda d: d["fields"][1].update(unit="zorkmids"), "fields[1] amount", "unit"),
        (lambda d: d["fields"][1].update(acceptedUnits=["ha"]), "fields[1] amount", "accepted-units"),
        (lambda d: d["fields"][1]["title"].pop("kk"), "fields[1] amount", "title-missing"),
        (lambda d: d["fields"][0].update(name="Period"), "fields[0] Period", "name"),
        (lambda d: d["fields"].append(dict(d["fields"][1])), "fields[2] amount", "name-unique"),
        (
            lambda d: d["fields"][1].update(aggregation={"ratio": ["amount", "nothing"]}),
            "fields[1] amount",
            "aggregation",
        ),
        (
            lambda d: d["fields"][1].update(constraints={"minimum": 5, "maximum": 1}),
            "fields[1] amount",
            "range",
        ),
        (lambda d: d.update(primaryKey=["amount"]), "primaryKey", "primary-key"),
        (lambda d: d.update(frequency="weekly"), "standard", "frequency"),
        (lambda d: d["fields"][0].update(colour="red"), "fields[0] period", "unknown-key"),
        (lambda d: d["fields"][1].update(type="string"), "fields[1] amount", "measure-type"),
    ],
)
def test_broken_definitions_name_the_field_and_the_rule(change: Any, where: str, rule: str) -> None:
    definition = _minimal()
    check_definition(definition)
    change(definition)
    with pytest.raises(DefinitionError) as error:
        check_definition(definition, source="test.yaml")
    assert (where, rule) in [(w, r) for w, r, _message in error.value.problems], error.value.problems
    assert str(error.value).startswith("test.yaml: ")
