"""The ingest service: batches complete, rejects are quarantined with reasons, re-ingest is idempotent,
series are classified and ordered, and studies get their primary axial series."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from django.core.files.storage import default_storage

from curation.dicom.deidentify import map_uid, pseudonymize
from curation.models import IdentityLink, Instance, Rejection, Series, Study
from curation.selectors.archive import series_metadata_text, series_volume_hu, study_primary_axial
from curation.services.archive import ingest_paths
from curation.signals import study_ingested

from .conftest import ACCESSION, PATIENT_ID, corpus_files, ct_slice, write_series

pytestmark = pytest.mark.django_db


def _key(settings):
    return settings.RADCURATE_DEID_KEY


def test_study_is_ingested_classified_and_linked(phi_study, settings):
    received = []

    def on_study(sender, study, **kwargs):
        received.append(study.study_uid)

    study_ingested.connect(on_study)
    try:
        summary = ingest_paths([phi_study["folder"]])
    finally:
        study_ingested.disconnect(on_study)
    assert (summary.accepted, summary.duplicate, summary.n_rejected) == (10, 0, 0)
    key = _key(settings)
    study = Study.objects.get()
    assert received == [study.study_uid] == [map_uid(phi_study["study_uid"], key=key)]
    assert study.patient.pseudonym == pseudonymize(PATIENT_ID, key=key, kind="patient")
    assert study.accession_pseudonym == pseudonymize(ACCESSION, key=key, kind="accession")
    assert study.station == "ACME Scan9" and study.site.startswith("S") and study.modality == "CT"
    kinds = dict(Series.objects.values_list("series_uid", "kind"))
    assert kinds == {
        map_uid(phi_study["axial_uid"], key=key): "axial",
        map_uid(phi_study["localizer_uid"], key=key): "localizer",
        map_uid(phi_study["reformat_uid"], key=key): "reformat",
    }
    primary = study_primary_axial(study)
    assert primary.series_uid == map_uid(phi_study["axial_uid"], key=key)
    assert primary.n_instances == 6 and primary.qc_flags == {}
    assert (study.n_series, study.n_instances) == (3, 10)
    link = IdentityLink.objects.get(study=study)
    assert (link.original_patient_id, link.original_accession) == (PATIENT_ID, ACCESSION)
    assert link.original_study_uid == phi_study["study_uid"]


def test_volume_is_in_slice_order_and_hounsfield_units(phi_study):
    ingest_paths([phi_study["folder"]])
    volume = series_volume_hu(study_primary_axial(Study.objects.get()))
    assert volume.dtype == np.int16 and volume.shape == (6, 16, 16)
    # Slice at z=5i has InstanceNumber 6-i and stored value 1024+10*(6-i): HU 10*(6-i), inferior first.
    assert [int(v) for v in volume[:, 0, 0]] == [60, 50, 40, 30, 20, 10]
    instances = Instance.objects.filter(series=study_primary_axial(Study.objects.get())).order_by("slice_index")
    assert [i.position[2] for i in instances] == [0, 5, 10, 15, 20, 25]


def test_reingest_is_a_duplicate_and_changes_nothing(phi_study):
    ingest_paths([phi_study["folder"]])
    before = list(Instance.objects.order_by("sop_uid").values_list("sop_uid", "sha256", "storage_path", "slice_index"))
    summary = ingest_paths([phi_study["folder"]])
    assert (summary.accepted, summary.duplicate, summary.n_rejected) == (0, 10, 0)
    after = list(Instance.objects.order_by("sop_uid").values_list("sop_uid", "sha256", "storage_path", "slice_index"))
    assert before == after and Study.objects.count() == 1 and IdentityLink.objects.count() == 1


def test_a_resend_in_a_later_batch_of_the_session_is_a_duplicate(phi_study):
    """The stored instances of a study are looked up once and carried from batch to batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation.services.archive import DUPLICATE, IngestSession

    files = sorted(Path(phi_study["folder"]).rglob("*.dcm"))
    with CaptureQueriesContext(connection) as queries, IngestSession(source="cli", batch_size=3) as session:
        first = [session.add(path.read_bytes(), name=path.name) for path in files]
        again = [session.add(path.read_bytes(), name=path.name) for path in files[:4]]  # its batch is indexed
    assert {o.status for o in again} == {DUPLICATE} and [o.sop_uid for o in again] == [o.sop_uid for o in first[:4]]
    assert session.summary.accepted == len(files) == Instance.objects.count() and session.summary.duplicate == 4
    lookups = [q for q in queries.captured_queries if '"series__series_uid", "curation_instance"."sop_uid"' in q["sql"]]
    assert len(lookups) == 1  # one study: one lookup of its stored instances, though they span four batches


def test_growing_series_is_reclassified(ct_series_files, tmp_path):
    paths, study_uid, series_uid = ct_series_files(4, spacing=5.0)
    ingest_paths(paths)
    series = Series.objects.get()
    assert series.n_instances == 4 and series.qc_flags == {}
    late = [ct_slice(study_uid=study_uid, series_uid=series_uid, sop_uid=pydicom.uid.generate_uid(), z=z, number=n)
            for z, n in ((-5.0, 10), (25.0, 11))]  # one below, one leaving a gap above
    summary = ingest_paths(write_series(tmp_path / "late", late))
    series.refresh_from_db()
    assert summary.accepted == 2 and series.n_instances == 6
    assert series.qc_flags == {"missing_slices": 1}
    order = list(series.instances.order_by("slice_index").values_list("position", flat=True))
    assert [p[2] for p in order] == [-5, 0, 5, 10, 15, 25]
    metadata = json.loads(series_metadata_text(study_uid=series.study.study_uid, series_uid=series.series_uid))
    assert [d["00200032"]["Value"][2] for d in metadata] == [-5, 0, 5, 10, 15, 25]


