"""A standard version as data: the file format of standards/ (a superset of the Frictionless Table
Schema, docs/standards.md), its validation, its round trip to the database, its checksum, and its
export as a plain Table Schema.

`check_definition()` is the one gate every definition passes, whether it comes from a shipped file, a
steward's draft being published, or a test: it names the field and the rule that a definition breaks.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from alliance.i18n import pick
from apps.standards.models import Field, StandardVersion
from apps.standards.units import conversion_factor, parse_unit

LANGUAGES = [code for code, _name in settings.LANGUAGES]
CODE_PATTERN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
CONSTRAINT_KEYS = {"minimum", "maximum", "pattern", "enum", "minLength", "maxLength"}
NUMERIC_TYPES = {Field.Type.INTEGER, Field.Type.DECIMAL}
# Our field types as plain Table Schema types (and the constraint that carries the rest).
TABLE_SCHEMA_TYPES = {
    "integer": ("integer", {}),
    "decimal": ("number", {}),
    "string": ("string", {}),
    "date": ("date", {}),
    "period": ("string", {}),
    "enum": ("string", {}),
    "country": ("string", {"pattern": "^[A-Z]{2}$"}),
    "hs_code": ("string", {"pattern": "^[0-9]{6}$"}),
    "currency": ("string", {"pattern": "^[A-Z]{3}$"}),
}
PERIOD_PATTERNS = {
    "month": "^[0-9]{4}-(0[1-9]|1[0-2])$",
    "quarter": "^[0-9]{4}-Q[1-4]$",
    "season": "^[0-9]{4}$",
    "year": "^[0-9]{4}$",
}


class DefinitionError(ValueError):
    """A definition breaks a rule. `problems` are (where, rule, message) with where like 'fields[3] brix'."""

    def __init__(self, source: str, problems: list[tuple[str, str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {where}: {message} [{rule}]" for where, rule, message in problems]
        super().__init__("\n".join(lines))


def parse_version(text: str) -> tuple[int, int, int]:
    match = VERSION_PATTERN.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a semantic version like 1.0.0")
    return int(match[1]), int(match[2]), int(match[3])


# --- Validation ----------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, *, complete_texts: bool) -> None:
        self.problems: list[tuple[str, str, str]] = []
        self.complete_texts = complete_texts

    def fail(self, where: str, rule: str, message: str) -> None:
        self.problems.append((where, rule, message))

    def texts(self, where: str, key: str, value: Any, *, required: bool) -> None:
        if value in (None, {}) and not required:
            return
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(where, f"{key}-type", f"{key} must map language codes to texts")
            return
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            self.fail(where, f"{key}-language", f"{key} has unknown languages {sorted(unknown)}")
        wanted = LANGUAGES if self.complete_texts else ["en"]
        missing = [code for code in wanted if not (value.get(code) or "").strip()]
        if missing and (required or value):
            self.fail(where, f"{key}-missing", f"{key} lacks {', '.join(missing)}")


def check_definition(
    definition: dict[str, Any], *, source: str = "definition", complete_texts: bool = True
) -> None:
    """Raise DefinitionError listing every rule the definition breaks; return None when it is sound.

    `complete_texts` demands titles and descriptions in all six languages (shipped files and published
    versions); drafts being edited need English only.
    """
    check = _Checker(complete_texts=complete_texts)
    _check_standard(check, definition)
    fields = definition.get("fields")
    if not isinstance(fields, list) or not fields:
        check.fail("standard", "fields", "a standard needs a non-empty list of fields")
        raise DefinitionError(source, check.problems)
    by_name = _check_fields(check, fields)
    for name in definition.get("primaryKey") or []:
        if name not in by_name:
            check.fail("primaryKey", "primary-key", f"{name!r} is not a field")
        elif by_name[name].get("role") != "dimension":
            check.fail("primaryKey", "primary-key", f"{name!r} is not a dimension")
    _check_breakdowns(check, definition.get("breakdowns"), by_name)
    for index, rule in enumerate(definition.get("rules") or []):
        _check_rule(check, f"rules[{index}]", rule, by_name)
    if check.problems:
        raise DefinitionError(source, check.problems)


BREAKDOWN_TYPES = frozenset({"enum", "country", "hs_code"})


def _check_breakdowns(check: _Checker, breakdowns: Any, by_name: dict[str, Any]) -> None:
    """Benchmarks may be broken down by the version's dimensions (destination country, product), one
    at a time; each named once."""
    if breakdowns is None:
        return
    if not isinstance(breakdowns, list) or len(set(map(str, breakdowns))) != len(breakdowns):
        check.fail("breakdowns", "breakdowns", "breakdowns must be a list of distinct field names")
        return
    for name in breakdowns:
        field = by_name.get(name)
        if field is None:
            check.fail("breakdowns", "breakdowns", f"{name!r} is not a field")
        elif field.get("role") != "dimension" or field.get("type") not in BREAKDOWN_TYPES:
            check.fail("breakdowns", "breakdowns", f"{name!r} is not a dimension of a listed kind")


FIELD_KEYS = {
    "name",
    "type",
    "role",
    "required",
    "title",
    "description",
    "aliases",
    "constraints",
    "enumLabels",
    "unit",
    "acceptedUnits",
    "currencyField",
    "aggregation",
    "disclosureClass",
    "precision",
    "derived",
    "default",
}


STANDARD_KEYS = frozenset(
    {
        "code",
        "version",
        "status",
        "sector",
        "audience",
        "frequency",
        "title",
        "description",
        "primaryKey",
        "breakdowns",
        "rules",
        "fields",
        "$schema",
    }
)


def _check_standard(check: _Checker, definition: dict[str, Any]) -> None:
    """The standard's own keys: code, version, status, frequency, audience and texts."""
    for key in sorted(set(definition) - STANDARD_KEYS):
        check.fail("standard", "unknown-key", f"unknown key {key!r}")
    code = definition.get("code", "")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        check.fail("standard", "code", f"code {code!r} must look like 'sector.topic' (lower case, dots)")
    if definition.get("version") is not None:
        try:
            parse_version(str(definition["version"]))
        except ValueError as error:
            check.fail("standard", "version", str(error))
    if definition.get("status", "published") not in StandardVersion.Status.values:
        check.fail("standard", "status", f"status must be one of {StandardVersion.Status.values}")
    if definition.get("frequency") not in StandardVersion.Frequency.values:
        check.fail("standard", "frequency", f"frequency must be one of {StandardVersion.Frequency.values}")
    if definition.get("audience", "member") not in ("member", "partner"):
        check.fail("standard", "audience", "audience must be 'member' or 'partner'")
    check.texts("standard", "title", definition.get("title"), required=True)
    check.texts("standard", "description", definition.get("description"), required=check.complete_texts)


