"""Where dataset directories live: one shared root (RADCURATE_DATASETS_DIR, default <data dir>/datasets).

Published versions sit at <root>/<name>/v<version>; exports in progress at <root>/.staging/<name>/v<version>,
on the same filesystem so that publishing is one atomic rename. Trainers may read the root directly
from shared storage; every export worker must see the same root.
"""

from pathlib import Path

from django.conf import settings

from datasets.export.plan import Staging


def datasets_root() -> Path:
    configured = getattr(settings, "RADCURATE_DATASETS_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "datasets"


def published_dir(version) -> Path:
    return datasets_root() / version.name / f"v{version.version}"


def staging_for(version) -> Staging:
    return Staging(datasets_root() / ".staging" / version.name / f"v{version.version}")
