"""Who acts: a signed-in person (User) or an organization's system holding an API token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User
    from apps.organizations.models import ApiToken


class TokenClient:
    """request.user for a request authenticated with an API token.

    It acts for exactly one organization with the token's role, never as a person: it holds no
    Django permissions and is never staff.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.organization_id = token.organization_id

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def get_username(self) -> str:
        return f"token:{self.token.prefix}"

    def __str__(self) -> str:
        return self.get_username()


Actor = Union["User", TokenClient, "AnonymousUser"]
