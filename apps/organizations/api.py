"""GET /api/v1/me/ (who is calling, for which organizations with which role), and
/api/v1/organizations/ and /api/v1/organizations/{id}/, scoped to what the caller may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.i18n import pick
from apps.organizations.models import Organization
from apps.organizations.permissions import access_organization_by_id, is_steward, role_of
from apps.organizations.principals import TokenClient
from apps.organizations.selectors import memberships_of, organizations_for


class OrganizationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Short name in the request's language.")
    sectors = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(help_text="The caller's role in this organization, if any.")

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "kind",
            "name",
            "legal_name",
            "short_names",
            "country",
            "region",
            "sectors",
            "size_class",
            "status",
            "role",
        ]
        read_only_fields = fields

    def get_sectors(self, organization: Organization) -> list[dict[str, str]]:
        return [{"code": s.code, "name": pick(s.names, s.code)} for s in organization.sectors.all()]

    def get_role(self, organization: Organization) -> str | None:
        if hasattr(organization, "actor_role"):
            return organization.actor_role
        return role_of(self.context["request"].user, organization)


class OrganizationList(generics.ListAPIView):
    serializer_class = OrganizationSerializer
    filterset_fields = ["status", "kind", "country", "size_class"]

    def get_queryset(self) -> Any:
        return organizations_for(self.request.user)  # the cursor pagination orders by id

    @extend_schema(summary="Organizations the caller may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class OrganizationDetail(generics.RetrieveAPIView):
    serializer_class = OrganizationSerializer

    def get_object(self) -> Organization:
        return access_organization_by_id(self.request.user, self.kwargs["pk"], request=self.request)

    @extend_schema(
        summary="One organization",
        responses={200: OrganizationSerializer, 404: OpenApiResponse(description="Missing or not visible")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


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
