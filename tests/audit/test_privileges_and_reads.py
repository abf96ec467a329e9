"""Who was made staff, superuser or a member of a group, whatever the path (admin, services, shell);
who read a firm's report; and where a signed-in prober's denied accesses are written."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.test import Client

from apps.accounts.models import User
from apps.audit import services
from apps.audit.models import AuditEvent
from apps.audit.selectors import events_of_organization
from apps.organizations.models import ApiToken
from apps.organizations.principals import TokenClient
from apps.organizations.services import STEWARD_GROUP
from tests.conftest import PASSWORD


def events_since(last: int | None, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last or 0, **filters).order_by("id"))


def last_id() -> int | None:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def test_the_admin_making_someone_superuser_and_steward_is_audited(cast: Any) -> None:
    operator = User.objects.create_superuser("operator@alliance.example", PASSWORD)
    client = Client()
    client.force_login(operator)
    friend = cast.person("a", "viewer")
    stewards = Group.objects.get(name=STEWARD_GROUP)
    start = last_id()
    response = client.post(
        f"/admin/accounts/user/{friend.pk}/change/",
        {
            "email": friend.email,
            "full_name": "",
            "preferred_language": "en",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [stewards.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "10:00:00",
        },
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    privileges = events_since(start, action="user.privileges")
    assert len(privileges) == 1
    assert privileges[0].data["is_staff"] == [False, True]
    assert privileges[0].data["is_superuser"] == [False, True]
    assert privileges[0].actor_label == operator.email and privileges[0].address == "198.51.100.4"
    assert privileges[0].object_id == str(friend.pk) and privileges[0].organization_id is None
    groups = events_since(start, action="user.groups")
    assert [(e.data["added"], e.actor_label) for e in groups] == [([STEWARD_GROUP], operator.email)]


def test_privileges_changed_outside_a_request_are_audited_too(cast: Any) -> None:
    user = cast.person("b", "viewer")
    start = last_id()
    user.is_superuser = True
    user.save()
    stewards = Group.objects.get(name=STEWARD_GROUP)
    stewards.user_set.add(user)
    user.user_permissions.add(Permission.objects.get(codename="admit_organization"))
    user.groups.remove(stewards)
    user.groups.remove(stewards)  # not a member any more: nothing to record
    actions = [(e.action, e.actor_label, e.data) for e in events_since(start)]
    assert actions == [
        ("user.privileges", "", {"email": user.email, "is_superuser": [False, True]}),
        ("user.groups", "", {"email": user.email, "added": [STEWARD_GROUP]}),
        ("user.permissions", "", {"email": user.email, "added": ["organizations.admit_organization"]}),
        ("user.groups", "", {"email": user.email, "removed": [STEWARD_GROUP]}),
    ]


def test_clearing_groups_and_creating_a_superuser_are_audited(cast: Any) -> None:
    start = last_id()
    cast.steward.groups.clear()
    boss = User.objects.create_superuser("boss@alliance.example", PASSWORD)
    actions = [(e.action, e.data) for e in events_since(start)]
    assert ("user.groups", {"email": cast.steward.email, "removed": [STEWARD_GROUP]}) in actions
    assert (
        "user.privileges",
        {"email": boss.email, "is_staff": [False, True], "is_superuser": [False, True]},
    ) in actions


def test_saves_that_change_no_privilege_record_nothing(cast: Any) -> None:
    start = last_id()
    user = cast.person("a", "viewer")
    user.full_name = "Renamed"
    user.save()
    Client().post("/accounts/sign-in/", {"username": user.email, "password": PASSWORD})
    assert [e.action for e in events_since(start)] == ["auth.sign_in"]


def test_reading_a_report_is_recorded_in_the_firms_log_once_a_minute(cast: Any) -> None:
    reader = cast.person("a", "viewer")
    start = last_id()
    for _ in range(5):
        services.record_read(
            actor=reader, organization=cast.org_a, target=cast.org_a, request=None, what="report"
        )
    services.record_read(
        actor=reader, organization=cast.org_a, target=cast.org_a, request=None, what="report.csv"
    )
    token_client = TokenClient(ApiToken.objects.get(organization=cast.org_a, role="viewer"))
    services.record_read(actor=token_client, organization=cast.org_a, target=cast.org_a, what="report")
    reads = events_since(start, action="data.read")
    assert [(e.actor_label, e.data["what"]) for e in reads] == [
        (reader.email, "report"),
        (reader.email, "report.csv"),
        (token_client.get_username(), "report"),
    ]
    assert all(e in events_of_organization(cast.org_a) for e in reads)


def test_a_probers_denied_accesses_stay_out_of_the_target_firms_log(cast: Any) -> None:
    start = last_id()
    prober = cast.client_for("a_viewer")
    for _ in range(20):
        assert prober.get(f"/organizations/{cast.org_b.slug}/").status_code == 404
        assert prober.get(f"/api/v1/organizations/{cast.org_b.pk}/").status_code == 404
    token = cast.client_for("token_viewer")
    assert token.get(f"/api/v1/organizations/{cast.org_b.pk}/").status_code == 404
    assert not events_of_organization(cast.org_b).filter(id__gt=start or 0).exists()
    denied = events_since(start, action="access.denied")  # once a minute per prober and target
    assert [e.actor_label.split(":")[0] for e in denied] == ["viewer@firm-a.example", "token"]
    assert all(e.organization_id is None for e in denied)  # the stewards' security log
    assert all(e.data == {"organization_id": cast.org_b.pk} for e in denied)


def test_stewards_find_the_security_log_in_the_admin(cast: Any) -> None:
    cast.client_for("a_viewer").get(f"/organizations/{cast.org_b.slug}/")
    page = cast.client_for("steward").get("/admin/audit/auditevent/?organization_id__isempty=1")
    assert page.status_code == 200
    shown = {event.action for event in page.context["cl"].result_list}
    assert "access.denied" in shown and "organization.create" not in shown
