"""`predict --saliency`: Grad-CAM maps per slice for each study's likely traits, float16, from every member."""

import json

import numpy as np
import pandas as pd
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


class _SliceModel(torch.nn.Module):
    def __init__(self, n_traits: int = 1):
        super().__init__()
        self.backbone = create_model("inception", in_channels=1, width=0.125, pool="max")
        self.slice_head = torch.nn.Linear(self.backbone.num_features, n_traits)


def test_grad_cam_weighs_the_last_block_of_any_backbone():
    """Maps on the last Inception block's grid, scaled to a peak of 1 (whether they point right: bench/)."""
    torch.manual_seed(0)
    model = _SliceModel().eval()
    x = torch.zeros(2, 1, 64, 64)
    x[:, :, 40:52, 8:20] = 1.0
    maps = member_maps(model, x, [0])
    assert maps.shape[:2] == (1, 2) and maps.max() == pytest.approx(1.0)
    assert target_layer(model.backbone) is model.backbone.features[-1]


def test_one_forward_gives_captums_grad_cam_for_every_trait():
    """The maps of several traits from one forward pass are Captum's LayerGradCam maps, trait by trait."""
    from captum.attr import LayerGradCam

    from training.saliency import _SliceLogits

    torch.manual_seed(1)
    model = _SliceModel(n_traits=4).eval()
    x = torch.randn(3, 1, 64, 64)
    maps = member_maps(model, x, [2, 0, 3])
    cam = LayerGradCam(_SliceLogits(model), target_layer(model.backbone))
    for k, j in enumerate([2, 0, 3]):
        expected = cam.attribute(x, target=j, relu_attributions=True).detach().squeeze(1).numpy()
        expected = expected / expected.max() if expected.max() > 0 else expected
        np.testing.assert_allclose(maps[k], expected, rtol=1e-4, atol=1e-5)
    assert member_maps(model, x, []).shape[0] == 0


def test_saliency_studies_limits_the_maps_to_the_listed_studies(trained_run, tiny_dataset, tmp_path):
    dataset = DatasetDir(tiny_dataset)
    listed = [str(s) for s in dataset.studies["study_id"][:2]]
    (tmp_path / "shown.txt").write_text("\n".join([*listed, "not-a-study"]) + "\n")
    out = tmp_path / "pred" / "predictions.csv"
    assert main(["predict", "--run", str(trained_run), "--data", str(tiny_dataset), "--out", str(out),
                 "--no-progress", "--saliency", "--saliency-studies", str(tmp_path / "shown.txt")]) == 0
    meta, maps = read_saliency(out.parent)
    assert sorted(s["study_id"] for s in meta["studies"]) == sorted(listed)
    assert {key.split("/")[0] for key in maps} == set(listed)
    assert len(pd.read_csv(out)) == len(dataset)  # every study is still predicted


def test_members_side_by_side_give_the_same_predictions_and_maps(trained_run, tiny_dataset, tmp_path):
    """Two member processes (the CPU demo's way) score and map exactly as one process scoring them in turn."""
    from training.predict import predict_ensemble
    from training.saliency import ensemble_saliency

    config = json.loads((trained_run / "config.json").read_text())
    dataset = DatasetDir(tiny_dataset)
    indices = dataset.split_indices("test")
    cpu = torch.device("cpu")
    results = {}
    for processes in (1, 2):
        config["train"]["member_processes"] = processes
        (trained_run / "config.json").write_text(json.dumps(config))
        pred = predict_ensemble(trained_run, dataset, indices, cpu, progress=False)
        results[processes] = (pred, ensemble_saliency(trained_run, dataset, pred, cpu, selection=Selection(top=3)))
    config["train"]["member_processes"] = 1
    (trained_run / "config.json").write_text(json.dumps(config))
    (one, maps_one), (two, maps_two) = results[1], results[2]
    np.testing.assert_allclose(one["probs"], two["probs"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(one["spread"], two["spread"], rtol=1e-4, atol=1e-6)
    assert [e["study_id"] for e in maps_one] == [e["study_id"] for e in maps_two]
    for a, b in zip(maps_one, maps_two, strict=True):
        np.testing.assert_allclose(a["maps"].astype(np.float32), b["maps"].astype(np.float32), atol=2e-3)
