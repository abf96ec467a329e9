"""The shared cast: two active member firms (A and B) with an admin, a contributor and a viewer each,
a steward, and API tokens of firm A, all made through the services so that permissions are real.

Three more people hold no membership and must never reach a firm's data: a superuser (as
`createsuperuser` makes one), a staff user without steward rights, and a steward who tried to invite
their own account to both firms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.test.utils import override_settings

from apps.accounts.models import User
from apps.organizations.models import ApiToken, Invitation, Membership, Organization, Role, Sector
from apps.organizations.services import create_organization, grant_membership, invite_member, make_steward
from apps.organizations.tokens import create_api_token

PASSWORD = "correct-horse-battery-staple"
ROLES = (Role.ADMIN, Role.CONTRIBUTOR, Role.VIEWER)


@pytest.fixture(scope="session", autouse=True)
def _test_settings() -> Any:
    """Fast password hashing, and static files by their plain names (tests run no collectstatic)."""
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], STORAGES=storages
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The shipped sectors and standards, loaded once for the session (tests roll back their own changes)."""
    from apps.standards.services import load_standards

    with django_db_blocker.unblock():
        load_standards()


@pytest.fixture
def standards(db: Any) -> list[Any]:
    """The shipped standards, which the test session loaded once (a transactional test, run after the
    others, finds them flushed by the one before it and loads them again)."""
    from apps.standards.models import StandardVersion
    from apps.standards.services import load_standards

    if not StandardVersion.objects.exists():
        load_standards()
    versions = list(StandardVersion.objects.select_related("standard"))
    assert versions, "the session did not load the shipped standards"
    return versions


@pytest.fixture(autouse=True)
def _eager_celery() -> Any:
    from alliance.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@dataclass
class Cast:
    steward: User
    org_a: Organization
    org_b: Organization
    superuser: User
    staff: User
    self_invited_steward: User
    people: dict[tuple[str, str], User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def person(self, org: str, role: str) -> User:
        return self.people[(org, role)]

    def user_for(self, actor: str) -> User:
        """The person `actor` names: 'steward', 'superuser', 'staff', 'self_invited_steward' or
        '<org>_<role>'."""
        if actor in ("steward", "superuser", "staff", "self_invited_steward"):
            user: User = getattr(self, actor)
            return user
        org, role = actor.split("_", 1)
        return self.person(org, role)

    def client_for(self, actor: str) -> Client:
        """A client acting as `actor`: 'anonymous', 'token_<role>' or a person (user_for)."""
        if actor == "anonymous":
            return Client()
        if actor.startswith("token_"):
            return Client(headers={"Authorization": f"Bearer {self.tokens[actor.removeprefix('token_')]}"})
        client = Client()
        client.force_login(self.user_for(actor))
        return client


def make_firm(steward: User, slug: str, sector: Sector, **extra: Any) -> Organization:
    return create_organization(
        actor=steward,
        slug=slug,
        legal_name=f"{slug.title()} Co., Ltd.",
        country="CN",
        region="Changji",
        size_class="small",
        sectors=[sector],
        status=Organization.Status.ACTIVE,
        **extra,
    )


def _invite_oneself(steward: User, organization: Organization) -> None:
    """A steward invites their own account as the firm's admin: refused before the firm has an admin
    (nobody invites themselves) and after (then only the firm's admins invite)."""
    with pytest.raises((ValidationError, PermissionDenied)):
        invite_member(actor=steward, organization=organization, email=steward.email, role=Role.ADMIN)
    assert not Membership.objects.filter(user=steward).exists()
    assert not Invitation.objects.filter(email=steward.email).exists()


@pytest.fixture
def cast(db: Any) -> Cast:
    cache.clear()  # failed-authentication counters of earlier tests
    steward = User.objects.create_user("steward@alliance.example", PASSWORD, full_name="Steward")
    make_steward(user=steward)
    sector, _created = Sector.objects.get_or_create(
        code="tomato-paste", defaults={"names": {"en": "Tomato paste"}}
    )
    org_a = make_firm(steward, "firm-a", sector, short_names={"en": "Firm A", "ru": "Фирма А"})
    org_b = make_firm(steward, "firm-b", sector, short_names={"en": "Firm B"})
    self_invited = User.objects.create_user("self-invited@alliance.example", PASSWORD, full_name="Steward")
    make_steward(user=self_invited)
    result = Cast(
        steward=steward,
        org_a=org_a,
        org_b=org_b,
        superuser=User.objects.create_superuser("root@alliance.example", PASSWORD),
        staff=User.objects.create_user("staff@alliance.example", PASSWORD, is_staff=True),
        self_invited_steward=self_invited,
    )
    for key, organization in (("a", org_a), ("b", org_b)):
        _invite_oneself(self_invited, organization)
        # The steward adds the firm's first admin (it has none yet), who adds the others.
        granter = steward
        for role in ROLES:
            user = User.objects.create_user(f"{role}@{organization.slug}.example", PASSWORD)
            grant_membership(actor=granter, organization=organization, user=user, role=role)
            result.people[(key, role)] = user
            granter = result.person(key, Role.ADMIN)
        _invite_oneself(self_invited, organization)
    admin_a = result.person("a", Role.ADMIN)
    for role in ApiToken.Role.values:
        _token, raw = create_api_token(actor=admin_a, organization=org_a, name=f"{role} system", role=role)
        result.tokens[role] = raw
    return result
