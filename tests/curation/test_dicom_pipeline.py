"""The pure DICOM steps: validation rules, Annex E de-identification, axial classification, JSON metadata."""

from io import BytesIO

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid

from curation.dicom.classify import AXIAL, LOCALIZER, OTHER, REFORMAT, InstanceGeometry, classify_series
from curation.dicom.deidentify import date_shift_days, deidentify, map_uid, pseudonymize
from curation.dicom.errors import InstanceRejected
from curation.dicom.metadata import instance_json
from curation.dicom.validate import validate

from .conftest import ACCESSION, BIRTH_DATE, PATIENT_ID, PHI_MARKERS, axial_series, ct_slice, shifted

KEY = "test-key"


def _bytes(ds) -> bytes:
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _slice(**kw):
    return ct_slice(study_uid=generate_uid(), series_uid=generate_uid(), sop_uid=generate_uid(), z=0, number=1, **kw)


def test_valid_slice_passes_and_keeps_its_transfer_syntax():
    ds = validate(_bytes(_slice()), name="ok.dcm")
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"


@pytest.mark.parametrize(
    "mutate, rule, tag",
    [
        (lambda ds: delattr(ds, "SeriesInstanceUID"), "missing_tag", "SeriesInstanceUID"),
        (lambda ds: setattr(ds, "PatientID", ""), "missing_tag", "PatientID"),
        (lambda ds: delattr(ds, "RescaleSlope"), "missing_tag", "RescaleSlope"),
        (lambda ds: setattr(ds, "PixelData", ds.PixelData[:-20]), "pixel_length", "PixelData"),
        (lambda ds: setattr(ds, "SOPClassUID", "1.2.840.10008.5.1.4.1.1.4"), "unsupported_sop_class", "SOPClassUID"),
    ],
)
def test_validation_names_rule_and_tag(mutate, rule, tag):
    ds = _slice()
    mutate(ds)
    with pytest.raises(InstanceRejected) as info:
        validate(_bytes(ds), name="bad.dcm")
    assert info.value.rule == rule and info.value.tag == tag
    assert "bad.dcm" in info.value.message and tag in info.value.message


def test_garbage_and_truncated_files_are_rejected_with_a_reason():
    with pytest.raises(InstanceRejected) as info:
        validate(b"this is not dicom at all" * 10, name="notes.txt")
    assert info.value.rule in ("not_dicom", "unreadable")
    raw = open(get_testdata_file("rtplan_truncated.dcm"), "rb").read()
    with pytest.raises(InstanceRejected):
        validate(raw, name="rtplan_truncated.dcm")


def test_jpeg_lossless_decodes():
    raw = open(get_testdata_file("JPEG-LL.dcm"), "rb").read()  # JPEG Lossless, what CT scanners send
    assert validate(raw, name="JPEG-LL.dcm").file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.70"


def test_corrupt_compressed_pixels_are_rejected():
    ds = dcmread(get_testdata_file("JPEG-LL.dcm"))
    ds.PixelData = encapsulate([b"\xff\xd8\xff\xc3" + b"\x00" * 100])
    with pytest.raises(InstanceRejected) as info:
        validate(_bytes(ds), name="broken-jpeg.dcm")
    assert info.value.rule == "undecodable"


def test_pseudonyms_are_stable_keyed_and_kind_separated():
    a = pseudonymize("ACC1", key=KEY, kind="accession")
    assert a == pseudonymize(" ACC1 ", key=KEY, kind="accession")
    assert a != pseudonymize("ACC1", key="other-key", kind="accession")
    assert a != pseudonymize("ACC1", key=KEY, kind="patient")
    assert len(a) == 16 and a.startswith("A")


def test_uid_mapping_is_a_valid_2_25_uid_and_consistent():
    uid = map_uid("1.2.3.4", key=KEY)
    assert uid.startswith("2.25.") and len(uid) <= 64 and uid == map_uid("1.2.3.4", key=KEY)
    assert uid != map_uid("1.2.3.5", key=KEY)


