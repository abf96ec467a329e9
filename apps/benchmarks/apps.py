from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    name = "apps.benchmarks"
    label = "benchmarks"
    verbose_name = _("Benchmarks")

    def ready(self) -> None:
        # The tasks register with Celery in every process; the receiver marks benchmarks stale in the
        # transaction that accepts a submission (apps/benchmarks/freshness.py).
        from apps.benchmarks import freshness, tasks  # noqa: F401
