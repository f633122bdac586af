"""The demo's remote-pixels step: the first study's series as JPEG-LS, sizes printed, nothing identifying."""

import re

import pytest

from frontend.demo import DemoContext
from frontend.demo_dicomweb import step_remote_pixels
from tests.frontend.conftest import ingest_phantom_studies

pytestmark = pytest.mark.django_db


def test_the_step_says_what_the_remote_reader_receives(tmp_path):
    ingest_phantom_studies(tmp_path, [{"bleed": True}])
    lines = []
    step_remote_pixels(DemoContext(data_dir=tmp_path, out=lines.append))
    assert len(lines) == 1
    ratio = float(re.search(r"ratio (\d+\.\d+)", lines[0]).group(1))
    assert "1.2.840.10008.1.2.4.80 (JPEG-LS lossless)" in lines[0] and ratio > 1.0
    assert "Brotli" in lines[0]
    assert "under 100 Mbit/s" in lines[0]  # where the page's automatic choice turns


def test_the_step_says_so_when_there_is_nothing_to_show(tmp_path):
    lines = []
    step_remote_pixels(DemoContext(data_dir=tmp_path, out=lines.append))
    assert lines == ["remote pixels: no study with an axial series to show"]
