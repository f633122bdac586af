"""Independent random streams per (seed, study, purpose), so a study never depends on generation order."""

import zlib

import numpy as np


def stream(seed: int, index: int, purpose: str) -> np.random.Generator:
    """A generator for one purpose of one study; adding a trait never perturbs another purpose's draws."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, zlib.crc32(purpose.encode())])))
