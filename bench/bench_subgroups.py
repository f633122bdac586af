"""Does the subgroup evaluation find the site the synthetic cohort made weaker on purpose?

    python bench/bench_subgroups.py                        # 400 studies at 64x64x16, half with a hemorrhage
    python bench/bench_subgroups.py --studies 1000 --size 128

The cohort's five sites differ in scanner noise, reconstruction kernel and slice thickness (docs/synthetic-cohort.md,
"Sites"); the documented expectation is that the low-dose, sharp-kernel, thin-slice emergency site (FVE) is where
findings are hardest to see. Studies are rendered in memory (no files) with intracranial hemorrhage enriched; each
is scored by the count of its soft-tissue voxels in the acute-blood range (synth/site_check.py), a detector with no
training that noise hurts. Scores go through training's own evaluation (`build_report`: every fourth study
calibration, the rest test), which prints AUROC with its patient-bootstrap 95% interval and the operating point's
CSMR with its bound:
1. the cohort as archived (each study on its own site's scanner), per site, scanner, slice-thickness band and age
   band, beside the same score on each head before scanner noise (the baseline, same studies): here sites also differ
   in case mix, so small cohorts can hide the scanner's effect;
2. the same heads through every site's scanner (the study's own noise draw, each scanner's level and kernel): only the
   scanner differs, so this is where the expected weakest site must show.
Needs numpy, scipy, pandas, matplotlib (run from the repository root). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from curation.dicom.age_band import band_of_years  # noqa: E402
from synth.patients import SITES  # noqa: E402
from synth.site_check import ICH, site_scores  # noqa: E402
from synth.study import CohortParams  # noqa: E402
from training.config import EvalConfig  # noqa: E402
from training.report import build_report  # noqa: E402
from training.subgroups import thickness_band  # noqa: E402

EXPECTED_WORST = "FVE"


def evaluate(rows, values: np.ndarray, *, n_bootstrap: int, target: float) -> dict:
    """training's report for one score per study: ICH the only (high-significance) trait."""
    n = len(rows)
    probs = (values / (values.max() + 1.0))[:, None]
    labels = np.array([[float(r.ich)] for r in rows])
    splits = np.where(np.arange(n) % 4 == 0, "calibration", "test")
    groups = {"site": np.array([r.site for r in rows]), "scanner": np.array([r.scanner for r in rows]),
              "slice_thickness": np.array([thickness_band(r.slice_mm) for r in rows]),
              "age_band": np.array([band_of_years(r.age_days / 365.25) for r in rows])}
    return build_report(codes=[ICH], high=[0], patients=np.array([f"p{r.index}" for r in rows]), splits=splits,
                        probs=probs, labels=labels, groups=groups,
                        cfg=EvalConfig(n_bootstrap=n_bootstrap, target_csmr=target, n_thresholds=50))


def _auroc(t: dict) -> str:
    if t.get("too_small") or t["auroc"] is None:
        return f"too few (n+={t['n_positive']})".ljust(22)
    return f"{t['auroc']:.3f} [{t['auroc_lo']:.3f}, {t['auroc_hi']:.3f}]"


def _csmr(point: dict) -> str:
    if not point["reported"]:
        return "none reported (all referred)"
    return f"{point['csmr']:.1%} (<= {point['csmr_upper']:.1%}) on {point['reported']}"


def print_expectation() -> None:
    print("the cohort's sites (docs/synthetic-cohort.md): expected weakest", EXPECTED_WORST)
    print(f"  {'site':5} {'scanner':38} {'kernel':9} {'slice mm':>8} {'noise x':>8}")
    for s in SITES:
        print(f"  {s.code:5} {s.manufacturer + ' ' + s.model:38} {s.kernel:9} {s.slice_mm:8g} {s.noise_factor:8.2f}")


