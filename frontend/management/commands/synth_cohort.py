"""`manage.py synth_cohort`: write a synthetic head-CT cohort (DICOM, reports, ground truth, manifest)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from synth.cohort import generate_cohort
from synth.prevalence import parse_enrich
from synth.preview import write_preview


class Command(BaseCommand):
    help = "Generate a deterministic synthetic cohort of head-CT studies with reports and ground truth."

    def add_arguments(self, parser):
        parser.add_argument("--studies", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True, help="output folder (dicom/, reports.csv, ground_truth.jsonl, ...)")
        parser.add_argument("--size", type=int, default=256, help="axial matrix (pixels)")
        parser.add_argument("--slices", type=int, default=32, help="axial slices, skull base to vertex")
        parser.add_argument("--enrich", nargs="*", metavar="TRAIT=FRACTION", help="raise traits to a fraction of studies")
        parser.add_argument("--report-error-rate", type=float, default=0.05)
        parser.add_argument("--broken-fraction", type=float, default=0.03)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--overwrite", action="store_true", help="replace a cohort already in --out")
        parser.add_argument("--preview", metavar="PNG", help="also write a contact sheet of every rendered trait")

    def handle(self, *args, **opts):
        try:
            enrich = parse_enrich(opts["enrich"])
            with tqdm(total=opts["studies"], unit="study", disable=opts["verbosity"] == 0) as bar:
                manifest = generate_cohort(
                    opts["out"], studies=opts["studies"], seed=opts["seed"], size=opts["size"], slices=opts["slices"],
                    enrich=enrich, report_error_rate=opts["report_error_rate"],
                    broken_fraction=opts["broken_fraction"], workers=opts["workers"], overwrite=opts["overwrite"],
                    progress=bar.update,
                )
            if opts["preview"]:
                write_preview(opts["preview"], seed=opts["seed"], size=opts["size"], slices=opts["slices"])
        except (ValueError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest["counts"]
        self.stdout.write(f"{counts['studies']} studies, {counts['patients']} patients, "
                          f"{len(manifest['files'])} files written to {opts['out']}")