def _check_fields(check: _Checker, fields: list[Any]) -> dict[str, dict[str, Any]]:
    """Each field on its own, then the references between them; returns the fields by name."""
    by_name: dict[str, dict[str, Any]] = {}
    for index, field in enumerate(fields):
        name = field.get("name", "") if isinstance(field, dict) else ""
        where = f"fields[{index}] {name}".strip()
        if not isinstance(field, dict):
            check.fail(where, "field-type", "each field must be an object")
            continue
        if not NAME_PATTERN.match(name):
            check.fail(
                where, "name", "name must be lower case letters, digits and _ (starting with a letter)"
            )
        elif name in by_name:
            check.fail(where, "name-unique", f"the name {name!r} is used twice")
        by_name[name] = field
        _check_field(check, where, field)
    for index, field in enumerate(fields):
        if isinstance(field, dict):
            _check_references(check, f"fields[{index}] {field.get('name', '')}", field, by_name)
    return by_name


def _check_field(check: _Checker, where: str, field: dict[str, Any]) -> None:
    for key in sorted(set(field) - FIELD_KEYS):
        check.fail(where, "unknown-key", f"unknown key {key!r}")
    kind = field.get("type")
    if kind not in Field.Type.values:
        check.fail(where, "type", f"type {kind!r} must be one of {Field.Type.values}")
    role = field.get("role", "attribute")
    if role not in Field.Role.values:
        check.fail(where, "role", f"role {role!r} must be one of {Field.Role.values}")
    if not isinstance(field.get("required", False), bool):
        check.fail(where, "required", "required must be true or false")
    check.texts(where, "title", field.get("title"), required=True)
    check.texts(where, "description", field.get("description"), required=check.complete_texts)
    aliases = field.get("aliases") or {}
    if (
        not isinstance(aliases, dict)
        or not all(isinstance(v, list) and all(isinstance(a, str) for a in v) for v in aliases.values())
        or set(aliases) - set(LANGUAGES)
    ):
        check.fail(where, "aliases", "aliases must map language codes to lists of header texts")
    _check_constraints(check, where, field, kind)
    _check_measure(check, where, field, kind, role)
    _check_unit(check, where, field)
    precision = field.get("precision")
    if precision is not None and (not isinstance(precision, int) or not 0 <= precision <= 6):
        check.fail(where, "precision", "precision must be a whole number from 0 to 6")
    if field.get("default") is not None and not isinstance(field["default"], str | int | float):
        check.fail(where, "default", "default must be a single value")
    if field.get("derived") is not None and field.get("required"):
        check.fail(where, "derived", "a derived field is computed, so it cannot be required")


