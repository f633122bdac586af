"""The trait hierarchy from a dataset manifest, and the max-constraint that keeps parents >= children (C-HMCNN)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Traits:
    """Label columns in manifest order, with their significance and parents."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    significance: tuple[str, ...]
    parents: tuple[str | None, ...]
    prevalence: tuple[float, ...]  # percent of studies, from the taxonomy

    @classmethod
    def from_manifest(cls, entries: list[dict], where: str = "manifest.json") -> Traits:
        if not entries:
            raise ValueError(f"{where}: 'traits' is empty")
        codes = [e["code"] for e in entries]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{where}: duplicate trait codes in 'traits'")
        for e in entries:
            if e.get("parent") is not None and e["parent"] not in codes:
                raise ValueError(f"{where}: trait {e['code']!r} has parent {e['parent']!r}, which is not a trait")
        traits = cls(
            codes=tuple(codes),
            names=tuple(e.get("name", e["code"]) for e in entries),
            significance=tuple(e.get("significance", "low") for e in entries),
            parents=tuple(e.get("parent") for e in entries),
            prevalence=tuple(float(e.get("prevalence") or 0.0) for e in entries),
        )
        traits.descendants()  # raises on a cycle
        return traits

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def high(self) -> list[int]:
        return [i for i, s in enumerate(self.significance) if s == "high"]

    def descendants(self) -> np.ndarray:
        """R[i, j] is True when trait j is trait i or one of its descendants."""
        index = {c: i for i, c in enumerate(self.codes)}
        n = len(self.codes)
        r = np.eye(n, dtype=bool)
        for j in range(n):
            seen, parent = {j}, self.parents[j]
            while parent is not None:
                i = index[parent]
                if i in seen:
                    raise ValueError(f"trait hierarchy has a cycle through {self.codes[i]!r}")
                seen.add(i)
                r[i, j] = True
                parent = self.parents[i]
        return r


def max_constraint(logits: torch.Tensor, descendants: torch.Tensor) -> torch.Tensor:
    """Each trait's output becomes the max over itself and its descendants, so a parent never scores below a child.

    Sigmoid is monotone, so the max over logits is the max over probabilities (C-HMCNN's MCM).
    """
    expanded = logits.unsqueeze(-2).masked_fill(~descendants, float("-inf"))
    return expanded.amax(dim=-1)


def max_constraint_train(logits: torch.Tensor, labels: torch.Tensor, descendants: torch.Tensor) -> torch.Tensor:
    """C-HMCNN's MCLoss view: a positive trait takes the max over its positive descendants, a negative one over all.

    This keeps the gradient of a positive parent on the descendant that explains it, as the paper's authors argue.
    """
    positive = labels > 0.5
    allowed = descendants & positive.unsqueeze(-2)
    pos = logits.unsqueeze(-2).masked_fill(~allowed, float("-inf")).amax(dim=-1)
    neg = max_constraint(logits, descendants)
    # a positive trait always has itself among its positive descendants, so `pos` is finite where used
    return torch.where(positive, pos, neg)
