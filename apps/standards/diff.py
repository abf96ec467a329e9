"""What changed between two versions of a standard, and the semantic-version bump that requires.

Major: anything that can make a file that was valid before invalid, or change what a published
figure means (a field removed or made required, a type, unit or aggregation changed, a constraint
narrowed, an allowed value or header alias removed). Minor: what only widens (an optional field
added, a constraint widened, a value or alias added). Patch: texts (titles, descriptions, labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.standards.definition import normalized, parse_version

ORDER = {"patch": 1, "minor": 2, "major": 3}
MAJOR_KEYS = {"type", "role", "unit", "aggregation", "disclosureClass", "derived", "currencyField"}
TEXT_KEYS = {"title", "description"}


@dataclass(frozen=True)
class Change:
    field: str  # "" for the standard itself
    what: str
    before: Any
    after: Any
    bump: str


def _set_change(field: str, what: str, before: list[Any], after: list[Any]) -> list[Change]:
    removed, added = set(before) - set(after), set(after) - set(before)
    changes = []
    if removed:
        changes.append(Change(field, f"{what} removed", sorted(removed), None, "major"))
    if added:
        changes.append(Change(field, f"{what} added", None, sorted(added), "minor"))
    return changes


def _bound(field: str, key: str, before: Any, after: Any, narrower_if_greater: bool) -> Change:
    if before is None:
        return Change(field, key, None, after, "major")
    if after is None:
        return Change(field, key, before, None, "minor")
    narrowed = after > before if narrower_if_greater else after < before
    return Change(field, key, before, after, "major" if narrowed else "minor")


def _field_changes(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(MAJOR_KEYS):
        if before.get(key) != after.get(key):
            changes.append(Change(name, key, before.get(key), after.get(key), "major"))
    if bool(before.get("required")) != bool(after.get("required")):
        changes.append(
            Change(
                name,
                "required",
                bool(before.get("required")),
                bool(after.get("required")),
                "major" if after.get("required") else "minor",
            )
        )
    old, new = before.get("constraints") or {}, after.get("constraints") or {}
    for key, narrower_if_greater in (
        ("minimum", True),
        ("minLength", True),
        ("maximum", False),
        ("maxLength", False),
    ):
        if old.get(key) != new.get(key):
            changes.append(_bound(name, key, old.get(key), new.get(key), narrower_if_greater))
    if old.get("pattern") != new.get("pattern"):
        changes.append(
            Change(
                name,
                "pattern",
                old.get("pattern"),
                new.get("pattern"),
                "minor" if new.get("pattern") is None else "major",
            )
        )
    changes += _set_change(name, "allowed values", old.get("enum") or [], new.get("enum") or [])
    changes += _set_change(
        name, "accepted units", before.get("acceptedUnits") or [], after.get("acceptedUnits") or []
    )
    old_aliases = {(lang, a) for lang, items in (before.get("aliases") or {}).items() for a in items}
    new_aliases = {(lang, a) for lang, items in (after.get("aliases") or {}).items() for a in items}
    changes += [
        Change(
            name,
            f"header alias {'removed' if bump == 'major' else 'added'}",
            [f"{lang}: {a}" for lang, a in sorted(diff)] if bump == "major" else None,
            [f"{lang}: {a}" for lang, a in sorted(diff)] if bump == "minor" else None,
            bump,
        )
        for diff, bump in ((old_aliases - new_aliases, "major"), (new_aliases - old_aliases, "minor"))
        if diff
    ]
    if before.get("precision") != after.get("precision"):
        changes.append(Change(name, "precision", before.get("precision"), after.get("precision"), "minor"))
    if before.get("default") != after.get("default"):
        changes.append(Change(name, "default", before.get("default"), after.get("default"), "major"))
    for key in sorted(TEXT_KEYS | {"enumLabels"}):
        if before.get(key) != after.get(key):
            changes.append(Change(name, key, before.get(key), after.get(key), "patch"))
    return changes


def diff_definitions(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every change from `before` to `after`, each with the bump it requires."""
    before, after = normalized(before), normalized(after)
    changes: list[Change] = []
    for key, bump in (
        ("frequency", "major"),
        ("primaryKey", "major"),
        ("title", "patch"),
        ("description", "patch"),
    ):
        if before.get(key) != after.get(key):
            changes.append(Change("", key, before.get(key), after.get(key), bump))
    old_rules, new_rules = before.get("rules") or [], after.get("rules") or []
    if any(rule not in old_rules for rule in new_rules):
        changes.append(Change("", "rule added", None, [r for r in new_rules if r not in old_rules], "major"))
    if any(rule not in new_rules for rule in old_rules):
        changes.append(
            Change("", "rule removed", [r for r in old_rules if r not in new_rules], None, "minor")
        )
    old_fields = {f["name"]: f for f in before["fields"]}
    new_fields = {f["name"]: f for f in after["fields"]}
    for name, field in old_fields.items():
        if name not in new_fields:
            changes.append(Change(name, "field removed", field.get("type"), None, "major"))
    for name, field in new_fields.items():
        if name not in old_fields:
            required = (
                bool(field.get("required")) and field.get("derived") is None and not field.get("default")
            )
            changes.append(
                Change(name, "field added", None, field.get("type"), "major" if required else "minor")
            )
        else:
            changes += _field_changes(name, old_fields[name], field)
    return changes


def required_bump(changes: list[Change]) -> str | None:
    return max((change.bump for change in changes), key=ORDER.__getitem__, default=None)


def bumped(version: str, bump: str) -> str:
    major, minor, patch = parse_version(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
