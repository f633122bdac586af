"""A ladder of CSMR targets: each certified by its own fixed sequence at an even share of delta, the headline the
lowest target certified, and a plain reason when none is."""

import numpy as np
import pytest

from training.config import EvalConfig
from training.metrics import clopper_pearson_upper
from training.report import build_report


def _report(score, high, cfg, *, n_test=40):
    """One high trait scored `score` on a calibration split; a test split of the same kind after it."""
    n = len(score)
    probs = np.concatenate([score, np.linspace(0, 1, n_test)])[:, None]
    labels = np.concatenate([high, np.arange(n_test) % 2]).astype(float)[:, None]
    splits = np.array(["calibration"] * n + ["test"] * n_test)
    return build_report(codes=["ich"], high=[0], patients=np.array([f"p{i}" for i in range(len(splits))]),
                        splits=splits, probs=probs, labels=labels, cfg=cfg)["operating_point"]


def _calibration(n=120, miss_every=8):
    """A model whose lowest scores hold a miss every `miss_every` studies, then the positives it does see."""
    score = np.linspace(0.0, 1.0, n)
    high = np.zeros(n)
    high[miss_every - 1:n // 2:miss_every] = 1  # misses scattered among the studies it would report
    high[n // 2:] = 1
    return score, high


def test_a_single_target_is_tested_at_the_whole_delta():
    score, high = _calibration(miss_every=1000)  # no miss: 60 clean studies certify 5%
    operating = _report(score, high, EvalConfig(target_csmr=0.05, n_bootstrap=20))
    assert operating["certified"] and operating["delta_each"] == pytest.approx(0.05)
    assert [rung["target_csmr"] for rung in operating["ladder"]] == [0.05]
    point = operating["calibration"]
    assert point["csmr_upper"] == pytest.approx(float(clopper_pearson_upper(point["misses"], point["reported"], 0.05)))


def test_the_lowest_target_certified_is_the_headline_and_every_rung_is_shown():
    score, high = _calibration(miss_every=8)  # one miss in eight: 5% fails at once, 30% holds
    cfg = EvalConfig(target_csmr=0.05, ladder=[0.3, 0.5], start_reported=40, n_bootstrap=20)
    operating = _report(score, high, cfg)
    rungs = {rung["target_csmr"]: rung for rung in operating["ladder"]}
    assert sorted(rungs) == [0.05, 0.3, 0.5]
    assert not rungs[0.05]["certified"] and rungs[0.3]["certified"] and rungs[0.5]["certified"]
    assert operating["certified"] and operating["target_csmr"] == 0.3
    assert operating["confidence"] == pytest.approx(0.95) and operating["delta_each"] == pytest.approx(0.05 / 3)
    # each certificate's bound is at its share of delta, below its target
    point = operating["calibration"]
    assert point["csmr_upper"] == pytest.approx(
        float(clopper_pearson_upper(point["misses"], point["reported"], 0.05 / 3)))
    assert point["csmr_upper"] < 0.3 and point["reported"] > 0
    assert rungs[0.5]["coverage"] >= rungs[0.3]["coverage"]  # a looser target reports at least as much
    assert "3 targets" in operating["method"]


def test_when_no_rung_certifies_the_note_names_the_loosest_and_why():
    score, high = _calibration(miss_every=2)  # half missed
    operating = _report(score, high, EvalConfig(target_csmr=0.05, ladder=[0.1], n_bootstrap=20))
    assert not operating["certified"] and operating["calibration"]["coverage"] == 0
    assert operating["target_csmr"] == 0.1
    assert operating["note"].startswith("no threshold certified: none of the 2 targets; the loosest, CSMR < 0.1 at "
                                        "97.5% confidence, failed at the first threshold tested")
