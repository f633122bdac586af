"""Training configuration: typed defaults, loaded from a JSON or TOML file and `key=value` overrides."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DataConfig:
    image_size: int = 256  # resampled on the device; the shards keep the export's size
    neighbours: int = 1  # 2.5D: slices on each side of the centre slice (0 = plain 2D)
    max_slices: int = 32  # slices per study per step (stride-sampled, order kept)
    eval_max_slices: int = 0  # slices per study when scoring (calibration, predict); 0 = every slice
    num_workers: int = 2
    pin_memory: bool = True


@dataclass
class WindowConfig:
    # (level, width) in HU: brain, subdural, bone by default
    windows: list[list[float]] = field(default_factory=lambda: [[40.0, 80.0], [75.0, 215.0], [600.0, 2800.0]])


@dataclass
class AugmentConfig:
    rotation_deg: float = 10.0  # head position on the table varies by a few degrees
    scale: list[float] = field(default_factory=lambda: [0.9, 1.1])  # head size
    mirror_p: float = 0.5  # left-right flip: findings occur on either side
    enabled: bool = True


@dataclass
class ModelConfig:
    name: str = "inception"
    aggregation: str = "max"  # max | topk | gru
    topk: int = 4
    gru_hidden: int = 128
    dropout: float = 0.2
    width: float = 1.0  # channel multiplier for the Inception net
    pool: str = "avg"  # global pooling of the Inception net: avg (GoogLeNet) | max


@dataclass
class LossConfig:
    kind: str = "bce"  # bce | focal
    focal_gamma: float = 2.0
    class_weight_power: float = 0.5  # pos_weight = ((1-p)/p) ** power, from prevalence
    class_weight_max: float = 50.0
    slice_weight: float = 0.5  # weight of the slice-level term where readers marked slice ranges
    # per-trait weight by clinical significance: what selective reporting certifies is the high traits' miss rate
    significance_weight: dict[str, float] = field(default_factory=lambda: {"high": 1.0, "moderate": 1.0, "low": 1.0})


@dataclass
class OptimConfig:
    name: str = "adamw"  # adamw | sgd
    lr: float = 1e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    schedule: str = "cosine"  # cosine | step | none
    step_size: int = 10
    gamma: float = 0.1
    warmup_epochs: int = 0


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 8  # studies per step per process
    members: int = 5  # ensemble members; each differs in seed and data order
    member_models: list[str] = field(default_factory=list)  # optional per-member architecture names
    seed: int = 0
    patience: int = 5  # early stopping on the selection split (evaluations without improvement)
    # Where each member's epoch is chosen (and early stopping decided): "holdout", a patient-level share of train
    # (holdout_fraction), keeps the calibration split's labels unseen until they certify the operating point;
    # "calibration" scores the calibration split itself, as runs before this setting did (the certificate then
    # leans on labels an epoch was chosen by)
    select_on: str = "holdout"
    holdout_fraction: float = 0.15
    eval_every: int = 1  # epochs between calibration evaluations (checkpoint choice, early stopping); the last always
    select_min_cases: int = 10  # a trait counts in the calibration AUROC with this many positives and negatives
    select_by: str = "score"  # which epoch is kept: score (calibration AUROC, see select_min_cases) | loss
    device: str = "auto"  # auto | cpu | cuda
    amp: bool = True  # bf16 autocast on CUDA
    channels_last: bool = True
    compile: bool = False
    max_steps_per_epoch: int = 0  # 0 = whole epoch; small values for smoke tests
    cpu_threads: int = 0  # torch threads on CPU; 0 = torch's default. 1 on a shared box: idle OpenMP threads spin
    member_processes: int = 1  # CPU only: ensemble members trained side by side, one process each


@dataclass
class EvalConfig:
    target_csmr: float = 0.01  # certify CSMR below this on the calibration split
    # more CSMR targets certified beside target_csmr, for a calibration split whose misses cannot be foreseen: each
    # target gets its own fixed sequence at an even share of delta (Bonferroni), so all certificates hold at once at
    # 1 - delta; the headline is the lowest target certified
    ladder: list[float] = field(default_factory=list)
    delta: float = 0.05  # one-sided: 95% confidence
    coverages: list[float] = field(default_factory=lambda: [0.421, 0.085])  # the paper's two operating points
    specificities: list[float] = field(default_factory=lambda: [0.9, 0.95])
    n_bootstrap: int = 2000
    n_thresholds: int = 200  # fixed-sequence candidate grid
    # the fixed sequence starts at the first threshold reporting this many calibration studies (at least the
    # zero-miss minimum); chosen before the labels are seen (metrics.certify_operating_point)
    start_reported: int = 0
    reference_csmr: float = 0.0083  # radiologists' figure quoted by the paper
    seed: int = 0

    def targets(self) -> list[float]:
        """Every CSMR target to certify, lowest first."""
        return sorted({float(self.target_csmr), *(float(t) for t in self.ladder)})


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ConfigError(ValueError):
    """A config file or override names an unknown key or a value of the wrong type."""


def _merge(obj: Any, values: dict[str, Any], where: str) -> None:
    fields = {f.name: f for f in dataclasses.fields(obj)}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(fields))})")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}.{key}: expected a table, got {value!r}")
            _merge(current, value, f"{where}.{key}")
        else:
            setattr(obj, key, _coerce(current, value, f"{where}.{key}"))


def _coerce(current: Any, value: Any, where: str) -> Any:
    if isinstance(current, bool):
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true/false, got {value!r}")
        return value
    try:
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, (list, dict)) and isinstance(value, str):
            return json.loads(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: cannot use {value!r} ({exc})") from None
    return value


def config_from_dict(values: dict[str, Any], where: str = "config") -> Config:
    cfg = Config()
    _merge(cfg, values, where)
    return cfg


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                base: dict[str, Any] | None = None) -> Config:
    """Defaults, then `base` (a preset), then the file, then `section.key=value` overrides."""
    cfg = Config()
    if base:
        _merge(cfg, base, "preset")
    if path is not None:
        path = Path(path)
        text = path.read_text()
        if path.suffix == ".toml":
            try:
                values = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: {exc}") from None
        else:
            try:
                values = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}: line {exc.lineno}: {exc.msg}") from None
        _merge(cfg, values, str(path))
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected section.key=value")
        dotted, value = item.split("=", 1)
        *sections, key = dotted.split(".")
        nested: dict[str, Any] = {key: value}
        for section in reversed(sections):
            nested = {section: nested}
        _merge(cfg, nested, f"override {dotted}")
    return cfg
