"""Every rendered trait changes the pixels of exactly its recorded slices; hemorrhage is conspicuous."""

import numpy as np
import pytest

from synth import findings
from synth.anatomy import sample_head
from synth.geometry import Geometry
from synth.render import INTERCEPT, render_volume
from synth.streams import stream

GEOM = Geometry(64, 12)
SEED, INDEX = 11, 3
DRAWN = list(findings.MODIFIERS) + list(findings.PAINTERS)


@pytest.fixture(scope="module")
def params():
    return sample_head(stream(SEED, INDEX, "anatomy"), 63.0)


@pytest.fixture(scope="module")
def normal(params):
    return render_volume(GEOM, params, set(), SEED, INDEX)


def _changed_slices(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.flatnonzero((a != b).any(axis=(1, 2)))


@pytest.mark.parametrize("code", DRAWN)
def test_trait_changes_pixels_in_its_recorded_slices_and_nowhere_else(code, params, normal):
    vol = render_volume(GEOM, params, {code}, SEED, INDEX)
    first, last = vol.traits[code].slices
    for with_trait, without in ((vol.noiseless, normal.noiseless), (vol.stored, normal.stored)):
        changed = _changed_slices(with_trait, without)
        assert changed.size, f"{code} changed nothing"
        assert changed.min() == first and changed.max() == last, (code, changed, (first, last))


@pytest.mark.parametrize("code", ["intracranial_hemorrhage", "neoplasm", "intracranial_mass", "fracture"])
def test_derived_parent_spans_its_drawn_children(code, params):
    children = [c for c in findings.DERIVED_FROM[code] if c in findings.PAINTERS][:2]
    vol = render_volume(GEOM, params, {code, *children}, SEED, INDEX)
    spans = [vol.traits[c].slices for c in children]
    assert vol.traits[code].slices == (min(s[0] for s in spans), max(s[1] for s in spans))
    assert vol.traits[code].derived_from == tuple(c for c in findings.DERIVED_FROM[code] if c in children)


@pytest.mark.parametrize("code", ["epidural_hemorrhage", "intraparenchymal_hemorrhage", "intraventricular_hemorrhage",
                                  "subarachnoid_hemorrhage"])
def test_acute_blood_is_brighter_than_brain(code, params, normal):
    geom = Geometry(128, 16)  # the resolution a small CNN is trained at
    base = render_volume(geom, params, set(), SEED, INDEX).noiseless
    vol = render_volume(geom, params, {code}, SEED, INDEX).noiseless
    changed = np.abs(vol - base) > 10
    assert changed.sum() > 20, f"{code} is too small to see at 128 px"
    blood = vol[changed]
    assert np.median(blood) > 55 and np.median(base[changed]) < 45


def test_midline_shift_moves_the_septum_away_from_the_lesion(params):
    geom = Geometry(128, 16)
    plan = findings.plan_study(stream(SEED, INDEX, "plan"))
    base = render_volume(geom, params, set(), SEED, INDEX)
    shifted = render_volume(geom, params, {"midline_shift"}, SEED, INDEX)
    vent0, vent1 = base.head.ventricles, shifted.head.ventricles
    cols = np.arange(vent0.shape[2])
    centroid = [(v.sum(axis=(0, 1)) * cols).sum() / v.sum() for v in (vent0, vent1)]
    # +x (patient left) is increasing column; the shift goes away from plan.side.
    assert np.sign(centroid[1] - centroid[0]) == -plan.side
    assert abs(centroid[1] - centroid[0]) * geom.pixel_mm > 1.5


def test_stored_values_are_int16_hounsfield_with_intercept(normal):
    assert normal.stored.dtype == np.int16
    hu = normal.stored.astype(np.float32) + INTERCEPT
    assert hu.min() >= -1024 and hu.max() <= 3071


def test_hemorrhage_studies_stand_out_by_blood_density_alone():
    """Learnability guard: a one-number feature (non-bone voxels at 55-95 HU) already ranks ICH studies high."""
    from scipy.ndimage import binary_dilation
    from sklearn.metrics import roc_auc_score

    from synth.study import CohortParams, synthesize_study

    params = CohortParams(seed=31, size=64, slices=12, enrich={"intracranial_hemorrhage": 0.5})
    feature, label = [], []
    for i in range(40):
        study = synthesize_study(params, i)
        hu = study.volume.stored.astype(np.float32) + INTERCEPT
        near_bone = binary_dilation(hu > 300, structure=np.ones((1, 3, 3)))
        feature.append(int(((hu > 55) & (hu < 95) & ~near_bone).sum()))
        label.append("intracranial_hemorrhage" in study.volume.traits)
    assert 10 < sum(label) < 30
    assert roc_auc_score(label, feature) > 0.85
