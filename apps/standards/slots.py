"""Where a standard's figures are stored: one typed row per data row, in fixed columns.

The observation table has DIMENSION_SLOTS text columns (d1, d2, ...) and MEASURE_SLOTS number columns
(m1, m2, ...). Each field of a standard keeps its column for all versions of that standard: a field
with the same name and kind as in an earlier version reuses its slot; a new field takes the lowest slot
no version of the standard has used. So a benchmark reads `m3` of every version alike, and storing a
row is one COPY of typed values, with nothing to parse per row but numbers and short texts.

The period is not stored per row (it is the submission's), and derived measures are computed, not
stored, so neither takes a slot.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.standards.models import Field, StandardVersion

DIMENSION_SLOTS = 24
MEASURE_SLOTS = 24


def kind_of(field: Field) -> str | None:
    """'m' for a stored measure, 'd' for any other stored field, None for what is not stored."""
    if field.derived or field.type == Field.Type.PERIOD:
        return None
    return "m" if field.role == Field.Role.MEASURE else "d"


def column_of(field: Field) -> str:
    kind = kind_of(field)
    if kind is None or field.slot is None:
        raise ValueError(f"{field.name} has no column")
    return f"{kind}{field.slot}"


def assign_slots(version: StandardVersion) -> None:
    """Give each stored field of `version` its column. Idempotent; called when a version is published."""
    earlier = (
        Field.objects.filter(version__standard_id=version.standard_id, slot__isnull=False)
        .exclude(version=version)
        .values_list("name", "role", "type", "derived", "slot")
    )
    known: dict[tuple[str, str], int] = {}
    used: dict[str, set[int]] = {"d": set(), "m": set()}
    for name, role, type_, derived, slot in earlier:
        kind = kind_of(Field(role=role, type=type_, derived=derived))
        if kind is None or slot is None:
            continue
        known.setdefault((kind, name), slot)
        used[kind].add(slot)
    limits = {"d": DIMENSION_SLOTS, "m": MEASURE_SLOTS}
    for field in version.fields.order_by("position"):
        kind = kind_of(field)
        if kind is None:
            slot = None
        elif (kind, field.name) in known:
            slot = known[(kind, field.name)]
        else:
            slot = min(set(range(1, limits[kind] + 2)) - used[kind])
            if slot > limits[kind]:
                raise ValidationError(
                    _("A standard can store at most %(count)s dimensions and %(measures)s measures.")
                    % {"count": DIMENSION_SLOTS, "measures": MEASURE_SLOTS}
                )
            used[kind].add(slot)
            known[(kind, field.name)] = slot
        if field.slot != slot:
            field.slot = slot
            field.save(update_fields=["slot"])


def ensure_slots(version: StandardVersion) -> None:
    """Assign slots to a published version that predates them (databases made before slots existed)."""
    unset = version.fields.filter(slot__isnull=True, derived__isnull=True).exclude(type=Field.Type.PERIOD)
    if unset.exists():
        assign_slots(version)
