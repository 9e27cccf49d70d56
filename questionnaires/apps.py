from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Diligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register every Celery task in every process (web included): services queue work
        # by name through core.dispatch, never by importing a task module.
        from questionnaires import tasks  # noqa: F401

        # Every deployment path migrates (make run, the README's fresh deployment, compose's
        # `migrate` service): loading the library there means no buyer ever finds it empty.
        post_migrate.connect(library_after_migrate, sender=self,
                             dispatch_uid="questionnaires.library_after_migrate")


def library_after_migrate(sender, using="default", verbosity=1, stdout=None, **kwargs) -> None:
    """Load (or update) the built-in library once this app's migrations are all applied.

    Idempotent (an unchanged file adds nothing), so it runs after every `migrate`. Skipped
    on a partial migration (the models may be ahead of the tables) and when
    settings.LIBRARY_LOAD_ON_MIGRATE is off."""
    from django.conf import settings

    if not settings.LIBRARY_LOAD_ON_MIGRATE or not _fully_migrated(sender.label, using):
        return
    from questionnaires.authoring.services.library import library_load

    entries = library_load()
    if verbosity >= 1 and stdout is not None:
        for entry in entries:
            if entry.created:
                stdout.write(f"  Library: loaded {entry.template.key} "
                             f"v{entry.template.version}\n")


def _fully_migrated(label: str, using: str) -> bool:
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[using])
    leaves = set(loader.graph.leaf_nodes(label))
    return bool(leaves) and leaves <= set(loader.applied_migrations)
