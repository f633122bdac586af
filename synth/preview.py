"""Contact sheet of what the generator draws: one labelled brain-window slice per rendered trait.

Each tile is the same gallery patient rendered with one trait alone, at the slice where that
trait changes the most pixels, so a person can judge every finding against normal anatomy.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from curation.default_taxonomy import BY_CODE
from synth import findings
from synth.anatomy import sample_head
from synth.geometry import Geometry
from synth.render import INTERCEPT, render_volume
from synth.streams import stream

GALLERY_INDEX = 1_000_000  # a study index outside any cohort, so the gallery patient is its own
BRAIN_WINDOW = (40.0, 80.0)


def window(stored_slice: np.ndarray, center: float = BRAIN_WINDOW[0], width: float = BRAIN_WINDOW[1]) -> np.ndarray:
    hu = stored_slice.astype(np.float32) + INTERCEPT
    return (np.clip((hu - (center - width / 2)) / width, 0, 1) * 255).astype(np.uint8)


def gallery_traits() -> list[str]:
    """Every trait that is drawn itself (derived parents have no pixels of their own)."""
    return list(findings.MODIFIERS) + list(findings.PAINTERS)


def render_gallery(seed: int, size: int, slices: int, traits: list[str] | None = None, age: float = 62.0):
    """Yield (trait, slice index, windowed tile) for each trait, plus the normal study first."""
    geom = Geometry(size, slices)
    params = sample_head(stream(seed, GALLERY_INDEX, "anatomy"), age)
    normal = render_volume(geom, params, set(), seed, GALLERY_INDEX)
    yield "normal", slices // 2, window(normal.stored[slices // 2])
    for code in traits or gallery_traits():
        vol = render_volume(geom, params, {code}, seed, GALLERY_INDEX)
        diff = np.abs(vol.noiseless - normal.noiseless).sum(axis=(1, 2))
        k = int(np.argmax(diff))
        yield code, k, window(vol.stored[k])


def write_preview(path, *, seed: int = 0, size: int = 256, slices: int = 32, tile: int = 200, columns: int = 6,
                  traits: list[str] | None = None) -> Path:
    """Write the contact sheet PNG and return its path."""
    tiles = []
    font = ImageFont.load_default()
    for code, k, img in render_gallery(seed, size, slices, traits):
        im = Image.fromarray(img).resize((tile, tile), Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(im)
        label = "Normal" if code == "normal" else BY_CODE[code].name
        draw.rectangle([0, 0, tile, 13], fill=0)
        draw.text((3, 1), f"{label} [{k}]", fill=255, font=font)
        tiles.append(im)
    rows = (len(tiles) + columns - 1) // columns
    sheet = Image.new("L", (columns * tile, rows * tile), 0)
    for i, im in enumerate(tiles):
        sheet.paste(im, ((i % columns) * tile, (i // columns) * tile))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    return path
