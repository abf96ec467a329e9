"""Writes about standards: loading the shipped files, and the stewards' draft → publish → deprecate
workflow. A published version never changes: every edit happens on a draft, and publishing gives the
draft the version number its changes require (apps/standards/diff.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import record_event
from apps.organizations.models import Sector
from apps.standards import definition as spec
from apps.standards.diff import bumped, diff_definitions, required_bump
from apps.standards.models import Field, Standard, StandardVersion
from apps.standards.permissions import can_edit_standards
from apps.standards.selectors import newest_version
from apps.standards.slots import assign_slots

STANDARDS_DIR = Path(settings.BASE_DIR) / "standards"


# --- Shipped files ----------------------------------------------------------------------------------


def read_definition_file(path: Path) -> dict[str, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise spec.DefinitionError(str(path), [("file", "yaml", f"not valid YAML: {error}")]) from None
    if not isinstance(content, dict):
        raise spec.DefinitionError(str(path), [("file", "yaml", "the file must hold one standard version")])
    expected = (path.parent.name, path.stem)
    if (content.get("code"), str(content.get("version"))) != expected:
        raise spec.DefinitionError(
            str(path),
            [
                (
                    "file",
                    "file-name",
                    f"a file at {expected[0]}/{expected[1]}.yaml must hold that code and version",
                )
            ],
        )
    return content


def check_file(path: Path) -> dict[str, Any]:
    """Check one standard file completely without writing anything; return its definition."""
    definition = read_definition_file(path)
    spec.check_definition(definition, source=str(path), complete_texts=True)
    sectors = {
        item["code"] for item in yaml.safe_load((STANDARDS_DIR / "sectors.yaml").read_text(encoding="utf-8"))
    }
    if definition.get("sector") and definition["sector"] not in sectors:
        raise spec.DefinitionError(
            str(path), [("standard", "sector", f"unknown sector {definition['sector']!r}")]
        )
    return definition


def load_sectors(path: Path) -> int:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for item in items:
        Sector.objects.update_or_create(code=item["code"], defaults={"names": item["names"]})
    return len(items)


def load_definition(
    *, definition: dict[str, Any], source: str, actor: Any = None
) -> tuple[StandardVersion, str]:
    """Load one published or deprecated version. Idempotent: the same content again changes nothing.

    Returns the version and what happened: created, unchanged or deprecated. A published version
    whose content differs from the database is refused: it needs a new version number.
    """
    spec.check_definition(definition, source=source, complete_texts=True)
    status = definition.get("status", "published")
    if status == StandardVersion.Status.DRAFT:
        raise spec.DefinitionError(
            source, [("standard", "status", "files hold published or deprecated versions")]
        )
    sector = Sector.objects.filter(code=definition["sector"]).first() if definition.get("sector") else None
    if definition.get("sector") and sector is None:
        raise spec.DefinitionError(
            source, [("standard", "sector", f"unknown sector {definition['sector']!r}")]
        )
    digest = spec.checksum(definition)
    number = str(definition["version"])
    with transaction.atomic():
        standard, _created = Standard.objects.get_or_create(
            code=definition["code"],
            defaults={
                "sector": sector,
                "audience": definition.get("audience", "member"),
                "titles": definition["title"],
            },
        )
        existing = StandardVersion.objects.filter(standard=standard, version=number).first()
        if existing is not None:
            if existing.checksum != digest:
                raise spec.DefinitionError(
                    source,
                    [
                        (
                            "standard",
                            "published-immutable",
                            f"version {number} is already published with other content; "
                            "publish a new version instead",
                        )
                    ],
                )
            if existing.status != status and status == StandardVersion.Status.DEPRECATED:
                _deprecate(existing, actor=actor)
                return existing, "deprecated"
            return existing, "unchanged"
        version = _create_version(standard, definition, status=status, checksum=digest)
        Field.objects.bulk_create(spec.fields_from_definition(version, definition))
        assign_slots(version)
        _refresh_standard(standard)
        record_event(
            actor=actor,
            action="standard.load",
            target=version,
            data={"code": standard.code, "version": number},
        )
    return version, "created"


def _create_version(
    standard: Standard, definition: dict[str, Any], *, status: str, checksum: str
) -> StandardVersion:
    number = str(definition["version"])
    major, minor, patch = spec.parse_version(number)
    return StandardVersion.objects.create(
        standard=standard,
        version=number,
        major=major,
        minor=minor,
        patch=patch,
        status=status,
        frequency=definition["frequency"],
        titles=definition["title"],
        descriptions=definition.get("description") or {},
        primary_key=definition.get("primaryKey") or [],
        breakdowns=definition.get("breakdowns") or [],
        rules=definition.get("rules") or [],
        checksum=checksum,
        published_at=timezone.now(),
        deprecated_at=timezone.now() if status == StandardVersion.Status.DEPRECATED else None,
    )


def load_standards(folder: Path = STANDARDS_DIR, *, actor: Any = None) -> list[tuple[str, str]]:
    """Load sectors.yaml and every <code>/<version>.yaml below `folder`, oldest version first.

    Raises DefinitionError for the first broken file; nothing of that file is written.
    """
    load_sectors(folder / "sectors.yaml")
    paths = sorted(
        folder.glob("*/*.yaml"),
        key=lambda p: (
            p.parent.name,
            spec.parse_version(p.stem) if spec.VERSION_PATTERN.match(p.stem) else (0, 0, 0),
        ),
    )
    results = []
    for path in paths:
        version, outcome = load_definition(
            definition=read_definition_file(path), source=str(path), actor=actor
        )
        results.append((str(version), outcome))
    return results


def _refresh_standard(standard: Standard) -> None:
    """A standard's title and sector follow its newest published version."""
    newest = newest_version(standard)
    if newest is not None and standard.titles != newest.titles:
        standard.titles = newest.titles
        standard.save(update_fields=["titles"])


