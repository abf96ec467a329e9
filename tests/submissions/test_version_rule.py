"""One rule decides which version may receive data, and the page, the API and the service all ask it:
published versions only, member standards for member firms, for partners the partner standards their
data-sharing agreements in force let them push."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.exchange.models import Agreement
from apps.exchange.services import create_agreement, set_agreement_status
from apps.organizations.models import Organization, Sector
from apps.organizations.services import grant_membership
from apps.standards.models import StandardVersion
from apps.standards.services import deprecate_version
from apps.submissions import services
from apps.submissions.forms import UploadForm
from apps.submissions.models import Submission
from apps.submissions.permissions import check_can_send, open_versions
from tests.conftest import PASSWORD, make_firm
from tests.submissions.data import EN_HEADERS, ROW, csv_bytes

PARTNER_STANDARD = "ca.market-prices"


@pytest.fixture
def partner(cast: Any, standards: Any) -> Organization:
    """A partner whose agreement lets it push both partner standards."""
    sector = Sector.objects.get(code="tomato-paste")
    found = make_firm(cast.steward, "chamber", sector, kind=Organization.Kind.PARTNER)
    pushes(cast.steward, found, PARTNER_STANDARD, "ca.border-crossings")
    return found


def pushes(steward: User, partner: Organization, *codes: str, **terms: Any) -> Agreement:
    return create_agreement(
        actor=steward,
        partner=partner,
        title="Market prices",
        valid_from=terms.pop("valid_from", date(2024, 1, 1)),
        lag_months=3,
        push_standards=codes,
        **terms,
    )


@pytest.fixture
def partner_admin(cast: Any, partner: Organization) -> User:
    user = User.objects.create_user("admin@chamber.example", PASSWORD)
    grant_membership(actor=cast.steward, organization=partner, user=user, role="admin")
    return user


@pytest.fixture
def deprecated(cast: Any, tomato: StandardVersion) -> StandardVersion:
    return deprecate_version(actor=cast.steward, version=tomato)


def version_of(code: str) -> StandardVersion:
    return StandardVersion.objects.get(standard__code=code, status="published")


def test_the_rule_by_kind_of_organization(cast: Any, partner: Organization, standards: Any) -> None:
    member = {v.standard.code for v in open_versions([cast.org_a])}
    partners = {v.standard.code for v in open_versions([partner])}
    assert "tomato-paste.exports" in member and PARTNER_STANDARD not in member
    assert partners == {"ca.market-prices", "ca.border-crossings"}
    assert not open_versions([]).exists()


def test_a_partner_pushes_only_what_its_agreements_in_force_name(cast: Any, standards: Any) -> None:
    sector = Sector.objects.get(code="tomato-paste")
    other = make_firm(cast.steward, "freight", sector, kind=Organization.Kind.PARTNER)
    admin = User.objects.create_user("admin@freight.example", PASSWORD)
    grant_membership(actor=cast.steward, organization=other, user=admin, role="admin")
    assert not open_versions([other]).exists()  # no agreement: nothing
    with pytest.raises(PermissionDenied):
        check_can_send(admin, other, version_of(PARTNER_STANDARD))
    agreement = pushes(cast.steward, other, "ca.border-crossings")
    assert {v.standard.code for v in open_versions([other])} == {"ca.border-crossings"}
    check_can_send(admin, other, version_of("ca.border-crossings"))  # raises nothing
    with pytest.raises(PermissionDenied):
        check_can_send(admin, other, version_of(PARTNER_STANDARD))
    set_agreement_status(actor=cast.steward, agreement=agreement, status=Agreement.Status.SUSPENDED)
    assert not open_versions([other]).exists()
    with pytest.raises(PermissionDenied):
        check_can_send(admin, other, version_of("ca.border-crossings"))
    pushes(cast.steward, other, PARTNER_STANDARD, valid_from=date.today() + timedelta(days=2))
    assert not open_versions([other]).exists()  # not yet in force


# --- The service ------------------------------------------------------------------------------------------


def receive(actor: Any, organization: Organization, version: StandardVersion) -> Any:
    return services.receive_submission(
        actor=actor,
        organization=organization,
        version=version,
        period="2026-09",
        upload=ContentFile(csv_bytes(EN_HEADERS, [ROW])),
        filename="data.csv",
    )


def test_the_service_refuses_a_deprecated_version(cast: Any, deprecated: StandardVersion) -> None:
    with pytest.raises(ValidationError) as refused:
        receive(cast.person("a", "contributor"), cast.org_a, deprecated)
    assert "version" in refused.value.message_dict
    assert not Submission.objects.exists()


def test_the_service_refuses_a_member_firm_sending_to_a_partner_standard(cast: Any, standards: Any) -> None:
    with pytest.raises(PermissionDenied):
        receive(cast.person("a", "contributor"), cast.org_a, version_of(PARTNER_STANDARD))
    assert not Submission.objects.exists()


def test_the_service_refuses_a_partner_sending_to_a_member_standard(
    partner: Organization, partner_admin: User, tomato: StandardVersion
) -> None:
    with pytest.raises(PermissionDenied):
        receive(partner_admin, partner, tomato)


def test_the_service_refuses_a_declaration_for_a_deprecated_version(
    cast: Any, deprecated: StandardVersion
) -> None:
    with pytest.raises(ValidationError):
        services.declare_nothing_to_report(
            actor=cast.person("a", "contributor"),
            organization=cast.org_a,
            version=deprecated,
            period="2026-09",
        )


def test_a_partner_may_send_to_a_partner_standard(partner: Organization, partner_admin: User) -> None:
    check_can_send(partner_admin, partner, version_of(PARTNER_STANDARD))  # raises nothing


# --- The API ----------------------------------------------------------------------------------------------


def api_upload(client: Any, **fields: Any) -> Any:
    data = {
        "standard": "tomato-paste.exports",
        "period": "2026-09",
        "file": SimpleUploadedFile("export.csv", csv_bytes(EN_HEADERS, [ROW]), content_type="text/csv"),
        **fields,
    }
    return client.post("/api/v1/submissions/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_refuses_a_deprecated_version_and_says_why(cast: Any, deprecated: StandardVersion) -> None:
    response = api_upload(cast.client_for("token_contributor"), version="1.0.0")
    assert response.status_code == 400
    detail = response.json()["error"]["details"]
    assert detail[0]["field"] == "version" and "receives" in detail[0]["message"]
    assert not Submission.objects.exists()


def test_the_api_has_no_default_version_when_all_are_deprecated(
    cast: Any, deprecated: StandardVersion
) -> None:
    for version in StandardVersion.objects.filter(standard=deprecated.standard, status="published"):
        deprecate_version(actor=cast.steward, version=version)
    response = api_upload(cast.client_for("token_contributor"))
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "version"


def test_the_api_refuses_a_partner_standard_to_a_member_firm(cast: Any, standards: Any) -> None:
    response = api_upload(cast.client_for("token_contributor"), standard=PARTNER_STANDARD)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied" and "standard" in error["message"]
    assert not Submission.objects.exists()


# --- The page ---------------------------------------------------------------------------------------------


def test_the_form_offers_only_the_versions_the_rule_opens(
    cast: Any, standards: Any, partner: Organization
) -> None:
    offered = {v.standard.code for v in UploadForm(organizations=[cast.org_a]).fields["version"].queryset}
    assert offered == {v.standard.code for v in open_versions([cast.org_a])}
    assert PARTNER_STANDARD not in offered
    offered_to_partner = UploadForm(organizations=[partner]).fields["version"].queryset
    assert {v.standard.code for v in offered_to_partner} == {"ca.market-prices", "ca.border-crossings"}


def test_the_page_refuses_a_partner_standard_and_a_deprecated_version(
    cast: Any, standards: Any, tomato: StandardVersion
) -> None:
    client = cast.client_for("a_contributor")
    for version in (version_of(PARTNER_STANDARD), deprecate_version(actor=cast.steward, version=tomato)):
        response = client.post(
            "/submissions/",
            {
                "organization": str(cast.org_a.pk),
                "version": str(version.pk),
                "period": "2026-09",
                "file": SimpleUploadedFile("export.csv", csv_bytes(EN_HEADERS, [ROW])),
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Submission.objects.exists()
