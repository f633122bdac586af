"""No output of the model ever scores a child trait above its parent."""

import numpy as np
import pytest
import torch

from training.data import DatasetDir
from training.hierarchy import Traits, max_constraint, max_constraint_train
from training.models import create_model
from training.models.study import StudyModel

# a three-level chain plus a sibling and an unrelated trait
ENTRIES = [
    {"code": "a", "parent": None}, {"code": "b", "parent": "a"}, {"code": "c", "parent": "b"},
    {"code": "d", "parent": "a"}, {"code": "e", "parent": None},
]


def _pairs(traits: Traits) -> list[tuple[int, int]]:
    r = traits.descendants()
    return [(i, j) for i in range(len(traits)) for j in range(len(traits)) if i != j and r[i, j]]


def test_descendants_are_transitive():
    traits = Traits.from_manifest(ENTRIES)
    assert sorted(_pairs(traits)) == [(0, 1), (0, 2), (0, 3), (1, 2)]


def test_cycle_is_rejected():
    with pytest.raises(ValueError, match="cycle"):
        Traits.from_manifest([{"code": "a", "parent": "b"}, {"code": "b", "parent": "a"}])


def test_max_constraint_never_violates_on_random_logits():
    traits = Traits.from_manifest(ENTRIES)
    r = torch.from_numpy(traits.descendants())
    logits = torch.randn(10000, 5) * 5
    out = max_constraint(logits, r)
    for i, j in _pairs(traits):
        assert (out[:, i] >= out[:, j]).all()
    # traits without descendants are untouched
    torch.testing.assert_close(out[:, [2, 3, 4]], logits[:, [2, 3, 4]])


def test_training_view_takes_positive_descendants_only():
    r = torch.from_numpy(Traits.from_manifest(ENTRIES).descendants())
    logits = torch.tensor([[0.0, 3.0, 1.0, 5.0, 0.0]])
    labels = torch.tensor([[1.0, 1.0, 0.0, 0.0, 0.0]])
    out = max_constraint_train(logits, labels, r)
    # positive a: max over positive descendants {a, b} = 3 (not d's 5); negative c: itself; negative d: itself
    torch.testing.assert_close(out, torch.tensor([[3.0, 3.0, 1.0, 5.0, 0.0]]))


@pytest.mark.parametrize("aggregation", ["max", "topk", "gru"])
def test_no_violation_on_any_model_output(tiny_dataset, aggregation):
    ds = DatasetDir(tiny_dataset)
    r = torch.from_numpy(ds.traits.descendants())
    pairs = _pairs(ds.traits)
    assert pairs, "the tiny dataset must have a parent/child pair"
    members = []
    for seed in range(3):
        torch.manual_seed(seed)
        model = StudyModel(create_model("inception", in_channels=3, width=0.125), len(ds.traits), r,
                           aggregation=aggregation, topk=2, gru_hidden=8).eval()
        # push the child's head up so an unconstrained model would violate
        with torch.no_grad():
            model.slice_head.bias[ds.traits.codes.index("subdural")] += 10
            if aggregation == "gru":
                model.study_head.bias[ds.traits.codes.index("subdural")] += 10
        valid = torch.tensor([[True] * 5, [True, True, False, False, False]])
        x = torch.randn(int(valid.sum()), 3, 32, 32)
        with torch.no_grad():
            out = model(x, valid)
        members.append(torch.sigmoid(out["study_logits"]))
        slice_p = torch.sigmoid(out["slice_logits"])
        for i, j in pairs:
            assert (torch.sigmoid(out["study_logits"][:, i]) >= torch.sigmoid(out["study_logits"][:, j])).all()
            assert (slice_p[..., i] >= slice_p[..., j]).all()
    mean = torch.stack(members).mean(0)  # the ensemble score
    for i, j in pairs:
        assert (mean[:, i] >= mean[:, j]).all()


def test_manifest_hierarchy_is_read(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    parent, child = ds.traits.codes.index("intracranial_hemorrhage"), ds.traits.codes.index("subdural")
    assert ds.traits.descendants()[parent, child] and not ds.traits.descendants()[child, parent]
    assert set(np.array(ds.traits.codes)[ds.traits.high]) == {"intracranial_hemorrhage", "subdural",
                                                               "intracranial_mass"}
