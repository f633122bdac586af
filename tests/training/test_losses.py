"""The hierarchical loss: focal and class weighting terms, and a loss that goes down when training on real data."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from training.data import DatasetDir, StudyDataset
from training.engine import to_device
from training.losses import binary_loss, prevalence_pos_weight
from training.train import build_criterion, build_model, build_optimizer, build_preprocess


def test_pos_weight_grows_for_rare_traits_and_is_capped():
    w = prevalence_pos_weight(torch.tensor([0.5, 0.05, 0.0001]), power=0.5, cap=50)
    assert w[0] == 1.0 and 4.3 < w[1] < 4.4 and w[2] == 50


def test_focal_with_zero_gamma_is_weighted_bce():
    logits, targets = torch.randn(50, 4), (torch.rand(50, 4) > 0.7).float()
    pw = torch.tensor([1.0, 2.0, 3.0, 4.0])
    focal = binary_loss(logits, targets, pw, kind="focal", gamma=0.0)
    bce = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pw, reduction="none")
    torch.testing.assert_close(focal, bce)
    # with gamma > 0, confident correct predictions count less
    easy = binary_loss(torch.tensor([6.0]), torch.tensor([1.0]), torch.ones(1), kind="focal", gamma=2.0)
    assert easy < binary_loss(torch.tensor([6.0]), torch.tensor([1.0]), torch.ones(1), kind="bce", gamma=2.0) / 100


def test_loss_decreases_on_a_tiny_dataset(tiny_dataset, tiny_config):
    torch.manual_seed(0)
    ds = DatasetDir(tiny_dataset)
    cfg = tiny_config
    cfg.model.dropout = 0.0
    cfg.optim.lr = 1e-2
    model = build_model(cfg, ds)
    criterion = build_criterion(cfg, ds)
    optimizer = build_optimizer(cfg, model)
    pre = build_preprocess(cfg)
    items = StudyDataset(ds, ds.split_indices("train")[:6], max_slices=4, neighbours=1, train=False)
    batch = to_device(items.collate([items[i] for i in range(len(items))]), torch.device("cpu"))
    model.train()
    losses = []
    for _ in range(8):
        x = pre(batch["volume"], batch["slice_valid"], train=False, stack_index=batch["stack_index"])
        out = model(x, batch["slice_valid"])
        loss = criterion(out, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert losses[-1] < 0.7 * losses[0]


def test_significance_weights_scale_each_traits_share_of_the_loss(tiny_dataset, tiny_config):
    ds = DatasetDir(tiny_dataset)
    cfg = tiny_config
    levels = sorted(set(ds.traits.significance))
    assert len(levels) >= 2, "the toy taxonomy mixes significance levels"
    items = StudyDataset(ds, ds.split_indices("train")[:6], max_slices=4, neighbours=1, train=False)
    batch = items.collate([items[i] for i in range(len(items))])
    b, s = batch["slice_valid"].shape
    torch.manual_seed(0)
    out = {"study_raw": torch.randn(b, len(ds.traits)), "slice_raw": torch.randn(b, s, len(ds.traits))}

    cfg.loss.significance_weight = dict.fromkeys(levels, 1.0)
    even = build_criterion(cfg, ds)
    cfg.loss.significance_weight = {**dict.fromkeys(levels, 1.0), levels[0]: 0.0}
    weighted = build_criterion(cfg, ds)
    muted = [j for j, level in enumerate(ds.traits.significance) if level == levels[0]]
    # a muted trait with no ancestor or descendant of another level: moving its logits costs nothing
    descendants = ds.traits.descendants()
    free = [j for j in muted if not (descendants[:, j] | descendants[j, :])[[i for i in range(len(ds.traits))
                                                                               if i not in muted]].any()]
    assert free
    moved = {k: v.clone() for k, v in out.items()}
    moved["study_raw"][:, free] += 5.0
    moved["slice_raw"][..., free] -= 5.0
    torch.testing.assert_close(weighted(moved, batch), weighted(out, batch))
    assert not torch.isclose(even(moved, batch), even(out, batch))

    cfg.loss.significance_weight = {levels[0]: 1.0}
    with pytest.raises(ValueError, match=f"no weight for significance.*{levels[1]}"):
        build_criterion(cfg, ds)
