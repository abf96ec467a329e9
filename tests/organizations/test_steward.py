from __future__ import annotations

import json
from typing import Any

from apps.audit.models import AuditEvent
from apps.organizations.models import Organization


def test_steward_creates_and_admits_an_organization(cast: Any) -> None:
    client = cast.client_for("steward")
    sector = cast.org_a.sectors.first()
    response = client.post(
        "/steward/organizations/new/",
        {
            "slug": "fresh-firm",
            "kind": "member",
            "legal_name": "Fresh Firm Co., Ltd.",
            "country": "KZ",
            "region": "Almaty",
            "sectors": [sector.pk],
            "size_class": "small",
            "short_name_en": "Fresh Firm",
            "short_name_zh-hans": "新鲜公司",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get(slug="fresh-firm")
    assert organization.status == "pending"
    assert organization.short_names == {"en": "Fresh Firm", "zh-hans": "新鲜公司"}
    assert client.post("/steward/organizations/fresh-firm/status/", {"status": "active"}).status_code == 302
    organization.refresh_from_db()
    assert organization.status == "active"
    event = AuditEvent.objects.filter(action="organization.status").latest("id")
    assert event.data["from"] == "pending" and event.data["to"] == "active"


def test_steward_edits_metadata_but_not_the_slug(cast: Any) -> None:
    client = cast.client_for("steward")
    response = client.post(
        "/steward/organizations/firm-b/edit/",
        {
            "slug": "renamed",
            "kind": "member",
            "legal_name": "Firm B Renamed",
            "country": "CN",
            "region": "Hami",
            "size_class": "medium",
            "short_name_en": "Firm B",
        },
    )
    assert response.status_code == 302
    cast.org_b.refresh_from_db()
    assert (cast.org_b.slug, cast.org_b.legal_name, cast.org_b.region) == ("firm-b", "Firm B Renamed", "Hami")


def test_invalid_country_is_refused(cast: Any) -> None:
    response = cast.client_for("steward").post(
        "/steward/organizations/new/",
        {
            "slug": "x",
            "kind": "member",
            "legal_name": "X",
            "country": "XX",
        },
    )
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not Organization.objects.filter(slug="x").exists()


def test_steward_list_filters_by_status(cast: Any) -> None:
    from apps.organizations.services import set_organization_status

    set_organization_status(actor=cast.steward, organization=cast.org_b, status="suspended")
    page = cast.client_for("steward").get("/steward/organizations/?status=suspended").content.decode()
    assert "firm-b" in page and "/organizations/firm-a/" not in page


def _admin_form(organization: Organization, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": organization.kind,
        "legal_name": organization.legal_name,
        "short_names": json.dumps(organization.short_names),
        "country": organization.country,
        "region": organization.region,
        "sectors": [sector.pk for sector in organization.sectors.all()],
        "size_class": organization.size_class,
        "enterprise_group": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_admin_edit_goes_through_the_service_and_is_audited(cast: Any) -> None:
    client = cast.client_for("steward")
    url = f"/admin/organizations/organization/{cast.org_a.pk}/change/"
    response = client.post(url, _admin_form(cast.org_a, region="Kashgar", slug="renamed"))
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.org_a.refresh_from_db()
    assert cast.org_a.region == "Kashgar"
    assert cast.org_a.slug == "firm-a"  # chosen once: read-only in the admin
    event = AuditEvent.objects.filter(action="organization.update", organization_id=cast.org_a.pk).first()
    assert event is not None and event.data == {"changed": ["region"]}
    assert event.actor_user_id == cast.steward.pk


def test_an_admin_save_without_changes_records_nothing(cast: Any) -> None:
    client = cast.client_for("steward")
    url = f"/admin/organizations/organization/{cast.org_a.pk}/change/"
    before = AuditEvent.objects.filter(action="organization.update").count()
    assert client.post(url, _admin_form(cast.org_a)).status_code == 302
    assert AuditEvent.objects.filter(action="organization.update").count() == before
