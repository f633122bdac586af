"""The same study arriving through two paths at once: every instance is indexed once, no patient, study or
series row is doubled, and the counts are those of the whole study.

Real clients only: dicomweb-client against the live server (a thread per request), a folder ingest in the
test's own thread, dcmtk's storescu against the listener (a thread per association). The two senders send
the study's series in opposite orders, so their batches take the same rows' locks in opposite orders.
"""

import shutil
import subprocess
import threading
from pathlib import Path

import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from django.db import connection
from pydicom.uid import generate_uid
from rest_framework.authtoken.models import Token

from curation.dicom.deidentify import map_uid
from curation.dicom.listener import start_listener
from curation.management.commands.dicom_listener import ArchiveSink
from curation.models import IdentityLink, Instance, Patient, Series, Study
from curation.services.archive import ingest_paths
from curation.signals import study_ingested

from .conftest import axial_series, free_port, write_series
from .listeners import accepts, children, listener_processes, wait_for

# The live server and the listener write with their own connections: the data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

SERIES, SLICES = 3, 8


def _study(tmp_path, name: str) -> tuple[list, list]:
    """One study of SERIES axial series (datasets in send order, files on disk)."""
    study_uid = generate_uid()
    datasets = [ds for n in range(SERIES) for ds in axial_series(study_uid=study_uid, n=SLICES, series_number=n + 2)]
    return datasets, write_series(tmp_path / name, datasets)


def _in_parallel(*calls):
    """Run the calls at once (released together); re-raise the first error of any of them."""
    start, errors, results = threading.Barrier(len(calls)), [], [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection (the test database is dropped at the end)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _assert_stored_once(datasets, settings):
    key = settings.RADCURATE_DEID_KEY
    study = Study.objects.get(study_uid=map_uid(str(datasets[0].StudyInstanceUID), key=key))
    expected = sorted(map_uid(str(ds.SOPInstanceUID), key=key) for ds in datasets)
    assert sorted(Instance.objects.filter(series__study=study).values_list("sop_uid", flat=True)) == expected
    assert Instance.objects.count() == Instance.objects.values("sop_uid").distinct().count()
    assert Patient.objects.count() == 1
    assert IdentityLink.objects.filter(study=study).count() == 1
    assert Series.objects.filter(study=study).count() == SERIES
    for series in Series.objects.filter(study=study):
        assert (series.n_instances, series.needs_refresh, series.kind) == (SLICES, False, "axial"), series
        assert sorted(series.instances.values_list("slice_index", flat=True)) == list(range(SLICES))
    assert (study.n_series, study.n_instances) == (SERIES, SERIES * SLICES)
    assert study.primary_series_id is not None


@pytest.fixture
def stow_client(live_server, users):
    def make() -> DICOMwebClient:
        token, _ = Token.objects.get_or_create(user=users["curator"])
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token.key}"
        return DICOMwebClient(url=f"{live_server.url}/dicomweb", session=session)

    return make


@pytest.fixture
def new_studies():
    """The studies `study_ingested` announced (each must be announced once)."""
    seen = []

    def receiver(sender, study, **kwargs):
        seen.append(study.study_uid)

    study_ingested.connect(receiver, dispatch_uid="test-concurrency-new-studies")
    yield seen
    study_ingested.disconnect(dispatch_uid="test-concurrency-new-studies")


@pytest.mark.parametrize("round_", range(3))
def test_two_stow_requests_of_the_same_study_at_once_store_each_instance_once(stow_client, tmp_path, settings,
                                                                                new_studies, round_):
    # The patient has an earlier study: both requests race on creating the study row, not the patient's.
    ingest_paths(write_series(tmp_path / "earlier", axial_series(study_uid=generate_uid(), n=2)), source="cli")
    new_studies.clear()
    datasets, _ = _study(tmp_path, "study")
    first, second = stow_client(), stow_client()
    results = _in_parallel(lambda: first.store_instances(datasets=datasets),
                           lambda: second.store_instances(datasets=datasets[::-1]))
    for result in results:  # both senders are told every instance is stored
        assert len(result.ReferencedSOPSequence) == len(datasets) and "FailedSOPSequence" not in result
    _assert_stored_once(datasets, settings)
    assert len(new_studies) == 1


