"""Hierarchical multi-label loss: C-HMCNN max-constraint, BCE or focal, positive weights from trait prevalence."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from training.hierarchy import max_constraint_train


def prevalence_pos_weight(prevalence: torch.Tensor, *, power: float = 0.5, cap: float = 50.0) -> torch.Tensor:
    """((1 - p) / p) ** power, capped: rare traits weigh more without a handful of positives dominating."""
    p = prevalence.clamp(1e-4, 1 - 1e-4)
    return ((1 - p) / p).pow(power).clamp(1.0, cap)


def binary_loss(logits: torch.Tensor, targets: torch.Tensor, pos_weight: torch.Tensor, *, kind: str,
                gamma: float) -> torch.Tensor:
    """Elementwise BCE or focal loss (Lin et al. 2017) with a per-trait positive weight."""
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    weight = 1 + (pos_weight - 1) * targets
    if kind == "focal":
        p = torch.sigmoid(logits)
        p_t = p * targets + (1 - p) * (1 - targets)
        ce = ce * (1 - p_t).pow(gamma)
    elif kind != "bce":
        raise ValueError(f"unknown loss kind {kind!r} (known: bce, focal)")
    return ce * weight


class HierarchicalLoss(nn.Module):
    """Study-level term on every labelled trait, plus a slice-level term where slice supervision exists."""

    def __init__(self, descendants: torch.Tensor, pos_weight: torch.Tensor, *, kind: str = "bce",
                 gamma: float = 2.0, slice_weight: float = 0.5, trait_weight: torch.Tensor | None = None):
        super().__init__()
        self.register_buffer("descendants", torch.as_tensor(descendants, dtype=torch.bool), persistent=False)
        self.register_buffer("pos_weight", pos_weight.float(), persistent=False)
        trait_weight = torch.ones_like(self.pos_weight) if trait_weight is None else torch.as_tensor(trait_weight)
        self.register_buffer("trait_weight", trait_weight.float(), persistent=False)
        self.kind = kind
        self.gamma = gamma
        self.slice_weight = slice_weight

    def forward(self, out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> torch.Tensor:
        label, mask = batch["label"], batch["label_mask"]
        study = max_constraint_train(out["study_raw"], label, self.descendants)
        weight = mask * self.trait_weight
        loss = (binary_loss(study, label, self.pos_weight, kind=self.kind, gamma=self.gamma) * weight).sum()
        loss = loss / mask.sum().clamp(min=1)
        if self.slice_weight > 0:
            targets = batch["slice_targets"]
            slice_logits = max_constraint_train(out["slice_raw"], targets, self.descendants)
            m = batch["slice_valid"].unsqueeze(-1) * (batch["slice_mask"] * mask).unsqueeze(1)
            term = binary_loss(slice_logits, targets, self.pos_weight, kind=self.kind, gamma=self.gamma)
            loss = loss + self.slice_weight * (term * m * self.trait_weight).sum() / m.sum().clamp(min=1)
        return loss
