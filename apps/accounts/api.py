"""GET /api/v1/me/: who is calling, and for which organizations with which role."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.principals import TokenClient
from apps.organizations.permissions import is_steward
from apps.organizations.selectors import memberships_of


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()


class MembershipRefSerializer(serializers.Serializer):
    organization = OrganizationRefSerializer()
    role = serializers.CharField()


class TokenRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["user", "token"])
    email = serializers.EmailField(required=False)
    full_name = serializers.CharField(required=False)
    preferred_language = serializers.CharField(required=False)
    is_steward = serializers.BooleanField()
    token = TokenRefSerializer(required=False)
    memberships = MembershipRefSerializer(many=True)


def _org(organization: Any) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "slug": organization.slug,
        "name": organization.name,
        "status": organization.status,
    }


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The caller: a person or an organization's API token")
    def get(self, request: Request) -> Response:
        actor: Any = request.user
        if isinstance(actor, TokenClient):
            token = actor.token
            body: dict[str, Any] = {
                "kind": "token",
                "is_steward": False,
                "token": {
                    "name": token.name,
                    "prefix": token.prefix,
                    "role": token.role,
                    "expires_at": token.expires_at,
                },
                "memberships": [{"organization": _org(token.organization), "role": token.role}],
            }
        else:
            body = {
                "kind": "user",
                "email": actor.email,
                "full_name": actor.full_name,
                "preferred_language": actor.preferred_language,
                "is_steward": is_steward(actor),
                "memberships": [
                    {"organization": _org(m.organization), "role": m.role} for m in memberships_of(actor)
                ],
            }
        return Response(MeSerializer(body).data)
