"""Zip bomb handling: time and peak Python memory to refuse a bomb with `core.archives`, beside the baseline of
inflating its member the unbounded way (`ZipFile.read`, what ingest and model-run import did), in the same run.

    .venv/bin/python bench/bench_zip_limits.py [--mb 200]
"""

import argparse
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.archives import ArchiveRefused, ZipLimits, check_zip, read_member  # noqa: E402
from tests.zip_bombs import lying_zip, zip_bomb  # noqa: E402

LIMITS = ZipLimits(max_member_bytes=1 << 30, max_total_bytes=20 << 30, max_members=100_000, max_ratio=200)


def measure(label: str, work) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    outcome = work()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<44} {seconds:8.3f} s  peak {peak / 2**20:9.1f} MiB  {outcome}")


def refuse(path: Path):
    def work():
        with zipfile.ZipFile(path) as zf:
            try:
                for info in check_zip(zf, LIMITS, label=path.name):
                    read_member(zf, info, LIMITS, label=path.name)
            except ArchiveRefused as exc:
                return f"refused ({exc.limit or 'damaged'})"
        return "accepted"

    return work


def unbounded(path: Path):
    def work():
        with zipfile.ZipFile(path) as zf:
            try:
                return f"read {sum(len(zf.read(i)) for i in zf.infolist()):,} bytes"
            except zipfile.BadZipFile as exc:
                return f"failed after inflating ({exc})"

    return work


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200, help="size of the zero member (MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bomb = zip_bomb(Path(tmp) / "bomb.zip", size=args.mb << 20)
        liar = lying_zip(Path(tmp) / "liar.zip", size=args.mb << 20, declared=1000)
        print(f"bomb: {args.mb} MB of zeros in a {bomb.stat().st_size:,}-byte zip")
        measure("baseline: ZipFile.read (unbounded)", unbounded(bomb))
        measure("core.archives: check_zip + read_member", refuse(bomb))
        measure("liar, baseline: ZipFile.read", unbounded(liar))
        measure("liar, core.archives", refuse(liar))


if __name__ == "__main__":
    main()