def test_a_stow_request_and_a_folder_ingest_of_the_same_study_at_once(stow_client, tmp_path, settings,
                                                                        new_studies):
    datasets, paths = _study(tmp_path, "study")
    client = stow_client()
    stow, folder = _in_parallel(lambda: client.store_instances(datasets=datasets[::-1]),
                                lambda: ingest_paths(paths, source="cli"))
    assert len(stow.ReferencedSOPSequence) == len(datasets)
    assert folder.n_rejected == 0 and folder.accepted + folder.duplicate == len(datasets)
    _assert_stored_once(datasets, settings)
    assert len(new_studies) == 1


@pytest.mark.parametrize("round_", range(6))  # 2 of 20 rounds deadlocked before the fix
def test_two_folder_ingests_of_the_same_study_at_once_in_small_batches(tmp_path, settings, new_studies,
                                                                       monkeypatch, round_):
    """Batches of 4: each ingest refreshes series in the same transactions that index the next ones."""
    datasets, paths = _study(tmp_path, "study")
    from curation.services import archive

    real = archive.IngestSession.__init__

    def small_batches(self, **kwargs):
        real(self, **{**kwargs, "batch_size": 4})

    monkeypatch.setattr(archive.IngestSession, "__init__", small_batches)
    _in_parallel(lambda: ingest_paths(paths, source="cli"), lambda: ingest_paths(paths[::-1], source="cli"))
    _assert_stored_once(datasets, settings)
    assert len(new_studies) == 1


def _push_twice_at_once(port: int, paths: list[Path], settings) -> None:
    """Two storescu associations of the same study, in opposite orders; then check it is stored once."""
    if shutil.which("storescu") is None:
        pytest.fail("dcmtk is not installed: apt-get install dcmtk (scripts/system-deps.sh does it)")

    def push(files):
        return subprocess.run(["storescu", "-aet", "PACS", "-aec", "RADCURATE", "-v", "127.0.0.1", str(port),
                               *map(str, files)], capture_output=True, text=True, timeout=120)

    results = _in_parallel(lambda: push(paths), lambda: push(paths[::-1]))
    for result in results:
        log = result.stdout + result.stderr
        assert result.returncode == 0 and log.count("Received Store Response (Success)") == len(paths), log
    # each association refreshes its series when it ends, after storescu has gone
    assert wait_for(lambda: Series.objects.filter(needs_refresh=False).count() == SERIES, timeout=30)
    _assert_stored_once([pydicom.dcmread(p, stop_before_pixels=True) for p in paths], settings)


def test_two_storescu_associations_of_the_same_study_at_once(tmp_path, settings, new_studies):
    _, paths = _study(tmp_path, "study")
    port = free_port()
    server = start_listener(port=port, ae_title="RADCURATE", host="127.0.0.1", sink_factory=ArchiveSink,
                            admit=None, block=False)
    try:
        _push_twice_at_once(port, paths, settings)
    finally:
        server.shutdown()
    assert len(new_studies) == 1


def test_a_listener_of_two_processes_on_one_port_stores_a_study_pushed_twice_at_once(tmp_path, settings,
                                                                                     test_data_dir):
    _, paths = _study(tmp_path, "study")
    port, log = free_port(), tmp_path / "listener.log"
    with listener_processes(port=port, processes=2, settings=settings, data_dir=test_data_dir, log=log) as listener:
        assert wait_for(lambda: len(children(listener.pid)) == 2 and accepts(port), timeout=60), log.read_text()
        serving = children(listener.pid)
        _push_twice_at_once(port, paths, settings)
        assert children(listener.pid) == serving  # both still serving
    assert listener.returncode == 0, log.read_text()
    assert not any(Path(f"/proc/{child}").exists() for child in serving), "a listener process outlived the command"
