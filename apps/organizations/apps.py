from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    label = "organizations"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.organizations import schema  # noqa: F401  (the Bearer token in the OpenAPI schema)
        from apps.organizations.services import ensure_steward_group

        # every app's post_migrate: the permissions of apps migrated after this one exist only then
        post_migrate.connect(ensure_steward_group, dispatch_uid="ensure_steward_group")
