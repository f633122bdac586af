"""`manage.py export_dataset`: define a new dataset version and export it, or resume one that stopped."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from curation.models import Taxonomy
from datasets.models import ConsensusMethod, DatasetVersion
from datasets.services.export import dataset_export_run, dataset_export_start
from datasets.services.versions import dataset_version_create


class Command(BaseCommand):
    help = ("Export a new version of a dataset from annotation campaigns (or --resume an unfinished one). "
            "Runs in this process by default; --queue hands the chunks to Celery workers.")

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Dataset name (a slug); the next version number is taken.")
        parser.add_argument("--campaign", type=int, action="append", default=[], help="Campaign id (repeatable).")
        parser.add_argument("--taxonomy", type=int, help="Taxonomy id (default: the campaigns' taxonomy).")
        parser.add_argument("--method", choices=ConsensusMethod.values, default=ConsensusMethod.MAJORITY)
        parser.add_argument("--traits", default="", help="Comma-separated trait codes (default: all).")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--fractions", default="0.7,0.1,0.2", help="train,calibration,test")
        parser.add_argument("--size", type=int, default=256, help="In-plane matrix size (square).")
        parser.add_argument("--chunk-studies", type=int, default=16)
        parser.add_argument("--user", default="", help="Username recorded as the creator.")
        parser.add_argument("--resume", type=int, help="Id of a building or failed version to finish.")
        parser.add_argument("--queue", action="store_true", help="Queue on Celery workers and return.")
        parser.add_argument("--max-chunks", type=int, help="Stop after this many chunks (resume later).")

    def handle(self, *args, **opts):
        try:
            version = self._version(opts)
            if opts["queue"]:
                job = dataset_export_start(version=version, user=version.created_by, supersede=bool(opts["resume"]))
                self.stdout.write(f"queued export job {job.pk} for {version.name} v{version.version}")
                return
            job = dataset_export_run(version=version, user=version.created_by, max_chunks=opts["max_chunks"],
                                     progress=self._progress, supersede=bool(opts["resume"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        version.refresh_from_db()
        if version.is_published:
            self.stdout.write(f"published {version.name} v{version.version}: {version.n_studies} studies, "
                              f"{version.n_slices} slices, content hash {version.content_hash}")
        else:
            self.stdout.write(f"{version.name} v{version.version} (id {version.pk}) is {version.status}: "
                              f"{job.message}; resume with --resume {version.pk}")

    def _progress(self, job):
        self.stdout.write(f"  chunk {job.chunks_done}/{job.chunks_total}")

    def _version(self, opts) -> DatasetVersion:
        if opts["resume"]:
            version = DatasetVersion.objects.filter(pk=opts["resume"]).first()
            if version is None:
                raise CommandError(f"--resume {opts['resume']}: no such dataset version")
            return version
        if not opts["name"] or not opts["campaign"]:
            raise CommandError("give --name and at least one --campaign (or --resume ID)")
        return dataset_version_create(
            name=opts["name"], taxonomy=self._taxonomy(opts), campaign_ids=opts["campaign"],
            created_by=get_user_model().objects.filter(username=opts["user"]).first() if opts["user"] else None,
            consensus_method=opts["method"], traits=[t for t in opts["traits"].split(",") if t],
            split_seed=opts["seed"], split_fractions=self._fractions(opts["fractions"]),
            image_size=(opts["size"], opts["size"]), chunk_studies=opts["chunk_studies"],
        )

    @staticmethod
    def _fractions(text: str) -> list[float]:
        try:
            return [float(x) for x in text.split(",")]
        except ValueError:
            raise CommandError(f"--fractions {text!r}: expected three numbers like 0.7,0.1,0.2") from None

    @staticmethod
    def _taxonomy(opts) -> Taxonomy:
        from annotation.models import Campaign

        if opts["taxonomy"]:
            return Taxonomy.objects.get(pk=opts["taxonomy"])
        campaign = Campaign.objects.filter(pk=opts["campaign"][0]).select_related("taxonomy").first()
        if campaign is None:
            raise CommandError(f"--campaign {opts['campaign'][0]}: no such campaign")
        return campaign.taxonomy