# --- Drafts -------------------------------------------------------------------------------------------


def _require_editor(actor: Any) -> None:
    if not can_edit_standards(actor):
        raise PermissionDenied


def create_draft(*, actor: Any, base: StandardVersion, request: Any = None) -> StandardVersion:
    """A draft copy of the newest version of a standard, for stewards to edit. One draft at a time."""
    _require_editor(actor)
    with transaction.atomic():
        standard = Standard.objects.select_for_update().get(pk=base.standard_id)
        if standard.versions.filter(status=StandardVersion.Status.DRAFT).exists():
            raise ValidationError(_("This standard has a draft already. Edit or discard it first."))
        if newest_version(standard) != base:
            raise ValidationError(_("A new draft starts from the newest version of the standard."))
        draft = StandardVersion.objects.create(
            standard=standard,
            status=StandardVersion.Status.DRAFT,
            frequency=base.frequency,
            titles=base.titles,
            descriptions=base.descriptions,
            primary_key=base.primary_key,
            breakdowns=base.breakdowns,
            rules=base.rules,
            based_on=base,
            created_by=actor,
        )
        fields = list(base.fields.all())
        for field in fields:
            field.pk = None
            field.version = draft
        Field.objects.bulk_create(fields)
        record_event(
            actor=actor,
            action="standard.draft",
            target=draft,
            request=request,
            data={"code": standard.code, "based_on": base.version},
        )
    return draft


def _require_draft(version: StandardVersion) -> None:
    if not version.is_draft:
        raise ValidationError(_("A published version never changes. Create a draft to change the standard."))


def _check_draft(draft: StandardVersion) -> None:
    """The one gate: a draft must stay a sound definition after every edit (English texts suffice)."""
    try:
        spec.check_definition(
            spec.definition_of(draft, draft.fields.order_by("position")), complete_texts=False
        )
    except spec.DefinitionError as error:
        raise ValidationError([message for _where, _rule, message in error.problems]) from None


