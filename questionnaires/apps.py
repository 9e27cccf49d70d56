from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Diligence"
    default_auto_field = "django.db.models.BigAutoField"