def test_bad_files_are_quarantined_and_the_batch_completes(ct_series_files, tmp_path):
    paths, _, _ = ct_series_files(3)
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a dicom file")
    truncated = tmp_path / "truncated.dcm"
    truncated.write_bytes(paths[0].read_bytes()[:600])
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in paths:
            zf.write(p, f"study/{p.name}")
        zf.writestr("study/readme.txt", "hello")
    summary = ingest_paths([archive, junk, truncated, tmp_path / "missing.dcm"])
    assert summary.accepted == 3 and summary.n_rejected == 4
    rejections = {r.name: r for r in Rejection.objects.all()}
    assert set(rejections) == {"upload.zip:study/readme.txt", str(junk), str(truncated), str(tmp_path / "missing.dcm")}
    for rejection in rejections.values():
        assert rejection.rule and rejection.name in rejection.reason or rejection.name.split(":")[0] in rejection.reason
    assert default_storage.exists(rejections[str(junk)].quarantine_path)
    assert default_storage.open(rejections[str(junk)].quarantine_path).read() == b"not a dicom file"
    again = ingest_paths([junk])
    assert again.n_rejected == 1 and Rejection.objects.filter(name=str(junk)).count() == 1


def test_every_corpus_file_is_ingested_or_rejected_with_a_reason():
    files = corpus_files()
    assert len(files) > 150
    summary = ingest_paths(files)
    assert summary.total == len(files)
    assert summary.accepted > 20 and summary.n_rejected > 20
    rejected_names = set(Rejection.objects.values_list("name", flat=True))
    for rejection in Rejection.objects.all():
        assert rejection.reason.startswith(rejection.name) and rejection.rule
    accepted = summary.accepted + summary.duplicate
    assert accepted + len(rejected_names) >= len(files) - summary.duplicate - 5  # same bytes share one row
    assert Instance.objects.count() == summary.accepted
    # pydicom's real multi-slice CT: five axial slices in z order, and two localizers.
    ct5 = Series.objects.get(instances__sop_uid__in=[_sop("98892001/CT5N/2392")]).pk
    series = Series.objects.get(pk=ct5)
    z = [p[2] for p in series.instances.order_by("slice_index").values_list("position", flat=True)]
    assert series.kind == "axial" and z == sorted(z) and len(z) == 5
    scout = Series.objects.get(instances__sop_uid=_sop("98892001/CT2N/6924"))
    assert scout.kind == "localizer"


def _sop(relative: str) -> str:
    from django.conf import settings

    path = Path(pydicom.__file__).parent / "data" / "test_files" / "dicomdirtests" / relative
    return map_uid(str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID), key=settings.RADCURATE_DEID_KEY)


def test_a_sop_uid_stored_in_another_series_keeps_the_first_and_the_batch_completes(ct_series_files, tmp_path,
                                                                                      settings):
    paths, study_uid, _ = ct_series_files(3)
    ingest_paths(paths)
    original_sop = pydicom.dcmread(paths[0]).SOPInstanceUID
    clash = ct_slice(study_uid=study_uid, series_uid=pydicom.uid.generate_uid(), sop_uid=original_sop, z=0.0,
                     number=1)  # the same SOP Instance UID in another series: a conflicting object
    fresh = [ct_slice(study_uid=study_uid, series_uid=str(clash.SeriesInstanceUID),
                      sop_uid=pydicom.uid.generate_uid(), z=z, number=n) for n, z in ((2, 5.0), (3, 10.0))]
    summary = ingest_paths(write_series(tmp_path / "clash", [clash, *fresh]))
    assert summary.n_rejected == 0 and Instance.objects.count() == 5  # 3 + the two fresh ones, the clash kept out
    kept = Instance.objects.get(sop_uid=map_uid(str(original_sop), key=settings.RADCURATE_DEID_KEY))
    assert Series.objects.get(pk=kept.series_id).n_instances == 3  # still in the series stored first


def test_a_file_that_cannot_be_stored_fails_the_ingest_after_the_rest_of_its_batch(ct_series_files, monkeypatch):
    from curation.dicom import store

    paths, _, _ = ct_series_files(4)
    real = store.store_bytes
    refused = []

    def store_bytes(data, **kw):
        if not refused:  # the first file of the batch: the disk is full, say
            refused.append(1)
            raise OSError(28, "No space left on device")
        return real(data, **kw)

    monkeypatch.setattr(store, "store_bytes", store_bytes)
    with pytest.raises(OSError, match="No space left"):
        ingest_paths(paths)
    assert Instance.objects.count() == 3  # the others are stored and indexed, not the one that failed
    assert all(default_storage.exists(p) for p in Instance.objects.values_list("storage_path", flat=True))
    assert Series.objects.get().n_instances == 3
