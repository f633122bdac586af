"""Where the ensemble looked: Grad-CAM maps per slice for a study's likely traits (docs/run-format.md, saliency).

Grad-CAM (Selvaraju et al. 2017) through Captum's `LayerGradCam` on the backbone's last convolutional block:
it needs one forward and one backward pass per trait, works with any of the registered backbones, and gives a
coarse map of the block's own grid (image size / 32 for the Inception network), which is what a second opinion
needs: which region drove the trait, not an edge map. Captum is used rather than hand-written hooks because it
is the maintained attribution library for PyTorch (and pulls neither torchvision nor another torch).

Each member's map is scaled to a peak of 1 over the study's slices, then the members are averaged: a member with
larger gradients does not outvote the others. Maps are stored as float16 at the block's resolution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from training.data import DatasetDir, StudyDataset, choose_positions, make_loader
from training.engine import to_device
from training.train import build_preprocess, load_member

SALIENCY_FORMAT = "radcurate-saliency/1"
METHOD = "grad-cam (captum LayerGradCam), last convolutional block, ReLU, per-member peak-normalised, member mean"


@dataclass(frozen=True)
class Selection:
    """Which traits of a study get a map: those at or above their threshold (at most `most`, the likeliest), else the
    `top` most likely. The cap keeps an unsure model from mapping every trait of every study."""

    threshold: float = 0.5
    per_trait: dict | None = None
    top: int = 2
    most: int = 5

    def traits(self, probs: np.ndarray, codes: list[str]) -> list[int]:
        limits = np.array([(self.per_trait or {}).get(c, self.threshold) for c in codes])
        passing = np.flatnonzero(probs >= limits)
        if passing.size:
            return sorted(passing.tolist(), key=lambda j: -probs[j])[:self.most]
        return np.argsort(-probs, kind="stable")[:self.top].tolist()


def target_layer(backbone: nn.Module) -> nn.Module:
    """The backbone's last convolutional block (its output is the map Grad-CAM weighs)."""
    for path in ("layer4", "net.layer4"):  # MONAI ResNet and SENet
        module = backbone.get_submodule(path) if _has(backbone, path) else None
        if module is not None:
            return module
    features = getattr(backbone, "features", None)
    if isinstance(features, nn.Sequential):  # Inception: its last block; MONAI DenseNet: its last dense block
        blocks = [m for m in features if any(isinstance(x, nn.Conv2d) for x in m.modules())]
        if blocks:
            return blocks[-1]
    convs = [m for m in backbone.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise TypeError(f"{type(backbone).__name__}: no convolutional layer for Grad-CAM")
    return convs[-1]


def _has(module: nn.Module, path: str) -> bool:
    try:
        module.get_submodule(path)
    except AttributeError:
        return False
    return True


class _SliceLogits(nn.Module):
    """Slice images -> per-slice trait logits of a study model (what Grad-CAM differentiates)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.slice_head(self.model.backbone(x)).float()


def member_maps(model: nn.Module, x: torch.Tensor, traits: list[int]) -> np.ndarray:
    """(len(traits), slices, h, w) Grad-CAM maps of one member for one study's slices, each trait peak 1."""
    from captum.attr import LayerGradCam

    cam = LayerGradCam(_SliceLogits(model), target_layer(model.backbone))
    out = []
    for j in traits:
        with torch.enable_grad():
            a = cam.attribute(x, target=int(j), relu_attributions=True)  # (slices, 1, h, w)
        a = a.detach().float().squeeze(1).cpu().numpy()
        peak = float(a.max())
        out.append(a / peak if peak > 0 else a)
    return np.stack(out)


def ensemble_saliency(run_dir: Path, dataset: DatasetDir, pred: dict, device: torch.device, *,
                      selection: Selection = Selection()) -> list[dict]:
    """One entry per study of `pred`: its evaluated slice positions and a map per selected trait (member mean)."""
    cfg, run = pred["cfg"], pred["run"]
    codes = list(dataset.traits.codes)
    row_of = {int(i): r for r, i in enumerate(pred["indices"])}
    chosen = {int(i): selection.traits(pred["probs"][r], codes) for i, r in row_of.items()}
    ds = StudyDataset(dataset, np.asarray(pred["indices"]), max_slices=cfg.data.eval_max_slices,
                      neighbours=cfg.data.neighbours, train=False)
    loader = make_loader(ds, batch_size=1, shuffle=False, seed=0, num_workers=cfg.data.num_workers)
    preprocess = build_preprocess(cfg, channels_last=False)
    sums: dict[int, np.ndarray] = {}
    for member in run["members"]:
        model = load_member(run_dir, member, cfg, dataset, device).float()
        for batch in loader:
            index = int(batch["index"][0])
            batch = to_device(batch, device)
            x = preprocess(batch["volume"], batch["slice_valid"], train=False, stack_index=batch["stack_index"])
            maps = member_maps(model, x, chosen[index])
            sums[index] = sums.get(index, 0) + maps
    entries = []
    n_members = len(run["members"])
    for index, total in sums.items():
        r = row_of[index]
        n = int(dataset.n_slices[index])
        entries.append({
            "study_id": str(dataset.studies["study_id"][index]), "n_slices": n,
            "positions": choose_positions(n, cfg.data.eval_max_slices, None).tolist(),
            "traits": [{"code": codes[j], "probability": round(float(pred["probs"][r, j]), 6)}
                       for j in chosen[index]],
            "maps": (total / n_members).astype(np.float16),
        })
    return entries


def write_saliency(out_dir: Path, entries: list[dict], *, image_size: int, selection: Selection) -> Path:
    """saliency.npz (`<study_id>/<trait>`: float16 (positions, h, w)) and its index saliency.json."""
    out_dir = Path(out_dir)
    arrays, studies = {}, []
    for e in entries:
        for k, t in enumerate(e["traits"]):
            arrays[f"{e['study_id']}/{t['code']}"] = e["maps"][k]
        studies.append({key: e[key] for key in ("study_id", "n_slices", "positions", "traits")})
    np.savez_compressed(out_dir / "saliency.npz", **arrays)
    shape = list(entries[0]["maps"].shape[-2:]) if entries else None
    meta = {"format": SALIENCY_FORMAT, "method": METHOD, "image_size": image_size, "map_shape": shape,
            "threshold": selection.threshold, "per_trait_threshold": selection.per_trait or {},
            "top": selection.top, "most": selection.most, "studies": studies}
    (out_dir / "saliency.json").write_text(json.dumps(meta))
    return out_dir / "saliency.json"


def read_saliency(out_dir: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The index and the maps by `<study_id>/<trait>` key."""
    out_dir = Path(out_dir)
    meta = json.loads((out_dir / "saliency.json").read_text())
    with np.load(out_dir / "saliency.npz", allow_pickle=False) as z:
        return meta, {k: z[k] for k in z.files}
