"""Each field of a standard keeps its column of the observation table in every version, so that stored
figures of all versions read alike; a new field never takes a column an earlier field had."""

from __future__ import annotations

from typing import Any

from apps.standards.models import Field, StandardVersion
from apps.standards.slots import column_of
from tests.standards.data import CODE, NEW_FIELD


def _columns(number: str) -> dict[str, str]:
    version = StandardVersion.objects.get(standard__code=CODE, version=number)
    return {f.name: column_of(f) for f in version.fields.exclude(slot=None)}


def _publish(
    steward: Any, base: str, *, add: dict[str, str] | None = None, remove: str | None = None
) -> None:
    assert steward.post(f"/standards/{CODE}/{base}/new-draft/").status_code == 302
    if add:
        assert steward.post(f"/standards/{CODE}/draft/fields/new/", add).status_code == 302
    if remove:
        assert steward.post(f"/standards/{CODE}/draft/fields/{remove}/remove/").status_code == 302
    assert steward.post(f"/standards/{CODE}/draft/publish/").status_code == 302


def test_shipped_fields_have_distinct_columns_and_period_and_derived_have_none(standards: Any) -> None:
    version = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
    columns = _columns("1.0.0")
    assert len(set(columns.values())) == len(columns)
    assert columns["quantity"].startswith("m") and columns["destination_country"].startswith("d")
    assert version.fields.get(name="period").slot is None
    assert all(f.slot is None for f in version.fields.all() if f.derived)


def test_columns_stay_put_across_versions_and_are_never_reused(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    first = _columns("1.0.0")
    assert _columns("1.1.0") == first  # 1.1.0 adds breakdowns only
    _publish(steward, "1.1.0", add=NEW_FIELD)
    second = _columns("1.2.0")
    assert {name: second[name] for name in first} == first
    assert second["container_count"] not in first.values()
    pallets = NEW_FIELD | {"name": "pallet_count", "title_en": "Pallets"}
    _publish(steward, "1.2.0", add=pallets, remove="payment_terms")
    third = _columns("2.0.0")
    assert "payment_terms" not in third
    assert third["pallet_count"] not in second.values()  # payment_terms' column stays its own
    assert {name: third[name] for name in first if name != "payment_terms"} == {
        name: column for name, column in first.items() if name != "payment_terms"
    }
    quantity = Field.objects.filter(version__standard__code=CODE, name="quantity")
    assert quantity.get(version__version="2.0.0").slot == quantity.get(version__version="1.0.0").slot
