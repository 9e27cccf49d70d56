"""The Celery application. Settings come from Django settings (CELERY_* names)."""

import os

from celery import Celery

# The worker imports this module before Django is configured: without the default the worker
# dies with ImproperlyConfigured at start-up.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diligence.settings")

app = Celery("diligence")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
