from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "apps.exchange"
    label = "exchange"
    verbose_name = _("Partner exchange")

    def ready(self) -> None:
        # Benchmarks ask this app, through their audiences registry, what a partner may read.
        from apps.benchmarks import audiences
        from apps.exchange.access import scope_of

        audiences.register(scope_of)
