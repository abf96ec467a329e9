from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class AllianceConfig(AppConfig):
    name = "alliance"

    def ready(self) -> None:
        checks.register(production_is_declared, checks.Tags.security, deploy=True)


def production_is_declared(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy` on a deployment that forgot HUB_ENV=production, and so runs on the defaults."""
    if settings.PRODUCTION:
        return []
    return [
        checks.Warning(
            "HUB_ENV is not 'production': keys are generated into HUB_DATA_DIR and HTTPS, secure cookies "
            "and HSTS are off unless set one by one.",
            hint="Set HUB_ENV=production and the settings docs/deploy.md lists.",
            id="alliance.W001",
        )
    ]
