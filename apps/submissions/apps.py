from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "apps.submissions"
    label = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        # Registers the tasks with the Celery app in every process (web too), so that the services can
        # send them by name without importing the module that imports them.
        from apps.submissions import tasks  # noqa: F401
