"""What the tests share: actors and factories, builders of questionnaires and assessments in
known states, files to upload, the real services (Celery workers, a private Redis) and paths.

The fixture modules are registered as pytest plugins in tests/conftest.py; the rest is
imported by the tests like any module. No test imports from a conftest."""