def save_field(
    *,
    actor: Any,
    draft: StandardVersion,
    data: dict[str, Any],
    field: Field | None = None,
    request: Any = None,
) -> Field:
    """Add a field to a draft, or replace one of its fields with `data` (the file format's keys)."""
    _require_editor(actor)
    with transaction.atomic():
        draft = StandardVersion.objects.select_for_update().get(pk=draft.pk)
        _require_draft(draft)
        position = (
            field.position
            if field is not None
            else (draft.fields.count() and max(draft.fields.values_list("position", flat=True)) + 1)
        )
        if field is not None:
            if field.version_id != draft.pk:
                raise PermissionDenied
            field.delete()
        new = spec.fields_from_definition(draft, {"fields": [data]})[0]
        new.position = position
        try:
            new.full_clean(exclude=["version"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        new.save()
        _check_draft(draft)
        record_event(
            actor=actor,
            action="standard.field_saved",
            target=draft,
            request=request,
            data={"code": draft.standard.code, "field": new.name, "replaced": field is not None},
        )
    return new


def remove_field(*, actor: Any, field: Field, request: Any = None) -> None:
    _require_editor(actor)
    with transaction.atomic():
        draft = StandardVersion.objects.select_for_update().get(pk=field.version_id)
        _require_draft(draft)
        name = field.name
        field.delete()
        draft.primary_key = [key for key in draft.primary_key if key != name]
        draft.breakdowns = [key for key in draft.breakdowns if key != name]
        draft.save(update_fields=["primary_key", "breakdowns"])
        _check_draft(draft)
        record_event(
            actor=actor,
            action="standard.field_removed",
            target=draft,
            request=request,
            data={"code": draft.standard.code, "field": name},
        )


def discard_draft(*, actor: Any, draft: StandardVersion, request: Any = None) -> None:
    _require_editor(actor)
    _require_draft(draft)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="standard.draft_discarded",
            target=draft,
            request=request,
            data={"code": draft.standard.code},
        )
        draft.delete()


def draft_changes(draft: StandardVersion) -> tuple[list[Any], str | None, str | None]:
    """The draft's changes against the version it came from, the bump they need, and the new number."""
    if draft.based_on is None:
        return [], "major", "1.0.0"
    changes = diff_definitions(spec.definition_of(draft.based_on), spec.definition_of(draft))
    bump = required_bump(changes)
    return changes, bump, bumped(draft.based_on.version or "0.0.0", bump) if bump else None


def publish_draft(*, actor: Any, draft: StandardVersion, request: Any = None) -> StandardVersion:
    """Give the draft the version number its changes require and publish it; it never changes again."""
    _require_editor(actor)
    with transaction.atomic():
        draft = StandardVersion.objects.select_for_update().get(pk=draft.pk)
        _require_draft(draft)
        changes, bump, number = draft_changes(draft)
        if not changes or number is None:
            raise ValidationError(_("The draft does not change anything yet."))
        definition = spec.definition_of(draft) | {"version": number, "status": "published"}
        try:
            spec.check_definition(definition, complete_texts=True)
        except spec.DefinitionError as error:
            raise ValidationError([message for _where, _rule, message in error.problems]) from None
        draft.version = number
        draft.major, draft.minor, draft.patch = spec.parse_version(number)
        draft.status = StandardVersion.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.checksum = spec.checksum(definition)
        draft.save()
        assign_slots(draft)
        _refresh_standard(draft.standard)
        record_event(
            actor=actor,
            action="standard.publish",
            target=draft,
            request=request,
            data={"code": draft.standard.code, "version": number, "bump": bump, "changes": len(changes)},
        )
    return draft


def _deprecate(version: StandardVersion, *, actor: Any, request: Any = None) -> None:
    version.status = StandardVersion.Status.DEPRECATED
    version.deprecated_at = timezone.now()
    version.save(update_fields=["status", "deprecated_at"])
    record_event(
        actor=actor,
        action="standard.deprecate",
        target=version,
        request=request,
        data={"code": version.standard.code, "version": version.version},
    )


def deprecate_version(*, actor: Any, version: StandardVersion, request: Any = None) -> StandardVersion:
    """Mark a published version deprecated (firms are told to move on); its content stays as it was."""
    _require_editor(actor)
    with transaction.atomic():
        version = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != StandardVersion.Status.PUBLISHED:
            raise ValidationError(_("Only a published version can be deprecated."))
        _deprecate(version, actor=actor, request=request)
    return version
