"""Without a broker (the quickstart, `manage.py demo`), defining a dataset version on the page returns at once: the
export runs in a background thread of the web process and the version page follows its progress."""

import threading
import time

import pytest
from celery.signals import task_prerun
from django.test import Client

from datasets.models import DatasetVersion, ExportJob
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def export_held():
    """Holds the export's first task until the test lets it go, noting the thread it runs in."""
    seen, release = {}, threading.Event()

    def hold(sender=None, **_):
        if sender is not None and sender.name == "datasets.export_plan":
            seen["thread"] = threading.current_thread().name
            release.wait(60)  # a request that ran the export itself would sit here: the test then fails below

    task_prerun.connect(hold, weak=False)
    yield seen, release
    release.set()
    task_prerun.disconnect(hold)


def test_the_page_returns_before_the_export_runs_and_the_export_finishes_in_the_background(
        cohort, users, settings, export_held):
    settings.RADCURATE_EAGER_IN_THREAD = True  # what no broker means outside the test suite
    seen, release = export_held
    trainer = Client()
    assert trainer.login(username=users["trainer"].username, password=PASSWORD)
    form = {"name": "in-background", "campaigns": [cohort["campaign"].pk], "method": "majority", "seed": "0",
            "size": "16", "train": "0.5", "calibration": "0.25", "test": "0.25"}
    response = trainer.post("/datasets/new/", form)
    assert response.status_code == 302
    version = DatasetVersion.objects.get(name="in-background")
    job = ExportJob.objects.get(version=version)
    assert not release.is_set() and version.status == DatasetVersion.Status.BUILDING  # the page did not wait
    page = trainer.get(response["Location"]).content.decode()
    assert "building" in page  # the version page shows the export under way
    release.set()
    deadline = time.monotonic() + 120
    while version.status == DatasetVersion.Status.BUILDING and time.monotonic() < deadline:
        time.sleep(0.2)  # polling the outcome, not timing it
        version.refresh_from_db()
    job.refresh_from_db()
    assert version.status == DatasetVersion.Status.PUBLISHED, (version.error, job.message)
    assert seen["thread"] == "eager-datasets.export_plan" and job.task_id
