"""Send a Celery task so that the web request never waits for it, with or without a broker.

With a broker the task goes to a worker as usual. Without one (the quickstart and `manage.py demo`: Celery runs tasks
eagerly, inside the caller) a request that starts an export would wait for the whole export; here the eager task
runs in a daemon thread of this process instead, so the page returns at once and follows the job's progress like
any other. Celery has no such mode of its own, hence this module. `RADCURATE_EAGER_IN_THREAD` (default: on when no
broker is set) turns it off; the test suite, which runs tasks eagerly inside its own transaction, keeps it off.
"""

import logging
import threading

from celery import current_app
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def _in_thread() -> bool:
    return bool(current_app.conf.task_always_eager and getattr(settings, "RADCURATE_EAGER_IN_THREAD", False))


def task_send(task, *, args=(), kwargs=None, task_id: str | None = None):
    """`task.apply_async(args, kwargs, task_id=...)`, or the same eager run in a background thread (see above)."""
    if not _in_thread():
        return task.apply_async(args=args, kwargs=kwargs or {}, task_id=task_id)
    thread = threading.Thread(target=_run, args=(task, args, kwargs or {}, task_id), daemon=True,
                              name=f"eager-{task.name}")
    thread.start()
    return thread


def _run(task, args, kwargs, task_id) -> None:
    try:
        task.apply(args=args, kwargs=kwargs, task_id=task_id)
    except Exception:  # the task records its own failure on its job; this is for the log
        logger.exception("Background task %s failed", task.name)
    finally:
        connections.close_all()  # this thread's own database connections
