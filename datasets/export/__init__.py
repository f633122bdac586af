"""The dataset writer: pure functions and files, no Django, so they are tested on plain data.

`datasets.services` feeds them from the archive and the annotation engine; the directory they
write is the `radcurate-dataset/1` format of docs/dataset-format.md.
"""
