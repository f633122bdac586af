"""The calibration split sized from the CSMR target: the evaluation's minimum number of reported studies."""

import pytest

from datasets.export.calibration import calibration_sizing, certifiable_target, min_reported


def test_the_minimum_is_the_evaluations():
    assert min_reported(0.01) == 299  # docs/architecture.md: 299 for 1% at 95%
    assert min_reported(0.05) == 59
    assert certifiable_target(299) < 0.01 <= certifiable_target(298)


def test_the_calibration_split_grows_to_what_the_target_needs_taking_from_train():
    sizing = calibration_sizing(target=0.05, n_studies=1000, n_reportable=600)
    assert sizing.met and sizing.needed == 59
    assert sizing.fractions == pytest.approx((0.7, 0.1, 0.2))  # 60 reportable in 10% already
    bigger = calibration_sizing(target=0.02, n_studies=1000, n_reportable=600)  # needs 149
    assert bigger.met and bigger.fractions[2] == 0.2 and bigger.fractions[1] == pytest.approx(149 / 600, abs=1e-3)
    assert sum(bigger.fractions) == pytest.approx(1.0)


def test_when_the_data_do_not_allow_it_the_split_says_which_target_it_can_certify():
    sizing = calibration_sizing(target=0.01, n_studies=320, n_reportable=180)
    assert not sizing.met
    assert sizing.fractions == pytest.approx((0.5, 0.3, 0.2))  # train kept at half
    assert sizing.reportable == 54 and sizing.target == pytest.approx(certifiable_target(54))
    assert 0.05 < sizing.target < 0.06
