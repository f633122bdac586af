"""The export plan: a snapshot of the inputs, the splits and the chunks, written once into the staging area.

A staging area holds `data/` (what will be published) and `control/` (the plan and one completion marker
per chunk). Everything after planning reads the snapshot, never the live database, so a resumed export
writes exactly what the first attempt would have.
"""

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import tables
from .records import SPLITS, LabelInput, ReadInput, StudyInput
from .splits import SplitPolicy, assign_splits

PLAN = "plan.json"


class PlanError(ValueError):
    """The inputs cannot make a dataset; the message says which and why."""


@dataclass(frozen=True)
class ExportSpec:
    """What determines a dataset's content, apart from the studies, labels and reads themselves."""

    name: str
    traits: tuple[dict, ...]  # {"code", "name", "significance", "parent", "prevalence"} in column order
    policy: SplitPolicy
    size: tuple[int, int] = (256, 256)
    chunk_studies: int = 16
    provenance: dict = field(default_factory=dict)
    agreement: dict = field(default_factory=dict)
    limitations: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out = asdict(self)
        out["policy"] = {"seed": self.policy.seed, "fractions": list(self.policy.fractions),
                         "stratify_on": list(self.policy.stratify_on)}
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "ExportSpec":
        policy = data["policy"]
        return cls(**{**data, "traits": tuple(data["traits"]), "size": tuple(data["size"]),
                      "limitations": tuple(data["limitations"]),
                      "policy": SplitPolicy(policy["seed"], tuple(policy["fractions"]), tuple(policy["stratify_on"]))})


@dataclass(frozen=True)
class Staging:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def control(self) -> Path:
        return self.root / "control"

    def marker(self, index: int) -> Path:
        return self.control / f"chunk-{index:05d}.json"

    def shard(self, index: int) -> str:
        return f"volumes/shard-{index:05d}.npy"

    def read_plan(self) -> dict:
        return json.loads((self.control / PLAN).read_text())

    @property
    def planned(self) -> bool:
        return (self.control / PLAN).is_file()


def write_json_atomic(path: Path, payload: dict) -> None:
    """Write to a temporary name, fsync, then rename: a reader sees the old file or the whole new one."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w") as handle:
        json.dump(payload, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _check_inputs(studies: list[StudyInput], labels: list[LabelInput], traits: set[str]) -> None:
    if not studies:
        raise PlanError("no studies: the campaigns or filters select nothing with consensus labels")
    seen: dict[str, str] = {}
    for study in studies:
        if study.study_id in seen:
            raise PlanError(f"study {study.study_id}: listed twice")
        seen[study.study_id] = study.patient_id
    for label in labels:
        if label.study_id not in seen:
            raise PlanError(f"label for study {label.study_id}, trait {label.trait}: study not in the export")
        if label.trait not in traits:
            raise PlanError(f"label for study {label.study_id}: trait {label.trait} is not one of the dataset's traits")


def plan_export(
    staging: Staging,
    spec: ExportSpec,
    studies: Iterable[StudyInput],
    labels: Iterable[LabelInput],
    reads: Iterable[ReadInput],
    previous_splits: dict[str, str] | None = None,
) -> dict:
    """Snapshot the inputs into `staging` and cut the studies into chunks; returns the plan."""
    studies = sorted(studies, key=lambda s: s.study_id)
    labels, reads = list(labels), list(reads)
    _check_inputs(studies, labels, {t["code"] for t in spec.traits})
    positives: dict[str, set[str]] = {}
    for label in labels:
        if label.label == 1:
            positives.setdefault(label.study_id, set()).add(label.trait)
    splits = assign_splits(studies, positives, spec.policy, previous_splits)
    # Studies are stored split by split, so a split's volumes sit together on disk.
    ordered = sorted(studies, key=lambda s: (SPLITS.index(splits[s.study_id]), s.study_id))
    entries = [{**asdict(s), "split": splits[s.study_id]} for s in ordered]
    chunks = [entries[i:i + spec.chunk_studies] for i in range(0, len(entries), spec.chunk_studies)]
    staging.control.mkdir(parents=True, exist_ok=True)
    (staging.data / "volumes").mkdir(parents=True, exist_ok=True)
    tables.write_labels(labels, staging.control / "labels.parquet")
    tables.write_reads(reads, staging.control / "reads.parquet")
    plan = {"spec": spec.as_dict(), "chunks": chunks}
    write_json_atomic(staging.control / PLAN, plan)
    return plan