def _check_constraints(check: _Checker, where: str, field: dict[str, Any], kind: Any) -> None:
    """Minimum, maximum, pattern and the allowed values of an enum with their labels."""
    constraints = field.get("constraints") or {}
    if not isinstance(constraints, dict):
        check.fail(where, "constraints", "constraints must be an object")
        constraints = {}
    for key in sorted(set(constraints) - CONSTRAINT_KEYS):
        check.fail(where, "constraints", f"unknown constraint {key!r}")
    for key in ("minimum", "maximum"):
        if key in constraints and (
            kind not in NUMERIC_TYPES or not isinstance(constraints[key], int | float)
        ):
            check.fail(where, key, f"{key} must be a number, on a number field")
    if {"minimum", "maximum"} <= set(constraints) and constraints["minimum"] > constraints["maximum"]:
        check.fail(where, "range", "minimum is greater than maximum")
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError):
            check.fail(where, "pattern", f"pattern {constraints['pattern']!r} is not a regular expression")
    enum = constraints.get("enum")
    if kind == "enum":
        if not isinstance(enum, list) or not enum or not all(isinstance(v, str) and v for v in enum):
            check.fail(where, "enum", "an enum field needs constraints.enum, a list of codes")
        elif len(set(enum)) != len(enum):
            check.fail(where, "enum", "constraints.enum repeats a value")
        labels = field.get("enumLabels") or {}
        for value in enum or []:
            if value not in labels:
                if check.complete_texts:
                    check.fail(where, "enum-labels", f"the value {value!r} has no labels")
                continue
            check.texts(f"{where} {value}", "label", labels[value], required=True)
        for value in set(labels) - set(enum or []):
            check.fail(where, "enum-labels", f"labels for {value!r}, which is not an allowed value")
    elif field.get("enumLabels"):
        check.fail(where, "enum-labels", "enumLabels belong to enum fields")


def _check_measure(check: _Checker, where: str, field: dict[str, Any], kind: Any, role: Any) -> None:
    """What a measure needs (a number type, a unit, an aggregation, a disclosure class), and what only a
    measure may have."""
    if role == "measure":
        if kind not in NUMERIC_TYPES:
            check.fail(where, "measure-type", "a measure must be an integer or decimal field")
        if not field.get("unit"):
            check.fail(where, "unit", "a measure needs a unit (use 'percent' or '1' for shares and counts)")
        if field.get("aggregation") is None:
            check.fail(where, "aggregation", "a measure needs an aggregation (sum, ratio or weighted_mean)")
        if field.get("disclosureClass") not in Field.DisclosureClass.values:
            check.fail(
                where, "disclosure-class", f"a measure needs a disclosureClass {Field.DisclosureClass.values}"
            )
    else:
        for key in ("aggregation", "disclosureClass", "precision", "derived", "currencyField"):
            if field.get(key) is not None:
                check.fail(where, key, f"{key} belongs to measures")


