"""Do the saliency maps point at the finding? The pointing game on the synthetic cohort, beside two blind maps.

    python bench/bench_pointing_game.py                       # 200 studies, 128x128x16, the CPU demo preset
    python bench/bench_pointing_game.py --studies 120 --epochs 4   # quicker, noisier

The synthetic hospital knows which voxels each finding changed (`synthesize_study(keep_masks=True)`). Studies are
drawn with hemorrhages (subdural or intraparenchymal) and masses, written as a dataset directory, the demo preset's
two-member ensemble is trained on it (`python -m training train`), and `predict --saliency`'s Grad-CAM maps are made
for every trait of the held-out (calibration and test) studies. For each positive (study, trait) the map's peak,
scores a hit when its grid cell holds part of the drawn lesion, dilated in-plane by the pointing game's tolerance
(15 px at 224 in Zhang et al. 2016, scaled to the image: 8 px at 128); scoring on the map's own grid (4x4 for the
last Inception block at 128) does not charge a coarse map for where upsampling would put its peak. Baselines, same
studies, same grid:
- random map: its peak is uniform over the scored slices' cells; the figure is the exact expected hit rate;
- centre-of-head map: a peak at the cell of the head's centre (centre of mass of its voxels), middle scored slice.
Needs torch, captum, numpy, pandas (run from the repository root). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy.ndimage import binary_dilation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synth.study import CohortParams, synthesize_study  # noqa: E402
from training.__main__ import main as training_main  # noqa: E402
from training.data import DatasetDir  # noqa: E402
from training.predict import predict_ensemble  # noqa: E402
from training.saliency import Selection, ensemble_saliency  # noqa: E402
from training.toy import _write_manifest  # noqa: E402

TRAITS = [
    {"code": "intracranial_hemorrhage", "name": "Intracranial hemorrhage", "significance": "high", "parent": None,
     "prevalence": 5.14},
    {"code": "subdural_hemorrhage", "name": "Subdural hemorrhage", "significance": "high",
     "parent": "intracranial_hemorrhage", "prevalence": 2.0},
    {"code": "intraparenchymal_hemorrhage", "name": "Intraparenchymal hemorrhage", "significance": "high",
     "parent": "intracranial_hemorrhage", "prevalence": 1.0},
    {"code": "intracranial_mass", "name": "Intracranial mass", "significance": "high", "parent": None,
     "prevalence": 2.2},
]
CODES = [t["code"] for t in TRAITS]


def draw_traits(rng: np.random.Generator) -> set[str]:
    traits: set[str] = set()
    if rng.random() < 0.4:
        traits |= {"intracranial_hemorrhage", str(rng.choice(["subdural_hemorrhage", "intraparenchymal_hemorrhage"]))}
    if rng.random() < 0.3:
        traits.add("intracranial_mass")
    return traits


def write_cohort(path: Path, n: int, size: int, slices: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """A dataset directory of `n` synthetic studies; returns each study's drawn-lesion masks by trait."""
    (path / "volumes").mkdir(parents=True, exist_ok=True)
    params = CohortParams(seed=seed, size=size, slices=slices)
    rng = np.random.default_rng(seed)
    studies, labels, masks, shard = [], [], {}, []
    for i in range(n):
        study = synthesize_study(params, i, draw_traits(rng), keep_masks=True)
        sid = f"2.25.{seed}{i:06d}"
        shard.append((study.volume.stored.astype(np.int32) - 1024).astype(np.int16))  # stored -> HU
        split = "train" if i % 10 < 6 else "calibration" if i % 10 < 8 else "test"
        studies.append({"study_id": sid, "patient_id": f"P{i:05d}", "split": split, "shard": "volumes/shard-00000.npy",
                        "offset": i * slices, "n_slices": slices, "pixel_spacing_mm": 250.0 / size,
                        "slice_thickness_mm": params.geometry.slice_mm})
        masks[sid] = {}
        for code in CODES:
            rt = study.volume.traits.get(code)
            present = rt is not None and rt.slices is not None
            if present:
                masks[sid][code] = rt.mask
            labels.append({"study_id": sid, "trait": code, "label": np.int8(present),
                           "soft_label": np.float32(present), "n_reads": np.int16(2), "adjudicated": False,
                           "slice_ranges": json.dumps([list(rt.slices)] if present else [])})
    np.save(path / "volumes" / "shard-00000.npy", np.concatenate(shard))
    studies_df, labels_df = pd.DataFrame(studies), pd.DataFrame(labels)
    studies_df.to_parquet(path / "studies.parquet", index=False)
    labels_df.to_parquet(path / "labels.parquet", index=False)
    _write_manifest(path, TRAITS, studies_df, labels_df, size, seed)
    return masks


