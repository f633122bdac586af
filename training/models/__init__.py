"""Model registry (timm-style): backbones registered by name; `create_model(name)` is the only entry point.

A backbone maps (N, C, H, W) images to (N, num_features) embeddings; `StudyModel` adds the trait heads,
the slice-to-study aggregation and the hierarchy constraint.
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn as nn

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Register a backbone factory under its function name; it takes `in_channels` and keyword options."""
    _REGISTRY[fn.__name__] = fn
    return fn


def list_models() -> list[str]:
    _load_families()
    return sorted(_REGISTRY)


def create_model(name: str, *, in_channels: int, **kwargs) -> nn.Module:
    _load_families()
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(sorted(_REGISTRY))})")
    model = _REGISTRY[name](in_channels=in_channels, **kwargs)
    if not isinstance(getattr(model, "num_features", None), int):
        raise TypeError(f"model {name!r} does not set an int `num_features`")
    return model


def _load_families() -> None:
    # importing a family module registers its models; MONAI is imported only when its models are asked for
    from training.models import inception, monai_nets  # noqa: F401