def _check_unit(check: _Checker, where: str, field: dict[str, Any]) -> None:
    unit = field.get("unit")
    if unit:
        try:
            parse_unit(unit)
        except ValueError as error:
            check.fail(where, "unit", str(error))
        for accepted in field.get("acceptedUnits") or []:
            try:
                conversion_factor(accepted, unit)
            except ValueError as error:
                check.fail(where, "accepted-units", str(error))
    elif field.get("acceptedUnits"):
        check.fail(where, "accepted-units", "acceptedUnits need a unit")


def parse_aggregation(aggregation: Any) -> tuple[str, list[str]]:
    """A measure's `aggregation` in the file format ('sum', {ratio: [numerator, denominator]} or
    {weighted_mean: weight}) as (kind, field names); ("", []) for none or a shape it cannot be."""
    if isinstance(aggregation, str):
        return aggregation, []
    if isinstance(aggregation, dict) and len(aggregation) == 1:
        kind, names = next(iter(aggregation.items()))
        return kind, names if isinstance(names, list) else [names]
    return "", []


def encode_aggregation(kind: str, names: list[str]) -> str | dict[str, Any] | None:
    """The file format's `aggregation` for (kind, field names): the inverse of parse_aggregation."""
    if not kind:
        return None
    if kind == "sum" or not names:
        return kind
    return {kind: names if kind == "ratio" else names[0]}


def _check_references(check: _Checker, where: str, field: dict[str, Any], by_name: dict[str, Any]) -> None:
    if field.get("role") == "measure" and field.get("aggregation") is not None:
        kind, names = parse_aggregation(field["aggregation"])
        wanted = {"sum": 0, "ratio": 2, "weighted_mean": 1}
        if kind not in wanted or len(names) != wanted[kind]:
            check.fail(
                where,
                "aggregation",
                "aggregation is 'sum', {ratio: [numerator, denominator]} or {weighted_mean: weight}",
            )
        for name in names:
            if by_name.get(name, {}).get("role") != "measure":
                check.fail(where, "aggregation", f"{name!r} is not a measure of this standard")
    derived = field.get("derived")
    if derived is not None:
        if not (
            isinstance(derived, dict)
            and set(derived) == {"ratio"}
            and isinstance(derived["ratio"], list)
            and len(derived["ratio"]) == 2
        ):
            check.fail(where, "derived", "derived must be {ratio: [numerator, denominator]}")
        else:
            for name in derived["ratio"]:
                if by_name.get(name, {}).get("role") != "measure":
                    check.fail(where, "derived", f"{name!r} is not a measure of this standard")
    currency_field = field.get("currencyField")
    if currency_field is not None and by_name.get(currency_field, {}).get("type") != "currency":
        check.fail(where, "currency-field", f"{currency_field!r} is not a currency field of this standard")


def _check_rule(check: _Checker, where: str, rule: Any, by_name: dict[str, Any]) -> None:
    """Cross-field rules: {"check": "lte", "fields": [a, b]} means a <= b on every row."""
    if (
        not isinstance(rule, dict)
        or rule.get("check") not in ("lte", "lt")
        or not isinstance(rule.get("fields"), list)
    ):
        check.fail(where, "rule", "a rule is {check: lte|lt, fields: [a, b]}")
        return
    for name in rule["fields"]:
        if by_name.get(name, {}).get("type") not in NUMERIC_TYPES:
            check.fail(where, "rule", f"{name!r} is not a number field")


# --- Database round trip --------------------------------------------------------------------------------


def _field_from_definition(version: StandardVersion, position: int, item: dict[str, Any]) -> Field:
    kind, names = parse_aggregation(item.get("aggregation"))
    return Field(
        version=version,
        position=position,
        name=item["name"],
        type=item["type"],
        role=item.get("role", "attribute"),
        required=item.get("required", False),
        constraints=item.get("constraints") or {},
        titles=item.get("title") or {},
        descriptions=item.get("description") or {},
        aliases=item.get("aliases") or {},
        enum_labels=item.get("enumLabels") or {},
        unit=item.get("unit") or "",
        accepted_units=item.get("acceptedUnits") or [],
        currency_field=item.get("currencyField") or "",
        aggregation=kind,
        aggregation_fields=names,
        disclosure_class=item.get("disclosureClass") or "",
        precision=item.get("precision"),
        derived=item.get("derived"),
        default=str(item.get("default") or ""),
    )


