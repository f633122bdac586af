"""The command line end to end: train + evaluate + predict on the tiny dataset, and evaluate from CSV files."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from training.__main__ import main
from training.data import DatasetDir


@pytest.fixture(scope="module")
def trained_run(tiny_dataset, tmp_path_factory):
    run = tmp_path_factory.mktemp("run") / "run"
    rc = main(["train", "--preset", "smoke", "--data", str(tiny_dataset), "--out", str(run), "--no-progress",
               "--set", "train.epochs=1", "--set", "train.members=2", "--set", "train.max_steps_per_epoch=1",
               "--set", "train.batch_size=4"])
    assert rc == 0
    return run


def test_train_writes_the_documented_run_directory(trained_run, tiny_dataset):
    run = json.loads((trained_run / "run.json").read_text())
    assert run["format"] == "radcurate-run/1" and len(run["members"]) == 2
    assert run["members"][0]["seed"] != run["members"][1]["seed"]
    for m in run["members"]:
        assert (trained_run / m["checkpoint"]).is_file()
    report = json.loads((trained_run / "report.json").read_text())
    assert report["format"] == "radcurate-report/1"
    assert {t["code"] for t in report["traits"]} == set(DatasetDir(tiny_dataset).traits.codes)
    assert len(report["table2"]) == 2 and "csmr_upper" in report["operating_point"]["test"]
    if not report["operating_point"]["certified"]:  # a handful of calibration studies: it says why
        note = report["operating_point"]["note"]
        assert "needs at least" in note or "failed at the first threshold tested, which reports" in note, note
    assert (trained_run / "risk_coverage.png").stat().st_size > 1000


def test_predict_output_format(trained_run, tiny_dataset, tmp_path):
    out = tmp_path / "pred" / "predictions.csv"
    assert main(["predict", "--run", str(trained_run), "--data", str(tiny_dataset), "--out", str(out),
                 "--no-progress"]) == 0
    ds = DatasetDir(tiny_dataset)
    table = pd.read_csv(out, dtype={"study_id": str})
    codes = list(ds.traits.codes)
    assert list(table.columns) == (["study_id", "split", "referral_score", "reported"]
                                   + [f"p_{c}" for c in codes] + [f"sd_{c}" for c in codes])
    assert sorted(table["study_id"]) == sorted(ds.studies["study_id"])
    p = table[[f"p_{c}" for c in codes]].to_numpy()
    assert ((p >= 0) & (p <= 1)).all() and (table[[f"sd_{c}" for c in codes]].to_numpy() >= 0).all()
    assert (table["p_intracranial_hemorrhage"] >= table["p_subdural"]).all()  # hierarchy holds on the ensemble
    high = [f"p_{codes[j]}" for j in ds.traits.high]
    np.testing.assert_allclose(table["referral_score"], table[high].max(axis=1), rtol=1e-5)
    meta = json.loads((out.parent / "predictions.json").read_text())
    assert meta["format"] == "radcurate-predictions/1" and meta["traits"] == codes
    threshold = meta["threshold"]
    expected = (table["referral_score"] <= threshold) if threshold is not None else np.zeros(len(table), bool)
    assert (table["reported"].astype(bool) == expected).all()
    emb = np.load(out.parent / "embeddings.npy")
    assert emb.shape == (len(table), meta["embedding_dim"]) and emb.dtype == np.float32


def _csv_inputs(tmp_path, n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 2)) < 0.15).astype(float)
    p = np.clip(0.55 * y + 0.5 * rng.random((n, 2)), 0, 1)
    ids = [f"s{i}" for i in range(n)]
    labels = pd.DataFrame({"study_id": ids, "patient_id": [f"p{i // 2}" for i in range(n)],
                           "split": np.where(np.arange(n) // 2 % 2 == 0, "calibration", "test"),
                           "bleed": y[:, 0], "sinus": y[:, 1]})
    labels.loc[3, "sinus"] = np.nan  # an unknown label is allowed
    preds = pd.DataFrame({"study_id": ids[::-1], "p_bleed": p[::-1, 0], "sinus": p[::-1, 1]})  # any row order
    labels.to_csv(tmp_path / "labels.csv", index=False)
    preds.to_csv(tmp_path / "predictions.csv", index=False)
    return labels, p


def test_evaluate_from_csv_inputs(tmp_path):
    labels, p = _csv_inputs(tmp_path)
    out = tmp_path / "eval"
    assert main(["evaluate", "--predictions", str(tmp_path / "predictions.csv"), "--labels",
                 str(tmp_path / "labels.csv"), "--high", "bleed", "--out", str(out),
                 "--set", "eval.n_bootstrap=200", "--set", "eval.target_csmr=0.1"]) == 0
    report = json.loads((out / "report.json").read_text())
    test = (labels["split"] == "test").to_numpy()
    bleed = report["traits"][0]
    assert bleed["code"] == "bleed"
    assert bleed["auroc"] == pytest.approx(roc_auc_score(labels["bleed"][test], p[test, 0]))
    assert bleed["auroc_lo"] <= bleed["auroc"] <= bleed["auroc_hi"]
    assert report["traits"][1]["n"] == int(test.sum()) - int(test[3])
    op = report["operating_point"]
    assert op["certified"] and op["calibration"]["csmr_upper"] < 0.1
    reported = test & (p[:, 0] <= op["threshold"])
    assert op["test"]["reported"] == int(reported.sum())
    assert op["test"]["misses"] == int(labels["bleed"][reported].sum())
    assert (out / "roc" / "bleed.png").is_file()


def test_evaluate_names_the_bad_input(tmp_path, capsys):
    _csv_inputs(tmp_path)
    bad = pd.read_csv(tmp_path / "labels.csv")
    bad.loc[7, "bleed"] = 2
    bad.to_csv(tmp_path / "bad.csv", index=False)
    rc = main(["evaluate", "--predictions", str(tmp_path / "predictions.csv"), "--labels", str(tmp_path / "bad.csv"),
               "--high", "bleed", "--out", str(tmp_path / "x")])
    assert rc == 2
    assert "bad.csv: column 'bleed', line 9" in capsys.readouterr().err


def test_evaluate_takes_significance_from_a_traits_file(tmp_path):
    _csv_inputs(tmp_path)
    traits = tmp_path / "traits.json"
    traits.write_text(json.dumps([{"code": "bleed", "significance": "high"}, {"code": "sinus", "significance": "low"}]))
    out = tmp_path / "eval"
    assert main(["evaluate", "--predictions", str(tmp_path / "predictions.csv"), "--labels",
                 str(tmp_path / "labels.csv"), "--traits", str(traits), "--out", str(out),
                 "--set", "eval.n_bootstrap=50"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["high_traits"] == ["bleed"] and [t["code"] for t in report["traits"]] == ["bleed", "sinus"]
