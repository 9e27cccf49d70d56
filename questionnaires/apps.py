from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Diligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register every Celery task in every process (web included): services queue work
        # by name through core.dispatch, never by importing a task module.
        from questionnaires import tasks  # noqa: F401
