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
    Django permissions and is never staff. `token` is an ApiToken or a partner's machine-client
    credential (apps.exchange.authentication), which has the same name, prefix, role, expires_at and
    organization; `scopes` are the OAuth2 scopes of a machine client's access token, None for an API
    token (whatever its role allows).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken | Any, scopes: frozenset[str] | None = None) -> None:
        self.token = token
        self.organization_id = token.organization_id
        self.scopes = scopes

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def get_username(self) -> str:
        return f"{getattr(self.token, 'kind', 'token')}:{self.token.prefix}"

    def __str__(self) -> str:
        return self.get_username()


Actor = Union["User", TokenClient, "AnonymousUser"]
