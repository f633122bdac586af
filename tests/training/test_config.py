"""Config files (TOML and JSON) and overrides fill typed defaults; unknown keys are named in the error."""

import json
from pathlib import Path

import pytest

from training.config import ConfigError, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "training" / "configs"


def test_shipped_toml_configs_load():
    cfg = load_config(CONFIGS / "paper.toml")
    assert cfg.model.aggregation == "gru" and cfg.train.members == 5
    assert cfg.window.windows == [[40, 80], [75, 215], [600, 2800]]
    comparison = load_config(CONFIGS / "architecture_comparison.toml")
    assert comparison.train.member_models == ["inception", "densenet121", "resnet50", "resnext50"]
    assert comparison.data.image_size == 256  # untouched defaults stay


def test_json_file_then_overrides(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"optim": {"lr": 0.01}, "train": {"amp": False}}))
    cfg = load_config(path, ["optim.lr=0.5", "train.amp=true", "eval.coverages=[0.3]"], base={"train": {"epochs": 3}})
    assert cfg.optim.lr == 0.5 and cfg.train.amp is True and cfg.train.epochs == 3 and cfg.eval.coverages == [0.3]


def test_unknown_key_and_bad_value_are_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[train]\nepoch = 3\n")
    with pytest.raises(ConfigError, match=r"c.toml.train: unknown key 'epoch'"):
        load_config(path)
    with pytest.raises(ConfigError, match="optim.lr"):
        load_config(None, ["optim.lr=fast"])
