"""Size a dataset's calibration split from the CSMR target it has to certify, not as a fixed fraction.

A CSMR below `t` at confidence `1 - delta` needs at least ceil(log delta / log(1 - t)) *reported* calibration studies
even with no miss (299 for 1% at 95%). Only studies without a high-significance finding can be reported without a
miss, so the calibration split needs that many of them at the very least. The formula is the evaluation's own
(training/metrics.py, `certify_operating_point`); it is repeated here because training and the platform share files,
never code.
"""

import math
from dataclasses import dataclass


def min_reported(target: float, delta: float = 0.05) -> int:
    """Reported calibration studies the one-sided Clopper-Pearson bound needs to go below `target` with no miss."""
    return math.ceil(math.log(delta) / math.log1p(-target)) if 0 < target < 1 else 1


def certifiable_target(n_reported: int, delta: float = 0.05) -> float:
    """The lowest CSMR target `n_reported` studies with no miss can certify: 1 - delta ** (1 / n)."""
    return 1.0 - delta ** (1.0 / n_reported) if n_reported > 0 else 1.0


@dataclass(frozen=True)
class CalibrationSizing:
    fractions: tuple[float, float, float]  # train, calibration, test
    reportable: int  # expected calibration studies without a high-significance finding
    needed: int  # reported studies the target needs
    target: float  # the target asked for, or the one this split can certify when the data do not allow it
    met: bool  # the split holds enough reportable studies for the target asked for


def calibration_sizing(*, target: float, n_studies: int, n_reportable: int, delta: float = 0.05,
                       fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
                       min_train: float = 0.5) -> CalibrationSizing:
    """Fractions whose calibration split holds the reported studies `target` needs, taken from train.

    `n_reportable` of the `n_studies` have no high-significance finding: at best, those are the studies a model
    reports. The test fraction is kept; train never drops below `min_train`. When the data do not allow the target,
    the calibration split is as large as allowed and `target` is the lowest one it can certify.
    """
    train, calibration, test = fractions
    needed = min_reported(target, delta)
    wanted = needed / n_reportable if n_reportable > 0 else 1.0
    largest = max(calibration, 1.0 - test - min_train)
    chosen = min(max(calibration, wanted), largest)
    sized = (round(1.0 - test - chosen, 4), round(chosen, 4), test)
    expected = int(n_reportable * chosen)
    met = expected >= needed
    return CalibrationSizing(sized, expected, needed, target if met else certifiable_target(expected, delta), met)
