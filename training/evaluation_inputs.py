"""Reads evaluation inputs given as CSV files (any model's predictions, any labels): docs/evaluation-inputs.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class InputError(ValueError):
    """A predictions or labels file cannot be used; the message names the file and column."""


@dataclass
class EvaluationInputs:
    codes: list[str]
    high: list[int]
    study_ids: np.ndarray
    patients: np.ndarray
    splits: np.ndarray
    probs: np.ndarray
    labels: np.ndarray


def _read_csv(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise InputError(f"{path}: not found")
    table = pd.read_csv(path, dtype={"study_id": str, "patient_id": str, "split": str})
    if "study_id" not in table.columns:
        raise InputError(f"{path}: no 'study_id' column")
    dup = table["study_id"][table["study_id"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: study_id {dup.iloc[0]!r} appears more than once")
    return table


def _traits(traits_path: Path | None, high: list[str] | None, predictions: pd.DataFrame, labels: pd.DataFrame,
            where: str) -> tuple[list[str], list[str]]:
    if traits_path is not None:
        manifest = json.loads(Path(traits_path).read_text())
        entries = manifest.get("traits", []) if isinstance(manifest, dict) else manifest
        codes = [e["code"] for e in entries]
        high_codes = [e["code"] for e in entries if e.get("significance") == "high"]
    else:
        reserved = {"study_id", "patient_id", "split"}
        codes = [c for c in labels.columns if c not in reserved]
        high_codes = list(high or [])
    if not high_codes:
        raise InputError(f"{where}: no high-significance traits given (use --traits manifest.json or --high CODES)")
    unknown = [c for c in high_codes if c not in codes]
    if unknown:
        raise InputError(f"{where}: high traits {unknown} are not label columns")
    return codes, high_codes


def read_evaluation_inputs(predictions_csv: Path, labels_csv: Path, *, traits: Path | None = None,
                           high: list[str] | None = None, seed: int = 0) -> EvaluationInputs:
    """Join predictions and labels on study_id; every labelled trait needs a `<code>` or `p_<code>` column."""
    pred, lab = _read_csv(predictions_csv), _read_csv(labels_csv)
    codes, high_codes = _traits(traits, high, pred, lab, str(labels_csv))
    missing_ids = sorted(set(lab["study_id"]) - set(pred["study_id"]))
    if missing_ids:
        raise InputError(f"{predictions_csv}: no prediction for {len(missing_ids)} labelled studies "
                         f"(first: {missing_ids[0]!r})")
    pred = pred.set_index("study_id").loc[lab["study_id"]]
    probs = np.empty((len(lab), len(codes)))
    labels = np.empty_like(probs)
    for j, code in enumerate(codes):
        column = f"p_{code}" if f"p_{code}" in pred.columns else code
        if column not in pred.columns:
            raise InputError(f"{predictions_csv}: no column {code!r} or 'p_{code}'")
        if code not in lab.columns:
            raise InputError(f"{labels_csv}: no column {code!r}")
        p = pd.to_numeric(pred[column], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
        if len(bad):
            raise InputError(f"{predictions_csv}: column {column!r}, study {pred.index[bad[0]]!r}: "
                             f"{pred[column].iloc[bad[0]]!r} is not a probability in [0, 1]")
        y = pd.to_numeric(lab[code], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isnan(y) & (y != 0) & (y != 1))
        if len(bad):
            raise InputError(f"{labels_csv}: column {code!r}, line {bad[0] + 2}: label {lab[code].iloc[bad[0]]!r} "
                             f"is not 0, 1 or empty")
        probs[:, j], labels[:, j] = p, y
    patients = lab["patient_id"].to_numpy(str) if "patient_id" in lab.columns else lab["study_id"].to_numpy(str)
    if "split" in lab.columns:
        splits = lab["split"].to_numpy(str)
    else:
        # no split given: halve by patient at random, so calibration and test never share a patient
        unique = np.unique(patients)
        cal = set(np.random.default_rng(seed).permutation(unique)[: len(unique) // 2])
        splits = np.array(["calibration" if p in cal else "test" for p in patients])
    return EvaluationInputs(codes=codes, high=[codes.index(c) for c in high_codes],
                            study_ids=lab["study_id"].to_numpy(str), patients=patients, splits=splits,
                            probs=probs, labels=labels)