def head_centre(volume: np.ndarray) -> tuple[int, int]:
    ys, xs = np.nonzero(volume > -500)
    return int(round(ys.mean())), int(round(xs.mean()))


def score(entries: list[dict], dataset: DatasetDir, masks: dict, size: int, tolerance: int) -> pd.DataFrame:
    """Scored on the map's own grid, so a coarse map is not penalised for where bilinear upsampling puts its peak: a
    cell hits when the lesion, dilated by the tolerance, reaches into it; the random baseline is the fraction of
    cells that hit, the centre baseline the cell holding the head's centre on the middle scored slice."""
    rows = []
    structure = np.ones((1, 2 * tolerance + 1, 2 * tolerance + 1), bool)
    for e in entries:
        index = dataset._row[e["study_id"]]
        positions = np.asarray(e["positions"])
        h, w = e["maps"].shape[-2:]
        for k, t in enumerate(e["traits"]):
            mask = masks[e["study_id"]].get(t["code"])
            if mask is None or not mask.any():
                continue
            dilated = binary_dilation(mask, structure)[positions].astype(np.float32)  # (positions, H, W)
            cells = F.adaptive_max_pool2d(torch.from_numpy(dilated)[:, None], (h, w))[:, 0].numpy() > 0
            p, y, x = np.unravel_index(int(np.argmax(e["maps"][k].astype(np.float32))), (len(positions), h, w))
            middle = len(positions) // 2
            cy, cx = head_centre(dataset.slices(index, positions[middle:middle + 1])[0])
            rows.append({"trait": t["code"], "saliency": bool(cells[p, y, x]), "random": float(cells.mean()),
                         "centre": bool(cells[middle, cy * h // size, cx * w // size])})
    return pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=200)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--slices", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--tolerance", type=int, default=8, help="in-plane dilation of the lesion, pixels")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, help="keep the dataset and run here (default: a temporary folder)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="pointing-") as tmp:
        work = args.workdir or Path(tmp)
        start = time.perf_counter()
        masks = write_cohort(work / "dataset", args.studies, args.size, args.slices, args.seed)
        print(f"cohort: {args.studies} studies at {args.size}x{args.size}x{args.slices} "
              f"({time.perf_counter() - start:.0f} s)")
        start = time.perf_counter()
        rc = training_main(["train", "--preset", "demo", "--data", str(work / "dataset"), "--out", str(work / "run"),
                            "--no-progress", "--set", f"train.epochs={args.epochs}",
                            "--set", f"data.image_size={args.size}"])
        if rc:
            return rc
        print(f"trained the demo preset's ensemble, {args.epochs} epochs ({time.perf_counter() - start:.0f} s)")
        dataset = DatasetDir(work / "dataset")
        held_out = np.concatenate([dataset.split_indices("calibration"), dataset.split_indices("test")])
        device = torch.device("cpu")
        pred = predict_ensemble(work / "run", dataset, held_out, device, progress=False)
        start = time.perf_counter()
        entries = ensemble_saliency(work / "run", dataset, pred, device, selection=Selection(threshold=0.0))
        print(f"Grad-CAM maps for {len(entries)} held-out studies x {len(CODES)} traits "
              f"({time.perf_counter() - start:.0f} s); map grid {entries[0]['maps'].shape[-2:]}")
        report = json.loads((work / "run" / "report.json").read_text())
        auroc = {t["code"]: t["auroc"] for t in report["traits"]}
        table = score(entries, dataset, masks, args.size, args.tolerance)
    print(f"\npointing game, held-out positives, tolerance {args.tolerance} px "
          f"(hit: the map's peak inside the drawn lesion)")
    print(f"{'trait':<30}{'n':>4}{'test AUROC':>11}{'Grad-CAM':>10}{'random':>9}{'centre':>9}{'ratio vs random':>17}")
    for code, g in [*table.groupby("trait", sort=False), ("all", table)]:
        hit, rand, centre = g["saliency"].mean(), g["random"].mean(), g["centre"].mean()
        a = auroc.get(code)
        print(f"{code:<30}{len(g):>4}{(f'{a:.3f}' if a is not None else '-'):>11}{hit:>10.1%}{rand:>9.1%}"
              f"{centre:>9.1%}{hit / rand if rand else float('nan'):>16.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
