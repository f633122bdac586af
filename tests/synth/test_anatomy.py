"""The phantom head: Hounsfield ranges per tissue, noise, per-patient variation."""

import numpy as np
import pytest

from synth.anatomy import render_head, sample_head
from synth.geometry import Geometry
from synth.render import INTERCEPT, add_noise
from synth.streams import stream

GEOM = Geometry(96, 16)


@pytest.fixture(scope="module")
def head():
    return render_head(GEOM, sample_head(stream(3, 0, "anatomy"), 55.0))


def _median(head, mask):
    assert mask.sum() > 20
    return float(np.median(head.hu[mask]))


def test_skull_is_bone(head):
    p = head.params
    skull = (head.depth > p.scalp_mm + 1) & (head.depth < p.scalp_mm + p.skull_mm - 1) & (head.intracranial < -1)
    assert 700 < _median(head, skull) < 1600


def test_gray_and_white_matter(head):
    white = head.white > 0.99
    gray = (head.brain > 0.99) & (head.white < 0.01)
    assert 26 < _median(head, white) < 33
    assert 36 < _median(head, gray) < 44
    assert _median(head, gray) - _median(head, white) > 6


def test_csf_in_ventricles(head):
    assert 0 < _median(head, head.ventricles > 0.99) < 10


def test_air_outside_and_in_sinuses(head):
    assert _median(head, head.depth < -5) == -1000
    for name in ("sphenoid", "maxillary_left"):
        cells = head.air_cells[name]
        assert float(np.median(head.hu[cells.box][cells.weight > 0.99])) < -900


def test_scalp_is_soft_tissue(head):
    scalp = (head.depth > 3.2) & (head.depth < head.params.scalp_mm - 1)
    assert 20 < _median(head, scalp) < 70


def test_noise_is_ct_like(head):
    stored = add_noise(head.hu, head.params, 3, 0)
    noise = stored.astype(np.float32) + INTERCEPT - head.hu
    sd = float(noise[head.white > 0.99].std())
    assert 2.0 < sd < 7.0


def test_patients_differ_smoothly():
    heads = [sample_head(stream(3, i, "anatomy"), 50.0) for i in range(20)]
    widths = [h.half_width for h in heads]
    assert np.std(widths) > 1.0 and max(widths) / min(widths) < 1.3
    baby, adult = sample_head(stream(3, 0, "anatomy"), 0.05), sample_head(stream(3, 0, "anatomy"), 40)
    assert baby.scale < 0.75 * adult.scale and baby.skull_mm < adult.skull_mm
