from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "apps.exchange"
    label = "exchange"
    verbose_name = _("Partner exchange")

    def ready(self) -> None:
        # Benchmarks and submissions ask this app, through their registries, what a partner may read
        # and push.
        from apps.benchmarks import audiences
        from apps.exchange import schema  # noqa: F401  (machine clients in the OpenAPI schema)
        from apps.exchange.access import pushes_of, scope_of
        from apps.submissions import pushes

        audiences.register(scope_of)
        pushes.register(pushes_of)
