"""A firm whose only admin has left (their account is deactivated): stewards may invite its new admin."""

from __future__ import annotations

from typing import Any

import pytest

from apps.accounts.models import User
from apps.organizations.models import Organization, Role
from apps.organizations.services import grant_membership
from tests.conftest import PASSWORD, make_firm


@pytest.fixture
def firm_without_admin(cast: Any) -> Organization:
    organization = make_firm(cast.steward, "firm-c", cast.org_a.sectors.first(), short_names={"en": "Firm C"})
    admin = User.objects.create_user("admin@firm-c.example", PASSWORD)
    grant_membership(actor=cast.steward, organization=organization, user=admin, role=Role.ADMIN)
    viewer = User.objects.create_user("viewer@firm-c.example", PASSWORD)
    grant_membership(actor=admin, organization=organization, user=viewer, role=Role.VIEWER)
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    return organization
