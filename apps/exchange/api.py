"""The partner exchange API: what a partner's machine client may read and push now."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.exchange.access import Scope, scope_of


class ReadSerializer(serializers.Serializer):
    standard = serializers.CharField()
    measures = serializers.ListField(child=serializers.CharField())
    cohorts = serializers.ListField(child=serializers.CharField())


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="Null: open-ended.")
    lag_months = serializers.IntegerField(
        help_text="A figure is released this many months after its period ends (or later, by the policy)."
    )
    revision = serializers.IntegerField(help_text="Grows with every change of the agreement.")
    read = ReadSerializer(many=True, help_text="Published benchmark figures it lets you read.")
    push = serializers.ListField(child=serializers.CharField(), help_text="Partner standards you may push.")


class AllowedSerializer(serializers.Serializer):
    partner = serializers.CharField(help_text="Your organization's short code.")
    date = serializers.DateField(help_text="The day this answer holds for.")
    agreements = AgreementSerializer(many=True, help_text="The agreements in force today.")


REFUSED = OpenApiResponse(description="Not a partner organization's machine client.")


def allowed_document(scope: Scope) -> dict[str, Any]:
    reads: dict[int, list[dict[str, Any]]] = {}
    for read in scope.reads:
        reads.setdefault(read.agreement, []).append(
            {"standard": read.standard, "measures": sorted(read.measures), "cohorts": sorted(read.cohorts)}
        )
    return {
        "partner": scope.partner.slug,
        "date": scope.today.isoformat(),
        "agreements": [
            {
                "id": agreement.pk,
                "title": agreement.title,
                "valid_from": agreement.valid_from.isoformat(),
                "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
                "lag_months": agreement.lag_months,
                "revision": agreement.revision,
                "read": sorted(reads.get(agreement.pk, []), key=lambda item: item["standard"]),
                "push": sorted(s.code for s in agreement.push_standards.all()),
            }
            for agreement in scope.agreements
        ],
    }


class AllowedView(APIView):
    @extend_schema(
        summary="What your agreements let you read and push today",
        responses={200: AllowedSerializer, 403: REFUSED},
    )
    def get(self, request: Request) -> Response:
        scope = scope_of(request.user, timezone.localdate())
        if scope is None:
            raise exceptions.PermissionDenied(_("This is for partner organizations' machine clients."))
        return Response(allowed_document(scope))
