"""Where the ensemble looked: Grad-CAM maps per slice for a study's likely traits (docs/run-format.md, saliency).

Grad-CAM (Selvaraju et al. 2017) on the backbone's last convolutional block: the block's activations weighed by
the mean gradient of the trait's slice logit, summed over channels, ReLU. It works with any of the registered
backbones and gives a coarse map of the block's own grid (image size / 32 for the Inception network), which is what
a second opinion needs: which region drove the trait, not an edge map. One forward pass per study serves every
selected trait; each trait's gradient only runs back from the logits to that block, so a map costs little more
than the forward. (Captum's `LayerGradCam` computes the same map, the tests check, but runs a whole forward per
trait: five times the work for a study with five traits, the demo's slowest step.)

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
from tqdm import tqdm

from training.data import DatasetDir, StudyDataset, choose_positions, make_loader
from training.engine import to_device
from training.predict import load_run
from training.side_by_side import map_members, side_by_side
from training.train import build_preprocess, load_member

SALIENCY_FORMAT = "radcurate-saliency/1"
METHOD = "grad-cam, last convolutional block, ReLU, per-member peak-normalised, member mean"


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
    captured: list[torch.Tensor] = []
    hook = target_layer(model.backbone).register_forward_hook(lambda _module, _inputs, output: captured.append(output))
    try:
        with torch.enable_grad():
            logits = _SliceLogits(model)(x)  # (slices, traits)
            activations = captured[0]  # (slices, channels, h, w)
            out = []
            for k, j in enumerate(traits):
                (grad,) = torch.autograd.grad(logits[:, j].sum(), activations, retain_graph=k < len(traits) - 1)
                weights = grad.mean(dim=(2, 3), keepdim=True)
                a = torch.relu((weights * activations).sum(1)).detach().float().cpu().numpy()
                peak = float(a.max())
                out.append(a / peak if peak > 0 else a)
    finally:
        hook.remove()
    return np.stack(out) if out else np.zeros((0, len(x), 1, 1), np.float32)


def ensemble_saliency(run_dir: Path, dataset: DatasetDir, pred: dict, device: torch.device, *,
                      selection: Selection = Selection(), studies: set[str] | None = None,
                      progress: bool = False) -> list[dict]:
    """One entry per study of `pred` (or of those among `studies`, by study id): its evaluated slice positions and a
    map per selected trait (member mean). Members run side by side on a CPU (side_by_side.py). `progress`: a bar
    over the studies with the time left."""
    cfg, run = pred["cfg"], pred["run"]
    codes = list(dataset.traits.codes)
    ids = dataset.studies["study_id"].to_numpy(str)
    row_of = {int(i): r for r, i in enumerate(pred["indices"]) if studies is None or ids[int(i)] in studies}
    chosen = {i: selection.traits(pred["probs"][r], codes) for i, r in row_of.items()}
    processes = side_by_side(cfg, device)
    jobs = [(Path(run_dir), dataset.path, chosen, member, str(device), progress and (k == 0 or processes < 2))
            for k, member in enumerate(run["members"])]
    per_member = map_members(_member_saliency, jobs, processes=processes, threads=cfg.train.cpu_threads)
    entries = []
    for index, r in row_of.items():
        n = int(dataset.n_slices[index])
        entries.append({
            "study_id": str(ids[index]), "n_slices": n,
            "positions": choose_positions(n, cfg.data.eval_max_slices, None).tolist(),
            "traits": [{"code": codes[j], "probability": round(float(pred["probs"][r, j]), 6)}
                       for j in chosen[index]],
            "maps": (sum(maps[index] for maps in per_member) / len(per_member)).astype(np.float16),
        })
    return entries


def _member_saliency(run_dir: Path, dataset_path: Path, chosen: dict[int, list[int]], member: dict, device: str,
                     progress: bool) -> dict[int, np.ndarray]:
    """One member's maps of the chosen traits, by dataset row."""
    cfg, run = load_run(run_dir)
    dataset, device = DatasetDir(dataset_path), torch.device(device)
    ds = StudyDataset(dataset, np.array(sorted(chosen), dtype=np.int64), max_slices=cfg.data.eval_max_slices,
                      neighbours=cfg.data.neighbours, train=False)
    loader = make_loader(ds, batch_size=1, shuffle=False, seed=0, num_workers=cfg.data.num_workers)
    preprocess = build_preprocess(cfg, channels_last=False)
    model = load_member(run_dir, member, cfg, dataset, device).float()
    maps = {}
    desc = f"saliency, member {member['member']} of {len(run['members'])}"
    for batch in tqdm(loader, desc=desc, unit=" studies", disable=not progress, leave=False, dynamic_ncols=True):
        index = int(batch["index"][0])
        batch = to_device(batch, device)
        x = preprocess(batch["volume"], batch["slice_valid"], train=False, stack_index=batch["stack_index"])
        maps[index] = member_maps(model, x, chosen[index])
    return maps


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
