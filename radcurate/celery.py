"""The Celery application; tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")

app = Celery("radcurate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="radcurate.healthcheck")
def healthcheck() -> dict:
    """Proves a worker reaches the broker and the database (used by the worker test and operators)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return {"database": connection.vendor, "ok": cursor.fetchone()[0] == 1}
