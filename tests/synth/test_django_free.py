"""The synthetic hospital and the simulated readers are plain Python: importing them loads no Django."""

import os
import subprocess
import sys
from pathlib import Path

MODULES = ["synth.cohort", "synth.preview", "synth.readers", "synth.broken", "synth.prevalence", "training"]


def test_synth_and_training_import_without_django():
    probe = f"import sys; import {', '.join(MODULES)}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "[]", done.stdout
