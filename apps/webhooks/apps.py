from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The tasks register with the Celery app in every process; the receivers listen to what the
        # apps below this one announce (an agreement changed, a submission processed, a run published).
        from apps.webhooks import receivers, tasks  # noqa: F401
