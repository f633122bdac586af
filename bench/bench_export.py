"""Dataset export benchmark: export throughput in slices/s, and random slice reads from the published shards.

Each figure is printed beside a baseline measured in the same run on the same data:
  export    ingested DICOM -> published dataset (archive decode to HU, resample 512x512 -> 256x256 in-plane,
            shard write, SHA-256, manifest, verify, rename), one process, one torch thread (one worker per core)
            vs. plain `pydicom.dcmread(...).pixel_array` of the same stored files;
  reads     random single slices copied out of the memory-mapped shards on one core
            vs. the same random slices decoded from their DICOM files with pydicom.

Targets: export >= 400 slices/s per worker process; shard reads >= 20,000 slices/s on one core.
Data: a synthetic cohort (synth) at 512x512 ingested through the archive into a throw-away test
database (PostgreSQL when DATABASE_URL is set, else SQLite) and a temporary data folder.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate_datasets .venv/bin/python bench/bench_export.py
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=16)
    parser.add_argument("--slices", type=int, default=40)
    parser.add_argument("--size", type=int, default=512, help="acquired matrix")
    parser.add_argument("--out-size", type=int, default=256, help="exported matrix")
    parser.add_argument("--chunk-studies", type=int, default=4)
    parser.add_argument("--reads", type=int, default=100_000, help="random shard slice reads to time")
    parser.add_argument("--profile", action="store_true", help="print where the chunk phase spends its time")
    parser.add_argument("--workdir", default=None, help="where to write data, kept (default: a temporary folder)")
    return parser.parse_args()


def setup_django(workdir: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")
    os.environ["RADCURATE_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection


def make_archive(workdir: Path, args) -> list:
    from curation.models import Study
    from curation.services.archive import ingest_paths
    from synth.cohort import generate_cohort

    t0 = time.perf_counter()
    if not (workdir / "cohort" / "manifest.json").exists():  # a kept --workdir reuses its cohort
        generate_cohort(workdir / "cohort", studies=args.studies, seed=8, size=args.size, slices=args.slices,
                        broken_fraction=0.0, sagittal_images=1, workers=min(os.cpu_count() or 1, 4))
    t1 = time.perf_counter()
    summary = ingest_paths([workdir / "cohort" / "dicom"], source="cli")
    t2 = time.perf_counter()
    print(f"cohort: {args.studies} studies of {args.slices} slices at {args.size}x{args.size} generated in "
          f"{t1 - t0:.1f}s, ingested in {t2 - t1:.1f}s ({summary})")
    return list(Study.objects.select_related("patient").exclude(primary_series=None).order_by("study_uid"))


def stored_files(studies) -> list[Path]:
    from django.conf import settings

    from curation.selectors.archive import series_instances

    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [root / inst.storage_path for s in studies for inst in series_instances(s.primary_series)]


def bench_pydicom(paths: list[Path]) -> float:
    import pydicom

    t0 = time.perf_counter()
    for path in paths:
        pydicom.dcmread(path).pixel_array  # noqa: B018  (decoding is the point)
    return len(paths) / (time.perf_counter() - t0)


def bench_export(studies, workdir: Path, args) -> tuple[float, float, Path]:
    from curation.default_taxonomy import HIGH_CODES
    from datasets.export.chunks import write_chunk
    from datasets.export.plan import ExportSpec, Staging, plan_export
    from datasets.export.publish import publish_directory
    from datasets.export.records import StudyInput
    from datasets.export.splits import SplitPolicy
    from datasets.selectors.volumes import load_series_volume

    staging = Staging(workdir / "staging")
    final = workdir / "published"
    shutil.rmtree(staging.root, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    inputs = [StudyInput(s.study_uid, s.patient.pseudonym, str(s.primary_series_id)) for s in studies]
    spec = ExportSpec(name="bench", traits=(), policy=SplitPolicy(0, (0.7, 0.1, 0.2), HIGH_CODES),
                      size=(args.out_size, args.out_size), chunk_studies=args.chunk_studies)
    # A worker that has exported before has pyarrow's parquet writer loaded: keep that one-off cost out.
    plan_export(Staging(workdir / "warm"), spec, inputs[:1], [], [])
    shutil.rmtree(workdir / "warm")
    t0 = time.perf_counter()
    plan = plan_export(staging, spec, inputs, [], [])
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t1 = time.perf_counter()
    slices = sum(write_chunk(staging, i, load_series_volume)["n_slices"] for i in range(len(plan["chunks"])))
    t2 = time.perf_counter()
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    publish_directory(staging, final, version=1)
    t3 = time.perf_counter()
    print(f"export phases: plan {t1 - t0:.2f}s, chunks {t2 - t1:.2f}s, manifest+verify+publish {t3 - t2:.2f}s")
    return slices / (t3 - t0), slices / (t2 - t1), final


def bench_shard_reads(final: Path, n_reads: int) -> float:
    import numpy as np

    shards = [np.load(p, mmap_mode="r") for p in sorted((final / "volumes").glob("*.npy"))]
    index = [(k, i) for k, shard in enumerate(shards) for i in range(shard.shape[0])]
    rng = random.Random(0)
    picks = [index[rng.randrange(len(index))] for _ in range(n_reads)]
    out = np.empty(shards[0].shape[1:], dtype=np.int16)
    for k, i in index:  # warm the page cache and the mappings, as a training epoch after the first would
        out[...] = shards[k][i]
    t0 = time.perf_counter()
    for k, i in picks:
        out[...] = shards[k][i]
    return n_reads / (time.perf_counter() - t0)


def bench_dicom_reads(paths: list[Path], n_reads: int) -> float:
    import pydicom

    rng = random.Random(0)
    picks = [paths[rng.randrange(len(paths))] for _ in range(n_reads)]
    t0 = time.perf_counter()
    for path in picks:
        pydicom.dcmread(path).pixel_array  # noqa: B018
    return n_reads / (time.perf_counter() - t0)


def main():
    args = parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-export-"))
    import torch

    torch.set_num_threads(1)  # one worker process per core is how exports scale out
    shutil.rmtree(workdir / "data", ignore_errors=True)  # fresh storage for the fresh database
    connection = setup_django(workdir)
    try:
        studies = make_archive(workdir, args)
        paths = stored_files(studies)
        bench_pydicom(paths[:20])  # warm the page cache for both contenders
        decode = bench_pydicom(paths)
        total, chunks, final = bench_export(studies, workdir, args)
        print(f"export   {total:8.0f} slices/s end to end ({chunks:.0f} slices/s in the chunk phase), "
              f"{args.size}->{args.out_size}, {len(paths)} slices   target >= 400")
        print(f"baseline {decode:8.0f} slices/s plain pydicom decode of the same files   "
              f"ratio export/decode {total / decode:.2f}")
        reads = bench_shard_reads(final, args.reads)
        dicom_reads = bench_dicom_reads(paths, min(args.reads, 2000))
        print(f"reads    {reads:8.0f} random slices/s from memory-mapped shards (one core)   target >= 20000")
        print(f"baseline {dicom_reads:8.0f} random slices/s decoded from DICOM with pydicom   "
              f"ratio {reads / dicom_reads:.0f}x")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
