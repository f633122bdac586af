"""Agreement statistics of a whole campaign without the database, at 10% and 100% of the paper's size: the table's
statistics (Cohen pairs, Fleiss, Krippendorff, Gwet, with bootstrap CIs) for 35 traits and 16 groups of them.

    .venv/bin/python bench/bench_agreement_scale.py --studies 3000 30000 --n-boot 1000

Campaigns are shaped like the scale fixture's (frontend/scale/campaign.py): 50 readers, three reads per study (reader
i, i + 17, i + 34), a hidden truth per trait at prevalences from 0.1% to 20%, 1% reader error. Prints per size the
seconds for the traits and for the groups, and the ratio to the first size (the baseline of this run): 1 per 10x
studies is flat, 10 is linear. The database side (reading the labels) is measured by bench_scale.py.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation.stats.agreement import Slots, agreement  # noqa: E402
from annotation.stats.bootstrap import Resampler  # noqa: E402

READERS, SPREAD, TRAITS = 50, 17, 35
GROUP_SIZES = [3, 5, 7, 2, 9, 4, 6, 3, 8, 5, 2, 10]


def campaign(n_studies: int, seed: int = 0) -> list[Slots]:
    rng = np.random.default_rng(seed)
    study = np.arange(n_studies)
    readers = np.sort(np.stack([(study + r * SPREAD) % READERS for r in range(3)], axis=1), axis=1)
    out = []
    for prevalence in rng.uniform(0.001, 0.2, TRAITS):
        truth = rng.random(n_studies) < prevalence
        called = np.where(rng.random((n_studies, 3)) < 0.01, ~truth[:, None], truth[:, None])
        out.append(Slots(np.where(called, 0, 1).astype(np.int8), readers, READERS))  # 0 present, 1 absent
    return out


def groups() -> list[list[int]]:
    starts = np.cumsum([0, *GROUP_SIZES])[:-1] % TRAITS
    spans = [[(s + i) % TRAITS for i in range(k)] for s, k in zip(starts, GROUP_SIZES, strict=True)]
    return [*spans, list(range(4)), list(range(4, 16)), list(range(16, 35)), list(range(35))]


def measure(n_studies: int, n_boot: int) -> tuple[float, float]:
    slots, clusters = campaign(n_studies), np.arange(n_studies)
    resampler = Resampler(n_boot, 0)
    t0 = time.perf_counter()
    for trait in slots:
        agreement(trait, clusters, n_categories=3, n_boot=n_boot, resampler=resampler)
    t1 = time.perf_counter()
    for members in groups():
        stacked = Slots(np.vstack([slots[i].codes for i in members]), np.vstack([slots[i].readers for i in members]),
                        READERS)
        agreement(stacked, np.tile(clusters, len(members)), n_categories=3, n_boot=n_boot, resampler=resampler)
    return t1 - t0, time.perf_counter() - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, nargs="+", default=[3000, 30000])
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()
    print(f"{args.n_boot} bootstrap replicates; load average at start {os.getloadavg()[0]:.1f}")
    base = None
    for n in args.studies:
        traits, group_s = measure(n, args.n_boot)
        base = base or traits + group_s
        print(f"{n:>7,} studies: traits {traits:6.1f} s, groups {group_s:6.1f} s, total {traits + group_s:6.1f} s"
              f"  (x{(traits + group_s) / base:.1f} the first size)", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
