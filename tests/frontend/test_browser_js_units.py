"""The viewer's and the form's pure rules (read state, hierarchy, slice ranges, layout, slice order, presets),
unit-tested in Node with its built-in runner; the browser flow tests exercise the same code through the page."""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

FRONTEND = Path(settings.BASE_DIR) / "frontend"


def test_javascript_unit_tests_pass():
    node = shutil.which("node")
    assert node, "Node.js is needed to build the frontend and to run its unit tests."
    run = subprocess.run([node, "--test", "src/tests/"], cwd=FRONTEND, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
