from django.urls import path

from apps.organizations import views

app_name = "organizations"
urlpatterns = [
    # under /accounts/, where the links in invitations already sent lead
    path("accounts/invitations/<str:key>/", views.accept_invitation_view, name="accept_invitation"),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
    path("organizations/<slug:slug>/members/", views.members, name="members"),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/role/",
        views.change_member_role,
        name="change_role",
    ),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:invitation_id>/cancel/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    path("organizations/<slug:slug>/tokens/", views.tokens, name="tokens"),
    path("organizations/<slug:slug>/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("organizations/<slug:slug>/audit/", views.audit, name="audit"),
    path("steward/organizations/", views.steward_organizations, name="steward_list"),
    path("steward/organizations/new/", views.steward_organization_form, name="steward_new"),
    path("steward/organizations/<slug:slug>/edit/", views.steward_organization_form, name="steward_edit"),
    path("steward/organizations/<slug:slug>/status/", views.steward_set_status, name="steward_status"),
]