def fields_from_definition(version: StandardVersion, definition: dict[str, Any]) -> list[Field]:
    return [_field_from_definition(version, i, item) for i, item in enumerate(definition["fields"])]


def field_definition(field: Field) -> dict[str, Any]:
    item: dict[str, Any] = {"name": field.name, "type": field.type, "role": field.role}
    if field.required:
        item["required"] = True
    item["title"] = field.titles
    optional: dict[str, Any] = {
        "description": field.descriptions,
        "aliases": field.aliases,
        "constraints": field.constraints,
        "enumLabels": field.enum_labels,
        "unit": field.unit,
        "acceptedUnits": field.accepted_units,
        "currencyField": field.currency_field,
        "disclosureClass": field.disclosure_class,
        "precision": field.precision,
        "derived": field.derived,
        "default": field.default,
        "aggregation": encode_aggregation(field.aggregation, field.aggregation_fields),
    }
    item.update({key: value for key, value in optional.items() if value not in (None, "", [], {})})
    return item


def definition_of(version: StandardVersion, fields: Iterable[Field] | None = None) -> dict[str, Any]:
    """The version as it would be written to a file of standards/ (the round trip of a loaded file)."""
    standard = version.standard
    definition: dict[str, Any] = {
        "code": standard.code,
        "version": version.version,
        "status": version.status,
        "sector": standard.sector.code if standard.sector else None,
        "audience": standard.audience,
        "frequency": version.frequency,
        "title": version.titles,
        "description": version.descriptions,
        "primaryKey": version.primary_key,
        "breakdowns": version.breakdowns,
        "rules": version.rules,
        "fields": [field_definition(f) for f in (fields if fields is not None else version.fields.all())],
    }
    return {key: value for key, value in definition.items() if value not in (None, [], {})}


def normalized(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition with defaults spelled out and empty values dropped, for comparing two of them."""
    result = {
        key: value for key, value in definition.items() if key != "$schema" and value not in (None, [], {})
    }
    result.setdefault("audience", "member")
    result.setdefault("status", "published")
    fields = []
    for field in definition.get("fields", []):
        item = {key: value for key, value in field.items() if value not in (None, "", [], {}, False)}
        item.setdefault("role", "attribute")
        fields.append(item)
    result["fields"] = fields
    return result


def checksum(definition: dict[str, Any]) -> str:
    """SHA-256 of what a published version promises: everything but its status."""
    content = {key: value for key, value in normalized(definition).items() if key != "status"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- Plain Table Schema ------------------------------------------------------------------------------


def table_schema(version: StandardVersion, language: str = "en") -> dict[str, Any]:
    """The version as a plain Frictionless Table Schema, texts in `language`. Derived fields are left
    out (they are computed, never uploaded); units, enum labels and the other extensions go into
    each field's description and `rdfType`-free custom keys are dropped."""
    fields = []
    for field in version.fields.all():
        if field.derived:
            continue
        ts_type, extra = TABLE_SCHEMA_TYPES[field.type]
        constraints: dict[str, Any] = {**extra}
        if field.required:
            constraints["required"] = True
        for key in ("minimum", "maximum", "pattern", "enum", "minLength", "maxLength"):
            if key in field.constraints:
                constraints[key] = field.constraints[key]
        if field.type == Field.Type.PERIOD:
            constraints["pattern"] = PERIOD_PATTERNS[version.frequency]
        item: dict[str, Any] = {
            "name": field.name,
            "type": ts_type,
            "title": pick(field.titles, field.name, language),
        }
        description = pick(field.descriptions, "", language)
        if field.unit:
            description = f"{description} [{field.unit}]".strip()
        if description:
            item["description"] = description
        if ts_type == "number":
            item["decimalChar"] = "."
            item["groupChar"] = ""
        if constraints:
            item["constraints"] = constraints
        fields.append(item)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if version.primary_key:
        schema["primaryKey"] = version.primary_key
    return schema
