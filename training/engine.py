"""One training epoch and one evaluation pass, written out step by step (torchvision references style)."""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np
import torch
from tqdm import tqdm

from training.augment import Preprocess
from training.utils import derived_seed

LOG_EVERY = 20  # steps between progress-bar loss updates


def autocast(device: torch.device, enabled: bool):
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def to_device(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}


def _generator(device: torch.device, seed: int) -> torch.Generator:
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


def train_one_epoch(model, criterion, optimizer, loader, preprocess: Preprocess, device: torch.device, epoch: int,
                    *, seed: int, amp: bool = True, max_steps: int = 0, progress: bool = True) -> dict:
    """Train for one pass over `loader`; augmentation randomness is a function of (seed, epoch, step)."""
    model.train()
    # dropout draws from the global generator: reseed it per epoch so a resumed run takes the same path
    torch.manual_seed(derived_seed(seed, epoch, 1))
    total = torch.zeros((), device=device)
    steps, slices = 0, 0
    start = time.perf_counter()
    n = len(loader) if not max_steps else min(max_steps, len(loader))
    bar = tqdm(loader, total=n, desc=f"epoch {epoch}", disable=not progress, leave=False, dynamic_ncols=True)
    for step, batch in enumerate(bar):
        if max_steps and step >= max_steps:
            break
        slices += int(batch["slice_valid"].sum())  # counted on the host: no device sync
        batch = to_device(batch, device)
        gen = _generator(device, derived_seed(seed, epoch, step))
        x = preprocess(batch["volume"], batch["slice_valid"], train=True, generator=gen,
                       stack_index=batch["stack_index"])
        with autocast(device, amp):
            out = model(x, batch["slice_valid"])
        loss = criterion(out, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach()
        steps += 1
        if steps % LOG_EVERY == 0 or steps == n:
            # reading the loss waits for the device, so it is read every few steps, not every step
            mean = total.item() / steps
            if not math.isfinite(mean):
                raise FloatingPointError(f"loss is {mean} at epoch {epoch}, step {step}")
            bar.set_postfix(loss=f"{mean:.4f}", lr=f"{optimizer.param_groups[0]['lr']:.2e}")
    seconds = time.perf_counter() - start
    mean = total.item() / max(steps, 1)
    if not math.isfinite(mean):
        raise FloatingPointError(f"loss is {mean} at epoch {epoch}")
    return {"loss": mean, "steps": steps, "slices": slices, "seconds": round(seconds, 3),
            "slices_per_s": round(slices / max(seconds, 1e-9), 1)}


@torch.no_grad()
def evaluate(model, loader, preprocess: Preprocess, device: torch.device, *, criterion=None, amp: bool = True,
             progress: bool = True, desc: str = "evaluate") -> dict:
    """Study probabilities (N, T), embeddings and labels for every study in `loader`, in loader order."""
    model.eval()
    probs, embeddings, labels, masks, indices = [], [], [], [], []
    total, steps = 0.0, 0
    for batch in tqdm(loader, desc=desc, disable=not progress, leave=False, dynamic_ncols=True):
        batch = to_device(batch, device)
        x = preprocess(batch["volume"], batch["slice_valid"], train=False, stack_index=batch["stack_index"])
        with autocast(device, amp):
            out = model(x, batch["slice_valid"])
        if criterion is not None:
            total += criterion(out, batch).item()
            steps += 1
        probs.append(torch.sigmoid(out["study_logits"].float()).cpu())
        embeddings.append(out["embedding"].float().cpu())
        labels.append(batch["label"].cpu())
        masks.append(batch["label_mask"].cpu())
        indices.append(batch["index"].cpu())
    label = torch.cat(labels).numpy()
    label[torch.cat(masks).numpy() == 0] = np.nan
    return {"probs": torch.cat(probs).numpy(), "embeddings": torch.cat(embeddings).numpy(), "labels": label,
            "indices": torch.cat(indices).numpy(), "loss": total / steps if steps else float("nan")}
