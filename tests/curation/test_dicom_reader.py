"""The reader makes the Dataset dcmread makes, with the spans `element_spans` finds, or leaves the file to
dcmread: over pydicom's test corpus, pydicom-data and the synthetic cohort."""

from io import BytesIO

import pytest
from pydicom import dcmread
from pydicom.dataelem import RawDataElement

from curation.dicom.encode import element_spans
from curation.dicom.reader import read_instance
from synth.cohort import generate_cohort

from .conftest import corpus_files


def _elements(ds) -> dict:
    """Every top-level element as read: raw elements whole (bytes, offsets, encoding), converted ones by value."""
    shown = {}
    for tag, elem in ds._dict.items():
        if isinstance(elem, RawDataElement):
            shown[int(tag)] = elem
        else:
            shown[int(tag)] = (elem.VR, repr(elem.value), getattr(elem, "file_tell", None), elem.is_undefined_length)
    return shown


def _as_read(ds) -> tuple:
    meta = {int(e.tag): (e.VR, e.value) for e in ds.file_meta}  # iterating converts: compared by value
    return (_elements(ds), meta, ds.preamble, ds.original_encoding, ds.original_character_set, ds._read_implicit,
            ds._read_little)


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    generate_cohort(root, studies=2, seed=3, size=32, slices=6, overwrite=True)
    return sorted((root / "dicom").rglob("*.dcm"))


def test_reader_reads_what_dcmread_reads(cohort_files):
    read_here = 0
    for path in corpus_files() + cohort_files:
        raw = path.read_bytes()
        got = read_instance(raw)
        if got is None:
            continue  # left to dcmread
        read_here += 1
        ds, spans = got
        expected = dcmread(BytesIO(raw))
        assert _as_read(ds) == _as_read(expected), path.name
        assert spans == element_spans(expected, raw), path.name
    # The fast path must carry the usual files: the whole synthetic cohort and most of the corpus's images.
    assert read_here >= len(cohort_files) + 100
