"""The demo's certification plan: on a calibration split the size of the demo's, with a model that learns hemorrhage
and misses some of the other significant findings, the evaluation certifies a nonzero coverage and the run page says
so in one sentence; the plan it replaced (the zero-miss target, tested from its minimum) certifies nothing there."""

import json
import math
import re

import numpy as np
import pytest
from django.test import Client

from datasets.export.calibration import certifiable_target
from datasets.services.model_runs import model_run_import
from frontend.demo import DEMO_MISS_SHARE, certification_plan
from tests.annotation.conftest import make_studies
from tests.conftest import PASSWORD
from tests.datasets.test_model_runs import TRAITS, write_run
from training.config import EvalConfig
from training.report import build_report

pytestmark = pytest.mark.django_db

# The demo cohort's pilot campaign at consensus: studies, and those without a high-significance finding.
DEMO_STUDIES, DEMO_REPORTABLE = 302, 153
SENTENCE = re.compile(r"certified: CSMR below (\d+)% at ([\d.]+)% coverage, 95% confidence")


def _model_outputs(fractions, seed=0):
    """Splits, labels and probabilities of a model like the demo's: hemorrhage scored high, and a significant
    finding it cannot see (DEMO_MISS_SHARE of the studies it would report) scored like a normal study."""
    rng = np.random.default_rng(seed)
    n = DEMO_STUDIES
    splits = rng.choice(["train", "calibration", "test"], size=n, p=fractions)
    high = rng.random(n) < 1 - DEMO_REPORTABLE / n
    # an infarct or a mass the model does not see: DEMO_MISS_SHARE of the studies it scores as normal
    unseen = high & (rng.random(n) < DEMO_MISS_SHARE * DEMO_REPORTABLE / (n - DEMO_REPORTABLE))
    score = np.where(high & ~unseen, rng.uniform(0.4, 1.0, n), rng.uniform(0.0, 0.6, n))
    labels = np.zeros((n, len(TRAITS)))
    labels[:, 0] = high & ~unseen
    labels[:, 1] = unseen
    probs = np.column_stack([score, np.minimum(score, 0.3), rng.uniform(0, 1, n)])
    return splits, labels, probs


def _report(fractions, cfg):
    splits, labels, probs = _model_outputs(fractions)
    keep = splits != "train"
    return build_report(codes=TRAITS, high=[0, 1], patients=np.arange(len(splits))[keep].astype(str),
                        splits=splits[keep], probs=probs[keep], labels=labels[keep], cfg=cfg)


def _run_page(tmp_path, users, report, name):
    studies = make_studies(3)
    run_dir = write_run(tmp_path / name, [s.study_uid for s in studies])
    (run_dir / "report.json").write_text(json.dumps(report))
    run = model_run_import(run_dir=run_dir, name=name)
    client = Client()
    assert client.login(username=users["trainer"].username, password=PASSWORD)
    html = client.get(f"/runs/{run.pk}/").content.decode()
    return re.search(r'<p id="certified"[^>]*><strong>([^<]*)</strong>', html).group(1)


def test_the_demo_plan_certifies_a_nonzero_coverage_and_the_run_page_says_so(tmp_path, users):
    sizing, target, start = certification_plan(DEMO_STUDIES, DEMO_REPORTABLE)
    assert 0.01 < target < 0.5 and start == sizing.reportable > 0
    report = _report(sizing.fractions, EvalConfig(target_csmr=target, start_reported=start, n_bootstrap=20))
    operating = report["operating_point"]
    assert operating["certified"] and operating["calibration"]["coverage"] > 0
    assert operating["test"]["coverage"] > 0
    said = _run_page(tmp_path, users, report, "plan")
    match = SENTENCE.fullmatch(said)
    assert match, said
    assert int(match.group(1)) == round(100 * target) and float(match.group(2)) > 0


def test_the_zero_miss_plan_certified_nothing_on_the_same_split_and_the_page_says_why(tmp_path, users):
    sizing, _, _ = certification_plan(DEMO_STUDIES, DEMO_REPORTABLE)
    zero_miss = math.ceil(certifiable_target(sizing.reportable) * 100) / 100
    report = _report(sizing.fractions, EvalConfig(target_csmr=zero_miss, n_bootstrap=20))
    assert not report["operating_point"]["certified"]
    assert report["operating_point"]["calibration"]["coverage"] == 0
    said = _run_page(tmp_path, users, report, "zero-miss")
    assert said.startswith("not certified: no threshold certified: ") and "failed at the first threshold" in said
