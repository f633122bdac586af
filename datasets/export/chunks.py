"""One chunk of an export: decode, resample and write its studies into one shard, then mark it done.

Chunks are independent, so any number of workers can run them at once on shared storage. A chunk is
done when its marker exists (written last, atomically); running a done chunk again is a no-op, and a
chunk interrupted half way leaves only a `.partial` file that the next attempt overwrites.
"""

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict

from .manifest import file_sha256
from .plan import Staging, write_json_atomic
from .records import StudyPlacement, Volume
from .shards import ShardWriter
from .volumes import resample_volume

LoadVolume = Callable[[str], Volume]


def chunk_done(staging: Staging, index: int) -> dict | None:
    """The chunk's completion record when it is done and its shard is in place with the recorded size."""
    marker = staging.marker(index)
    if not marker.is_file():
        return None
    record = json.loads(marker.read_text())
    shard = staging.data / record["shard"]
    if not shard.is_file() or shard.stat().st_size != record["bytes"]:
        return None
    return record


def _load(load_volume: LoadVolume, entry: dict) -> tuple[Volume | None, str | None]:
    # A study whose pixels are unusable (ValueError from the loader) is excluded with its reason; any
    # other error (storage down, worker killed) fails the chunk so that a retry can finish it.
    try:
        return load_volume(entry["volume_ref"]), None
    except ValueError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def write_chunk(staging: Staging, index: int, load_volume: LoadVolume) -> dict:
    """Write chunk `index` of the plan (skipped when already done); returns its completion record."""
    done = chunk_done(staging, index)
    if done is not None:
        return {**done, "skipped": True}
    plan = staging.read_plan()
    size = tuple(plan["spec"]["size"])
    relative = staging.shard(index)
    # A unique name per attempt: a redelivered task may run beside a slow first attempt of the same chunk.
    partial = staging.data / f"{relative}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    placements, excluded = [], []
    with ShardWriter(partial, size) as writer:
        for entry in plan["chunks"][index]:
            volume, reason = _load(load_volume, entry)
            if volume is None:
                excluded.append({"study_id": entry["study_id"], "reason": reason})
                continue
            out = resample_volume(volume, size)
            offset = writer.append(out.hu, study_id=entry["study_id"])
            placements.append(StudyPlacement(entry["study_id"], relative, offset, int(out.hu.shape[0]),
                                             float(out.pixel_spacing_mm[0]), float(out.slice_thickness_mm)))
        n_slices = writer.close()
    final = staging.data / relative
    os.replace(partial, final)
    record = {"index": index, "shard": relative, "bytes": final.stat().st_size, "sha256": file_sha256(final),
              "n_slices": n_slices, "placements": [asdict(p) for p in placements], "excluded": excluded}
    write_json_atomic(staging.marker(index), record)
    return {**record, "skipped": False}
