"""The member's dashboard: their organizations, their role in each, what they can do there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.organizations.permissions import is_steward
from apps.organizations.selectors import memberships_of, organization_counts


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"memberships": memberships_of(request.user)}  # type: ignore[arg-type]
    if is_steward(request.user):
        context.update(organization_counts())
    return render(request, "portal/dashboard.html", context)
