"""Readiness checks: each one reaches a dependency and proves it takes writes, answering what is down and why.

Errors name the dependency's host and port, never its credentials: the probe answers anyone who can reach it.
"""

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

# A probe that waits longer than a load balancer's own timeout is as good as down.
TIMEOUT_S = 3.0


def check_database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A standby or a read-only transaction default answers SELECT 1 but would refuse every write.
            cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
            read_only, in_recovery = cursor.fetchone()
            if read_only == "on" or in_recovery:
                raise RuntimeError("the database is read-only (a standby, or default_transaction_read_only)")
        else:
            cursor.execute("SELECT 1")
    return f"{connection.vendor} {connection.settings_dict.get('HOST') or connection.settings_dict['NAME']}"


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "no broker configured: tasks run in-process"
    import redis  # the Celery transport's own client

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
    try:
        client.set(f"radcurate:readyz:{uuid.uuid4().hex}", "1", ex=10)
    except redis.RedisError as exc:
        raise RuntimeError(f"{_where(url)}: {exc}") from None
    finally:
        client.close()
    return _where(url)


def check_storage() -> str:
    name = default_storage.save(f".readyz/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)
    return getattr(default_storage, "location", type(default_storage).__name__)


def check_datasets_dir() -> str:
    root = Path(settings.RADCURATE_DATASETS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    probe = root / f".readyz-{uuid.uuid4().hex}"
    probe.write_bytes(b"ok")
    probe.unlink()
    return str(root)


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "datasets": check_datasets_dir,
}


def readiness(only: list[str] | None = None) -> dict:
    """{"ready": bool, "down": [names], "checks": {name: {"ok", "ms", "detail" | "error"}}} for every check, or
    those named in `only`."""
    results = {}
    for name, check in CHECKS.items():
        if only is not None and name not in only:
            continue
        started = time.monotonic()
        try:
            result = {"ok": True, "detail": check()}
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; the probe reports it, never raises
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    down = [name for name, result in results.items() if not result["ok"]]
    return {"ready": not down, "down": down, "checks": results}