def test_deidentify_removes_phi_everywhere_and_keeps_references():
    study_uid = generate_uid()
    slices = axial_series(study_uid=study_uid, n=2, shuffle=False)
    ds = slices[1]  # its ReferencedImageSequence points at slice 0
    original_first = str(slices[0].SOPInstanceUID)
    result = deidentify(ds, key=KEY)
    stored = _bytes(result.dataset)
    for marker in PHI_MARKERS:
        assert marker.encode() not in stored, marker
    assert study_uid.encode() not in stored and original_first.encode() not in stored
    assert ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID == map_uid(original_first, key=KEY)
    assert ds.PatientID == ds.PatientName == pseudonymize(PATIENT_ID, key=KEY, kind="patient")
    assert ds.AccessionNumber == pseudonymize(ACCESSION, key=KEY, kind="accession")
    assert ds.PatientIdentityRemoved == "YES"
    assert [i.CodeValue for i in ds.DeidentificationMethodCodeSequence] == ["113100", "113107"]
    assert not any(elem.tag.is_private for elem in ds.iterall())
    assert not any(elem.tag.group & 0xFF00 == 0x6000 for elem in ds.iterall())
    assert ds.get("PatientBirthDate", "") == ""
    days = date_shift_days(PATIENT_ID, key=KEY)
    assert ds.StudyDate == shifted("20210405", days).strftime("%Y%m%d")
    assert ds.AcquisitionDateTime.startswith(ds.StudyDate) and ds.AcquisitionDateTime.endswith("101500")
    assert result.identity.patient_id == PATIENT_ID and result.identity.patient_birth_date == BIRTH_DATE
    assert result.station == "ACME Scan9"
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert "SourceApplicationEntityTitle" not in ds.file_meta


def test_date_shift_is_per_patient_and_keeps_intervals():
    a = ct_slice(study_uid="1.2.3", series_uid="1.2.3.1", sop_uid="1.2.3.1.1", z=0, number=1, study_date="20200101")
    b = ct_slice(study_uid="1.2.4", series_uid="1.2.4.1", sop_uid="1.2.4.1.1", z=0, number=1, study_date="20200111")
    deidentify(a, key=KEY)
    deidentify(b, key=KEY)
    interval = shifted(b.StudyDate, 0) - shifted(a.StudyDate, 0)
    assert interval.days == 10 and a.StudyDate != "20200101"
    other = ct_slice(study_uid="1.2.5", series_uid="1.2.5.1", sop_uid="1.2.5.1.1", z=0, number=1,
                     study_date="20200101", patient_id="SOMEONE-ELSE")
    deidentify(other, key=KEY)
    assert date_shift_days("SOMEONE-ELSE", key=KEY) != date_shift_days(PATIENT_ID, key=KEY)


def test_burned_in_annotation_is_rejected():
    ds = _slice()
    ds.BurnedInAnnotation = "YES"
    with pytest.raises(InstanceRejected) as info:
        deidentify(ds, key=KEY)
    assert info.value.rule == "burned_in_annotation"


def _geom(sop, z, orientation=(1, 0, 0, 0, 1, 0), image_type=("ORIGINAL", "PRIMARY", "AXIAL"), number=None):
    return InstanceGeometry(sop, image_type, orientation, (0.0, 0.0, float(z)), number)


def test_axial_order_follows_position_not_instance_number():
    rows = [_geom("c", 10, number=1), _geom("a", 0, number=3), _geom("b", 5, number=2)]
    result = classify_series(rows)
    assert result.kind == AXIAL and result.order == ["a", "b", "c"] and result.qc_flags == {}
    assert result.spacing == 5.0


def test_missing_slices_and_inconsistent_spacing_are_flagged():
    missing = classify_series([_geom(str(z), z) for z in (0, 5, 10, 20, 25)])
    assert missing.qc_flags == {"missing_slices": 1}
    irregular = classify_series([_geom(str(z), z) for z in (0, 5, 10, 17, 22, 27)])
    assert irregular.qc_flags.get("inconsistent_spacing") == 1


