"""`predict --saliency`: Grad-CAM maps per slice for each study's likely traits, float16, from every member."""

import json

import numpy as np
import pytest
import torch

from training.__main__ import main
from training.data import DatasetDir
from training.models import create_model
from training.saliency import Selection, member_maps, read_saliency, target_layer


@pytest.fixture(scope="module")
def trained_run(tiny_dataset, tmp_path_factory):
    run = tmp_path_factory.mktemp("run") / "run"
    rc = main(["train", "--preset", "smoke", "--data", str(tiny_dataset), "--out", str(run), "--no-progress",
               "--set", "train.epochs=1", "--set", "train.members=2", "--set", "train.max_steps_per_epoch=1",
               "--set", "train.batch_size=4", "--no-evaluate"])
    assert rc == 0
    return run


def test_predict_writes_a_map_per_selected_trait(trained_run, tiny_dataset, tmp_path):
    out = tmp_path / "pred" / "predictions.csv"
    assert main(["predict", "--run", str(trained_run), "--data", str(tiny_dataset), "--out", str(out),
                 "--split", "test", "--no-progress", "--saliency", "--saliency-threshold", "0.99",
                 "--saliency-threshold", "sinus_pathology=0.0"]) == 0
    meta, maps = read_saliency(out.parent)
    dataset = DatasetDir(tiny_dataset)
    assert meta["format"] == "radcurate-saliency/1" and "grad-cam" in meta["method"]
    assert len(meta["studies"]) == len(dataset.split_indices("test"))
    for study in meta["studies"]:
        # sinus_pathology passes its own threshold of 0 everywhere; nothing else passes 0.99
        codes = [t["code"] for t in study["traits"]]
        assert "sinus_pathology" in codes
        for code in codes:
            m = maps[f"{study['study_id']}/{code}"]
            assert m.dtype == np.float16 and m.shape[0] == len(study["positions"])
            assert m.shape[1:] == tuple(meta["map_shape"]) and m.shape[1] < meta["image_size"]
            assert np.all(m >= 0) and float(m.max()) <= 1.0
    assert json.loads((out.parent / "predictions.json").read_text())["traits"]  # predictions written too


def test_a_bad_threshold_is_refused_before_predicting(trained_run, tiny_dataset, tmp_path, capsys):
    out = tmp_path / "predictions.csv"
    rc = main(["predict", "--run", str(trained_run), "--data", str(tiny_dataset), "--out", str(out),
               "--saliency", "--saliency-threshold", "no_such_trait=0.3"])
    assert rc == 2 and "unknown trait 'no_such_trait'" in capsys.readouterr().err
    assert not out.exists()


def test_selection_takes_the_top_traits_when_none_passes():
    probs = np.array([0.1, 0.4, 0.3, 0.05])
    assert Selection(threshold=0.5, top=2).traits(probs, list("abcd")) == [1, 2]
    assert Selection(threshold=0.5, per_trait={"d": 0.01}).traits(probs, list("abcd")) == [3]
    assert Selection(threshold=0.0, most=2).traits(probs, list("abcd")) == [1, 2]  # capped, likeliest first


def test_grad_cam_weighs_the_last_block_of_any_backbone():
    """Maps on the last Inception block's grid, scaled to a peak of 1 (whether they point right: bench/)."""
    torch.manual_seed(0)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = create_model("inception", in_channels=1, width=0.125, pool="max")
            self.slice_head = torch.nn.Linear(self.backbone.num_features, 1)

    model = Model().eval()
    x = torch.zeros(2, 1, 64, 64)
    x[:, :, 40:52, 8:20] = 1.0
    maps = member_maps(model, x, [0])
    assert maps.shape[:2] == (1, 2) and maps.max() == pytest.approx(1.0)
    assert target_layer(model.backbone) is model.backbone.features[-1]
