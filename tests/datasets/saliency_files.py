"""Saliency files as `predict --saliency` writes them (docs/run-format.md), for a run written by `write_run`."""

import json

import numpy as np


def write_saliency(run_dir, studies: list[tuple[str, int]], traits: dict[str, float], *, shape=(4, 4)):
    """One map per (study, trait) with its peak at the grid's lower-left cell of each study's middle slice."""
    arrays, entries = {}, []
    for uid, n_slices in studies:
        positions = list(range(n_slices))
        for code in traits:
            m = np.zeros((n_slices, *shape), dtype=np.float16)
            m[n_slices // 2, -1, 0] = 1.0
            m[n_slices // 2, -2, 0] = 0.5
            arrays[f"{uid}/{code}"] = m
        entries.append({"study_id": uid, "n_slices": n_slices, "positions": positions,
                        "traits": [{"code": c, "probability": p} for c, p in traits.items()]})
    np.savez_compressed(run_dir / "saliency.npz", **arrays)
    (run_dir / "saliency.json").write_text(json.dumps({
        "format": "radcurate-saliency/1", "method": "grad-cam", "image_size": 32, "map_shape": list(shape),
        "threshold": 0.5, "per_trait_threshold": {}, "top": 2, "studies": entries}))
    return run_dir
