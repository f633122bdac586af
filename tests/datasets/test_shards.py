"""Shards are plain .npy files that numpy memory-maps; volumes keep their order; resampling keeps HU."""

import numpy as np
import pytest

from datasets.export.records import Volume
from datasets.export.shards import ShardError, ShardWriter
from datasets.export.volumes import resample_volume


def test_streamed_shard_opens_with_numpy_memory_map_and_holds_studies_back_to_back(tmp_path):
    a = np.arange(2 * 4 * 5, dtype=np.int16).reshape(2, 4, 5)
    b = -np.arange(3 * 4 * 5, dtype=np.int16).reshape(3, 4, 5)
    path = tmp_path / "shard.npy"
    writer = ShardWriter(path, (4, 5))
    assert writer.append(a) == 0
    assert writer.append(b) == 2
    assert writer.close() == 5
    loaded = np.load(path, mmap_mode="r")
    assert loaded.dtype == np.int16 and loaded.shape == (5, 4, 5)
    np.testing.assert_array_equal(loaded[0:2], a)
    np.testing.assert_array_equal(loaded[2:5], b)
    assert np.load(path).shape == (5, 4, 5)  # and plainly, without mmap


def test_a_volume_of_the_wrong_frame_or_type_is_refused_naming_the_study(tmp_path):
    writer = ShardWriter(tmp_path / "s.npy", (4, 4))
    with pytest.raises(ShardError, match="study S9"):
        writer.append(np.zeros((1, 4, 5), np.int16), study_id="S9")
    with pytest.raises(ShardError, match="float32"):
        writer.append(np.zeros((1, 4, 4), np.float32))
    writer.abort()
    assert not (tmp_path / "s.npy").exists()


def test_resampling_halves_the_matrix_keeps_hu_and_updates_spacing():
    hu = np.full((2, 64, 64), 40, np.int16)
    hu[:, :, 32:] = 1000
    out = resample_volume(Volume(hu, (0.5, 0.5), 5.0), (32, 32))
    assert out.hu.dtype == np.int16 and out.hu.shape == (2, 32, 32)
    assert out.pixel_spacing_mm == (1.0, 1.0) and out.slice_thickness_mm == 5.0
    assert out.hu[0, 10, 5] == 40 and out.hu[0, 10, 28] == 1000  # flat regions keep their exact HU
    same = resample_volume(Volume(hu, (0.5, 0.5), 5.0), (64, 64))
    np.testing.assert_array_equal(same.hu, hu)


def test_integer_downsampling_is_the_exact_block_mean_and_other_sizes_interpolate():
    rng = np.random.default_rng(1)
    hu = rng.integers(-1024, 3000, (3, 64, 64)).astype(np.int16)
    out = resample_volume(Volume(hu, (0.5, 0.5), 5.0), (32, 32)).hu
    expected = np.floor(hu.reshape(3, 32, 2, 32, 2).astype(np.float64).mean(axis=(2, 4)) + 0.5)
    np.testing.assert_array_equal(out, expected.astype(np.int16))
    odd = resample_volume(Volume(hu, (0.5, 0.5), 5.0), (48, 40))
    assert odd.hu.shape == (3, 48, 40) and odd.hu.dtype == np.int16
    assert abs(float(odd.hu.mean()) - float(hu.mean())) < 5  # a low-pass keeps the mean HU
    assert odd.pixel_spacing_mm == (0.5 * 64 / 48, 0.5 * 64 / 40)
