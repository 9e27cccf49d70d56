"""The bounds of one render, in one place the task and the renderer both read.

A deployment may set REPORT_RENDER_TIMEOUT (seconds) and REPORT_RENDER_MEMORY_MB in its
settings; the defaults suit the built-in questionnaire with room to spare (a 2,000-question
report renders in well under a minute; see bench/results/reports.json).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_RENDER_TIMEOUT = 120  # seconds of WeasyPrint for one report
DEFAULT_RENDER_MEMORY_MB = 1024  # address space one render may add to the worker's
# What the task spends around the render: reading the context, storing the file.
TASK_MARGIN = 60
HARD_MARGIN = 30


def render_timeout() -> float:
    return float(getattr(settings, "REPORT_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT))


def render_memory_mb() -> int:
    return int(getattr(settings, "REPORT_RENDER_MEMORY_MB", DEFAULT_RENDER_MEMORY_MB))


def task_time_limits() -> tuple[int, int]:
    """(soft, hard) for the task: past the render's own deadline, so a slow render is
    reported as such and the hard kill is only ever a backstop."""
    soft = int(render_timeout()) + TASK_MARGIN
    return soft, soft + HARD_MARGIN