def print_subgroups(scanned: dict, noiseless: dict) -> None:
    base = {(r["attribute"], r["group"]): r for r in noiseless["subgroups"]}
    print(f"\n{'subgroup':42} {'n':>4} {'n+':>4}  {'AUROC, scanner pixels':24} {'CSMR (95% bound), reported':30}"
          f"  {'AUROC, before noise (baseline)':24}")
    whole = scanned["traits"][0], noiseless["traits"][0]
    print(f"{'all test studies':42} {whole[0]['n']:4} {whole[0]['n_positive']:4}  {_auroc(whole[0]):24} "
          f"{_csmr(scanned['operating_point']['test']):30}  {_auroc(whole[1])}")
    for row in scanned["subgroups"]:
        t, b = row["traits"][0], base[(row["attribute"], row["group"])]["traits"][0]
        print(f"{row['attribute'] + ': ' + row['group']:42} {row['n']:4} {t['n_positive']:4}  {_auroc(t):24} "
              f"{_csmr(row['operating_point']):30}  {_auroc(b)}")


def print_paired(rows, *, n_bootstrap: int, target: float) -> tuple[str, float]:
    """The same heads through each site's scanner; returns the weakest scanner's site and AUROC."""
    print(f"\nthe same {len(rows)} heads through each site's scanner (test split):")
    print(f"  {'site':5} {'scanner':38} {'AUROC':24} {'CSMR (95% bound), reported':30}")
    figures = {}
    for s in SITES:
        report = evaluate(rows, np.array([r.by_scanner[s.code] for r in rows]), n_bootstrap=n_bootstrap, target=target)
        figures[s.code] = report["traits"][0]["auroc"]
        print(f"  {s.code:5} {s.manufacturer + ' ' + s.model:38} {_auroc(report['traits'][0]):24} "
              f"{_csmr(report['operating_point']['test']):30}")
    site = min(figures, key=figures.get)
    return site, figures[site]


def worst_site(report: dict) -> tuple[str, float]:
    sites = [(r["traits"][0]["auroc"], r["group"]) for r in report["subgroups"]
             if r["attribute"] == "site" and r["traits"][0]["auroc"] is not None]
    auroc, site = min(sites)
    return site, auroc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=400)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--slices", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ich", type=float, default=0.5, help="fraction of studies with a hemorrhage forced in")
    parser.add_argument("--bootstrap", type=int, default=1000)
    # Half the studies bleed: a loose target is what a 100-study calibration split can certify for this detector
    parser.add_argument("--target", type=float, default=0.25, help="CSMR target of the operating point")
    args = parser.parse_args(argv)
    params = CohortParams(seed=args.seed, size=args.size, slices=args.slices, enrich={ICH: args.ich})
    print_expectation()
    start, cpu = time.perf_counter(), time.process_time()
    rows = list(site_scores(params, args.studies))
    print(f"\nrendered {len(rows)} studies at {args.size}x{args.size}x{args.slices} in "
          f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
          f"{sum(r.ich for r in rows)} with a hemorrhage")
    scanned = evaluate(rows, np.array([r.score for r in rows]), n_bootstrap=args.bootstrap, target=args.target)
    noiseless = evaluate(rows, np.array([r.noiseless for r in rows]), n_bootstrap=args.bootstrap, target=args.target)
    print_subgroups(scanned, noiseless)
    paired_site, paired_auroc = print_paired(rows, n_bootstrap=args.bootstrap, target=args.target)
    site, auroc = worst_site(scanned)
    base_site, base_auroc = worst_site(noiseless)
    print(f"\nexpected weakest: {EXPECTED_WORST}")
    for what, (found, value) in (("same heads, each site's scanner", (paired_site, paired_auroc)),
                                 ("the cohort as archived, per site", (site, auroc)),
                                 ("the cohort before scanner noise (baseline)", (base_site, base_auroc))):
        print(f"  {what:44} weakest {found} (AUROC {value:.3f})"
              + ("" if "baseline" in what else f": {'found' if found == EXPECTED_WORST else 'NOT found'}"))


if __name__ == "__main__":
    main()
