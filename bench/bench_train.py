"""Training throughput (slices/s) of the GoogLeNet-style model beside a MONAI reference network, same run, same card.

    python bench/bench_train.py --device cuda --seconds 30          # 256x256, bf16 autocast, channels_last
    python bench/bench_train.py --device cpu                         # a small version (says so)

A step is what training does per batch: int16 HU slices (2.5D, 3 neighbours) already on the device are augmented
and windowed on the device, then forward, BCE loss over 30 traits, backward and an AdamW step. Needs torch, monai
and numpy only (run from the repository root).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.augment import Preprocess  # noqa: E402
from training.models import create_model  # noqa: E402

WINDOWS = [[40.0, 80.0], [75.0, 215.0], [600.0, 2800.0]]


class SliceNet(nn.Module):
    def __init__(self, name: str, in_channels: int, n_traits: int):
        super().__init__()
        self.backbone = create_model(name, in_channels=in_channels)
        self.head = nn.Linear(self.backbone.num_features, n_traits)

    def forward(self, x):
        return self.head(self.backbone(x))


def bench(name: str, args, device: torch.device) -> dict:
    torch.manual_seed(0)
    neighbours = 1
    model = SliceNet(name, (2 * neighbours + 1) * len(WINDOWS), 30).to(device)
    cuda = device.type == "cuda"
    if not args.no_channels_last:
        model = model.to(memory_format=torch.channels_last)
    step_model = torch.compile(model) if args.compile else model
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    pre = Preprocess(windows=WINDOWS, size=args.size, rotation_deg=10, scale=(0.9, 1.1), mirror_p=0.5,
                     channels_last=not args.no_channels_last)
    studies = max(1, args.batch // args.slices_per_study)
    volume = torch.randint(-1024, 2000, (studies, args.slices_per_study, 2 * neighbours + 1, args.size, args.size),
                           dtype=torch.int16, device=device)
    valid = torch.ones(volume.shape[:2], dtype=torch.bool, device=device)
    target = (torch.rand(volume.shape[0] * volume.shape[1], 30, device=device) < 0.05).float()
    gen = torch.Generator(device=device).manual_seed(0)
    amp = cuda and not args.no_bf16

    def step():
        x = pre(volume, valid, train=True, generator=gen)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
            logits = step_model(x)
        loss = F.binary_cross_entropy_with_logits(logits.float(), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def sync():
        if cuda:
            torch.cuda.synchronize()

    for _ in range(args.warmup):
        step()
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        if steps % 5 == 0:
            sync()
            if time.perf_counter() - start >= args.seconds:
                break
    sync()
    elapsed = time.perf_counter() - start
    slices = steps * volume.shape[0] * volume.shape[1]
    return {"model": name, "params_m": sum(p.numel() for p in model.parameters()) / 1e6,
            "batch": volume.shape[0] * volume.shape[1], "steps": steps, "seconds": elapsed,
            "slices_per_s": slices / elapsed,
            "peak_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seconds", type=float, default=None, help="timed seconds per model (default 20 GPU, 8 CPU)")
    p.add_argument("--size", type=int, default=None, help="image side (default 256 on GPU, 64 on CPU)")
    p.add_argument("--batch", type=int, default=None, help="slices per step (default 256 GPU, 16 CPU)")
    p.add_argument("--slices-per-study", type=int, default=32)
    p.add_argument("--models", default="inception,densenet121,resnet50",
                   help="comma-separated registry names; the first is the subject, the second the reference")
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--no-bf16", action="store_true")
    p.add_argument("--no-channels-last", action="store_true")
    args = p.parse_args()
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    args.seconds = args.seconds or (20.0 if cuda else 8.0)
    args.size = args.size or (256 if cuda else 64)
    args.batch = args.batch or (256 if cuda else 16)
    args.slices_per_study = min(args.slices_per_study, args.batch)
    args.warmup = args.warmup if args.warmup is not None else (15 if cuda else 2)
    card = torch.cuda.get_device_name(device) if cuda else "CPU"
    print(f"device: {card} | torch {torch.__version__} | {args.size}x{args.size}, 9 channels (3 slices x 3 windows), "
          f"batch {args.batch} slices, bf16 autocast {'on' if cuda and not args.no_bf16 else 'off'}, "
          f"channels_last {'off' if args.no_channels_last else 'on'}, "
          f"compile {'on' if args.compile else 'off'}, {args.seconds:g} s per model")
    if not cuda:
        print("NOTE: CPU run: a small version (small images and batch), not comparable with the GPU target "
              "of 5,000 slices/s at 256x256")
    rows = [bench(name.strip(), args, device) for name in args.models.split(",") if name.strip()]
    ref = rows[1]["slices_per_s"] if len(rows) > 1 else rows[0]["slices_per_s"]
    print(f"\n{'model':<14}{'params (M)':>11}{'batch':>7}{'steps':>7}{'slices/s':>11}{'vs ' + rows[min(1, len(rows) - 1)]['model']:>18}{'peak GiB':>10}")
    for r in rows:
        print(f"{r['model']:<14}{r['params_m']:>11.1f}{r['batch']:>7}{r['steps']:>7}{r['slices_per_s']:>11,.1f}"
              f"{r['slices_per_s'] / ref:>17.2f}x{r['peak_gib']:>10.1f}")
    if cuda and args.size == 256:
        verdict = "meets" if rows[0]["slices_per_s"] >= 5000 else "misses"
        print(f"\n{rows[0]['model']} {verdict} the 5,000 slices/s target on {card}")


if __name__ == "__main__":
    main()
