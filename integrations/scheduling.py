"""Running a task later: Celery's countdown with a worker, a timer thread when embedded.

Embedded mode runs Celery tasks eagerly, which would send every webhook inside the request or
editor lane that caused it (a slow receiver would stall the editor) and ignore the countdowns
the debounce and the retry backoff rely on. There a daemon timer thread runs the task
instead; tests replace `later` to see the countdowns and run the calls themselves.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _run_in_thread(task: Any, args: list[Any]) -> None:
    try:
        task.apply(args=args)
    except Exception:
        logger.exception("webhook task %s%s failed", task.name, args)
    finally:
        close_old_connections()


def later(task: Any, args: list[Any], countdown: float) -> None:
    """Queue `task(*args)` to start in `countdown` seconds (0: as soon as possible)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        task.apply_async(args=args, countdown=max(countdown, 0))
        return
    timer = threading.Timer(max(countdown, 0), _run_in_thread, args=(task, args))
    timer.daemon = True
    timer.start()