def test_localizer_reformat_tilt_and_mixed_orientation():
    assert classify_series([_geom("l", 0, image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"))]).kind == LOCALIZER
    reformat = classify_series([_geom(str(i), i, image_type=("DERIVED", "SECONDARY", "REFORMATTED"))
                                for i in range(3)])
    assert reformat.kind == REFORMAT and reformat.qc_flags["reformat"]
    coronal = classify_series([_geom(str(i), i, orientation=(1, 0, 0, 0, 0, -1)) for i in range(3)])
    assert coronal.kind == OTHER
    gantry = classify_series([_geom(str(i), i * 5, orientation=(1, 0, 0, 0, 0.9659258, -0.2588190))
                              for i in range(4)])
    assert gantry.kind == AXIAL and gantry.qc_flags["gantry_tilt_deg"] == pytest.approx(15.0, abs=0.1)
    mixed = classify_series([_geom("a", 0), _geom("b", 5), _geom("c", 10, orientation=(1, 0, 0, 0, 0, -1))])
    assert mixed.qc_flags.get("mixed_orientation") is True


def test_instance_json_references_pixels_by_public_url():
    ds = _slice()
    deidentify(ds, key=KEY)
    data = instance_json(ds, public_url="https://archive.example.org")
    uri = data["7FE00010"]["BulkDataURI"]
    assert uri.startswith("https://archive.example.org/dicomweb/studies/") and uri.endswith("/frames/1")
    assert "InlineBinary" not in data["7FE00010"] and "PixelData" in ds


def _elements(data: bytes) -> dict:
    ds = dcmread(BytesIO(data))
    return {str(elem.tag): (elem.VR, repr(elem.value)) for elem in ds.iterall()}


@pytest.mark.parametrize("source", ["fixture", "CT_small.dcm", "JPEG-LL.dcm", "MR_small_bigendian.dcm",
                                    "SC_rgb_small_odd.dcm", "rtplan.dcm", "image_dfl.dcm"])
def test_patched_encoding_equals_a_full_rewrite(source):
    from curation.dicom.encode import element_spans, encode
    from curation.dicom.validate import parse, validate_dataset

    raw = _bytes(_slice()) if source == "fixture" else open(get_testdata_file(source), "rb").read()
    ds = parse(raw, source)
    spans = element_spans(ds, raw)
    assert (spans is not None and len(spans) == len(ds)) or source == "image_dfl.dcm"  # deflated: rewritten
    try:
        validate_dataset(ds, name=source)
    except InstanceRejected:
        pass  # MR, RT plan and deflated files are rejected by the archive; the encoder must still be exact
    deid = deidentify(ds, key=KEY)
    patched = encode(ds, raw, spans, deid.changed)
    full = encode(ds, raw, None, deid.changed)  # no spans: pydicom writes every element
    assert _elements(patched) == _elements(full)
    assert dcmread(BytesIO(patched)).file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def _utf8_slice():
    ds = _slice()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SeriesDescription = "Schädel nativ 5mm"
    ds.ImageComments = "Kopf\\Hals"  # a backslash is a value delimiter in LO, not in LT
    ds.ImageType = ["ORIGINAL", "PRIMARY ", "AXIAL"]
    return ds


@pytest.mark.parametrize("source", ["fixture", "utf8", "CT_small.dcm", "JPEG-LL.dcm", "MR_small.dcm",
                                    "SC_rgb_small_odd.dcm", "rtplan.dcm", "rtdose.dcm"])
def test_deidentifying_from_raw_values_equals_deidentifying_with_pydicom(source):
    """The raw path (plain values, no pydicom objects) writes the same file and the same JSON as pydicom."""
    from curation.dicom.deidentify import raw_capable
    from curation.dicom.encode import element_spans, encode
    from curation.dicom.validate import parse, validate_dataset

    made = {"fixture": _slice, "utf8": _utf8_slice}
    raw = _bytes(made[source]()) if source in made else open(get_testdata_file(source), "rb").read()
    results = []
    for from_raw in (True, False):
        ds = parse(raw, source)
        spans = element_spans(ds, raw)
        assert raw_capable(ds, spans) or not from_raw, "the raw path should cover this file"
        rejected = None
        try:
            validate_dataset(ds, name=source, convert_all=not from_raw)
        except InstanceRejected as exc:
            rejected = exc.rule  # not CT or secondary capture: the de-identification must still agree
        deid = deidentify(ds, key=KEY, raw=raw if from_raw else None, spans=spans)
        assert (deid.parts is not None) == from_raw
        data = encode(ds, raw, spans, deid.changed, deid.parts)
        described = instance_json(ds, public_url="https://archive.example.org", described=deid.json)
        results.append((rejected, _elements(data), described, deid.identity))
    assert results[0] == results[1]
    assert results[0][0] is None or source not in ("fixture", "utf8", "CT_small.dcm")
    for marker in PHI_MARKERS if source in made else ():
        assert marker not in repr(results[0][1]) and marker not in repr(results[0][2]), marker
