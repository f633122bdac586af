"""`manage.py simulate_active_learning`: does active learning beat random ordering on the synthetic cohort?"""

from pathlib import Path

from django.core.management.base import BaseCommand

from datasets.active_learning.simulation import STRATEGY_WEIGHTS, SimulationConfig, plot, simulate


class Command(BaseCommand):
    help = "Learning curves per priority strategy against random ordering; writes summary.json and a figure."

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=Path, required=True, help="a synth_cohort output directory")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--strategies", nargs="+", default=list(STRATEGY_WEIGHTS), choices=list(STRATEGY_WEIGHTS))
        parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
        parser.add_argument("--rounds", type=int, default=4)
        parser.add_argument("--seed-size", type=int, default=24)
        parser.add_argument("--batch-size", type=int, default=24)
        parser.add_argument("--figure", type=Path, help="PNG path (default OUT/active-learning.png)")

    def handle(self, *args, cohort, out, strategies, seeds, rounds, seed_size, batch_size, figure, **options):
        cfg = SimulationConfig(cohort_dir=cohort, work_dir=out, strategies=strategies, seeds=seeds, rounds=rounds,
                               seed_size=seed_size, batch_size=batch_size)
        summary = simulate(cfg, log=self.stdout.write)
        path = plot(summary, figure or out / "active-learning.png")
        self.stdout.write(f"random ordering's final test AUROC: high-significance traits "
                          f"{summary['random_final_high_auroc']}, hemorrhage {summary['random_final_ich_auroc']}")
        for strategy, data in sorted(summary["strategies"].items()):
            self.stdout.write(f"{strategy:16} labels to reach them: {data['labels_to_reach_random_final']}, "
                              f"{data['labels_to_reach_random_final_ich']}")
        self.stdout.write(f"figure: {path}")
