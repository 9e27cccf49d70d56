"""The bounds of one render, in one place the task and the renderer both read.

REPORT_RENDER_TIMEOUT (seconds) and REPORT_RENDER_MEMORY_MB come from the environment
(diligence/settings.py); the defaults suit the built-in questionnaire with room to spare (a 2,000-question
report renders in well under a minute; see bench/results/reports.json).
"""

from __future__ import annotations

from django.conf import settings

# What the task spends around the render: reading the context, storing the file.
TASK_MARGIN = 60
HARD_MARGIN = 30


def render_timeout() -> float:
    return float(settings.REPORT_RENDER_TIMEOUT)


def render_memory_mb() -> int:
    return int(settings.REPORT_RENDER_MEMORY_MB)


def task_time_limits() -> tuple[int, int]:
    """(soft, hard) for the task: past the render's own deadline, so a slow render is
    reported as such and the hard kill is only ever a backstop."""
    soft = int(render_timeout()) + TASK_MARGIN
    return soft, soft + HARD_MARGIN
