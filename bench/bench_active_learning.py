"""Active learning against random ordering: learning curves on the synthetic cohort, and labels saved.

    .venv/bin/python bench/bench_active_learning.py                       # 240 studies, 3 strategies, 2 seeds
    .venv/bin/python bench/bench_active_learning.py --studies 120 --rounds 3 --strategies random combined

Random ordering is the baseline measured in the same run, on the same pool, seeds and test split. For
each strategy it prints the seed-averaged test AUROC of the high-significance traits and the certified
coverage per round, and how many labels the strategy needed to reach random's final AUROC. The figure
goes to docs/active-learning.png.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets.active_learning.simulation import STRATEGY_WEIGHTS, SimulationConfig, plot, simulate  # noqa: E402
from synth.cohort import generate_cohort  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=240)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--slices", type=int, default=12)
    parser.add_argument("--strategies", nargs="+", default=["random", "uncertainty", "combined"],
                        choices=list(STRATEGY_WEIGHTS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed-size", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=24)
    parser.add_argument("--figure", type=Path, default=ROOT / "docs" / "active-learning.png")
    args = parser.parse_args()
    if "random" not in args.strategies:
        args.strategies.insert(0, "random")  # the baseline is always measured

    with tempfile.TemporaryDirectory(prefix="radcurate-al-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        generate_cohort(tmp / "cohort", studies=args.studies, seed=7, size=args.size, slices=args.slices,
                        broken_fraction=0.0, workers=2,
                        enrich={"intracranial_hemorrhage": 0.3, "intracranial_mass": 0.1, "acute_infarct": 0.1})
        cfg = SimulationConfig(cohort_dir=tmp / "cohort", work_dir=tmp / "sim", strategies=args.strategies,
                               seeds=args.seeds, rounds=args.rounds, seed_size=args.seed_size,
                               batch_size=args.batch_size)
        summary = simulate(cfg)
        elapsed = time.perf_counter() - started
    plot(summary, args.figure)
    print()
    for metric, name in (("high_auroc", "high-significance traits (mean)"), ("ich_auroc", "intracranial hemorrhage")):
        key = "labels_to_reach_random_final" + ("_ich" if metric == "ich_auroc" else "")
        print(f"\ntest AUROC, {name} / certified coverage; random's final {summary['random_final_' + metric]:.3f}")
        print(f"{'strategy':16} " + " ".join(f"{'n=' + str(p['labeled']):>14}" for p in
                                              summary["strategies"]["random"]["curve"]) + "   labels to reach random")
        for strategy, data in sorted(summary["strategies"].items(), key=lambda kv: kv[0] != "random"):
            cells = " ".join(f"{p[metric]:.3f}/{p['coverage']:.0%}".rjust(14) for p in data["curve"])
            print(f"{strategy:16} {cells}   {data[key]}")
    print(f"({len(args.seeds)} seeds; {elapsed:.0f} s)")
    print(f"figure: {args.figure}")
    print(json.dumps({k: v for k, v in summary.items() if k != "points"}, default=str)[:2000])


if __name__ == "__main__":
    main()
