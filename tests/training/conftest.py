"""Fixtures for the training tests: a tiny dataset directory in the documented format, and tiny configs."""

from pathlib import Path

import pytest
import torch

from training.config import load_config
from training.demo import SMOKE_PRESET
from training.toy import write_toy_dataset

# tiny tensors gain nothing from threads, and on a shared machine idle OpenMP threads spin
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory) -> Path:
    """24 studies of 6 slices at 32x32 in three shards, 4 traits with a parent/child pair."""
    return write_toy_dataset(tmp_path_factory.mktemp("dataset") / "toy", n_studies=24, n_slices=6, size=32,
                             studies_per_shard=10, seed=3)


@pytest.fixture
def tiny_config():
    return load_config(base=SMOKE_PRESET, overrides=["train.max_steps_per_epoch=2", "train.batch_size=3"])
