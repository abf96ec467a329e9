"""A steward takes tomato-paste.exports from 1.1.0 to 1.2.0 in the web interface by adding a field, and
a firm downloads the 1.2.0 XLSX template in Kazakh with that field's Kazakh header."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from apps.standards import services
from apps.standards.models import Field, StandardVersion
from tests.standards.data import CODE, NEW_FIELD


def test_steward_publishes_a_minor_version_and_firms_get_the_kazakh_template(
    cast: Any, standards: Any
) -> None:
    steward = cast.client_for("steward")
    assert steward.post(f"/standards/{CODE}/1.1.0/new-draft/").status_code == 302
    page = steward.get(f"/standards/{CODE}/draft/")
    assert page.status_code == 200

    response = steward.post(f"/standards/{CODE}/draft/fields/new/", NEW_FIELD)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    draft = steward.get(f"/standards/{CODE}/draft/")
    assert draft.context["bump"] == "minor"
    assert draft.context["next_number"] == "1.2.0"
    assert "Publish as 1.2.0" in draft.content.decode()

    assert steward.post(f"/standards/{CODE}/draft/publish/").status_code == 302
    published = StandardVersion.objects.get(standard__code=CODE, version="1.2.0")
    assert published.status == "published"
    assert published.fields.filter(name="container_count").exists()
    assert published.breakdowns == ["destination_country", "product"]  # carried over from 1.1.0
    assert (
        StandardVersion.objects.get(standard__code=CODE, version="1.1.0")
        .fields.filter(name="container_count")
        .count()
        == 0
    )

    firm = cast.client_for("a_viewer")
    download = firm.get(f"/standards/{CODE}/1.2.0/template.xlsx?lang=kk")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{CODE}-1.2.0-kk.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert "Контейнерлер саны" in headers
    assert "Кезең" in headers  # the period column, in Kazakh too

    api = cast.client_for("token_viewer")
    assert api.get(f"/api/v1/standards/{CODE}/").json()["latest_version"] == "1.2.0"


def test_publishing_needs_every_language(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    steward.post(f"/standards/{CODE}/1.1.0/new-draft/")
    partial = {key: value for key, value in NEW_FIELD.items() if not key.endswith("_kk")}
    assert steward.post(f"/standards/{CODE}/draft/fields/new/", partial).status_code == 302
    response = steward.post(f"/standards/{CODE}/draft/publish/", follow=True)
    assert "kk" in response.content.decode()
    assert not StandardVersion.objects.filter(standard__code=CODE, version="1.2.0").exists()


def test_removing_a_field_requires_a_major_version(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    steward.post(f"/standards/{CODE}/1.1.0/new-draft/")
    assert steward.post(f"/standards/{CODE}/draft/fields/payment_terms/remove/").status_code == 302
    draft = steward.get(f"/standards/{CODE}/draft/")
    assert (draft.context["bump"], draft.context["next_number"]) == ("major", "2.0.0")


def test_editing_a_field_in_the_form_keeps_what_it_does_not_show(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    steward.post(f"/standards/{CODE}/1.1.0/new-draft/")
    form = steward.get(f"/standards/{CODE}/draft/fields/product/")
    data = {key: ("" if value is None else value) for key, value in form.context["form"].initial.items()}
    data["required"] = "on"
    data["title_en"] = "Product type"
    assert steward.post(f"/standards/{CODE}/draft/fields/product/", data).status_code == 302
    draft = steward.get(f"/standards/{CODE}/draft/")
    assert [(c.field, c.what, c.bump) for c in draft.context["changes"]] == [("product", "title", "patch")]


def test_a_broken_field_is_refused_with_the_rule(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    steward.post(f"/standards/{CODE}/1.1.0/new-draft/")
    broken = {**NEW_FIELD, "unit": "", "aggregation": ""}
    response = steward.post(f"/standards/{CODE}/draft/fields/new/", broken)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "needs a unit" in errors and "needs an aggregation" in errors
    draft = StandardVersion.objects.get(standard__code=CODE, status="draft")
    assert not draft.fields.filter(name="container_count").exists()


def test_published_versions_never_change(cast: Any, standards: Any) -> None:
    published = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
    field = published.fields.get(name="quantity")
    with pytest.raises(ValidationError):
        services.save_field(
            actor=cast.steward,
            draft=published,
            field=field,
            data={"name": "quantity", "type": "integer", "title": {"en": "Q"}},
        )
    with pytest.raises(ValidationError):
        services.remove_field(actor=cast.steward, field=field)
    assert Field.objects.get(pk=field.pk).type == "decimal"


def test_one_draft_at_a_time_from_the_newest_version(cast: Any, standards: Any) -> None:
    older = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
    with pytest.raises(ValidationError):
        services.create_draft(actor=cast.steward, base=older)
    base = StandardVersion.objects.get(standard__code=CODE, version="1.1.0")
    services.create_draft(actor=cast.steward, base=base)
    with pytest.raises(ValidationError):
        services.create_draft(actor=cast.steward, base=base)


def test_deprecated_versions_stay_readable(cast: Any, standards: Any) -> None:
    steward = cast.client_for("steward")
    assert steward.post(f"/standards/{CODE}/1.0.0/deprecate/").status_code == 302
    version = StandardVersion.objects.get(standard__code=CODE, version="1.0.0")
    assert version.status == "deprecated"
    assert cast.client_for("a_viewer").get(f"/standards/{CODE}/1.0.0/").status_code == 200
