"""Pure-PyTorch training and evaluation for RadCurate: reads a dataset directory, writes a run directory.

Imports no Django and no app of the platform; the two sides meet only through files
(docs/dataset-format.md in, docs/run-format.md out).
"""

__version__ = "0.1.0"
