"""Study model: a slice backbone, per-slice trait heads, slice-to-study aggregation and the hierarchy constraint."""

from __future__ import annotations

import torch
import torch.nn as nn

from training.hierarchy import max_constraint

AGGREGATIONS = ("max", "topk", "gru")


def masked_max(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Max over the slice axis (dim 1) of (B, S, F), ignoring padded slices."""
    return x.masked_fill(~valid.unsqueeze(-1), float("-inf")).amax(1)


def masked_topk_mean(x: torch.Tensor, valid: torch.Tensor, k: int) -> torch.Tensor:
    """Mean of the k largest values over real slices (fewer when a study has fewer than k)."""
    k = min(k, x.shape[1])
    top = x.masked_fill(~valid.unsqueeze(-1), float("-inf")).topk(k, dim=1).values
    used = (torch.arange(k, device=x.device).view(1, k) < valid.sum(1, keepdim=True)).unsqueeze(-1)
    return torch.where(used, top, torch.zeros_like(top)).sum(1) / used.sum(1).clamp(min=1)


class StudyModel(nn.Module):
    """Real slices (N, C, H, W) + slice mask (B, S) with N True entries -> slice logits (B, S, T),
    study logits (B, T), study embedding (B, D)."""

    def __init__(self, backbone: nn.Module, n_traits: int, descendants: torch.Tensor, *, aggregation: str = "max",
                 topk: int = 4, gru_hidden: int = 128):
        super().__init__()
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {aggregation!r} (known: {', '.join(AGGREGATIONS)})")
        self.backbone = backbone
        self.aggregation = aggregation
        self.topk = topk
        d = backbone.num_features
        self.slice_head = nn.Linear(d, n_traits)
        self.register_buffer("descendants", torch.as_tensor(descendants, dtype=torch.bool), persistent=False)
        if aggregation == "gru":
            self.gru = nn.GRU(d, gru_hidden, batch_first=True, bidirectional=True)
            self.study_head = nn.Linear(2 * gru_hidden, n_traits)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        b, s = valid.shape
        # only real slices reach the backbone: padding would cost time and skew batch-norm statistics
        real = self.backbone(x)
        feats = real.new_zeros((b, s, real.shape[-1]))
        feats[valid] = real
        slice_raw = self.slice_head(feats).float()
        slice_logits = max_constraint(slice_raw, self.descendants)
        if self.aggregation == "gru":
            lengths = valid.sum(1).clamp(min=1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(feats.float(), lengths, batch_first=True,
                                                       enforce_sorted=False)
            seq, _ = self.gru(packed)
            seq, _ = nn.utils.rnn.pad_packed_sequence(seq, batch_first=True, total_length=s)
            embedding = masked_max(seq, valid)
            study_raw = self.study_head(embedding).float()
        else:
            denom = valid.sum(1, keepdim=True).clamp(min=1)
            embedding = (feats.float() * valid.unsqueeze(-1)).sum(1) / denom
            if self.aggregation == "max":
                study_raw = masked_max(slice_logits, valid)
            else:
                study_raw = masked_topk_mean(slice_logits, valid, self.topk)
        return {
            "slice_raw": slice_raw,
            "slice_logits": slice_logits,
            "study_raw": study_raw,
            "study_logits": max_constraint(study_raw, self.descendants),
            "embedding": embedding,
        }
