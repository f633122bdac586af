"""The paper-scale fixture: an archive, reports, a campaign and a dataset version of a given size, written fast.

A benchmark input (bench/bench_scale.py), and at a tiny size the data of the statement-count test. At scale 1.0:
30,000 studies of 160 instances (4.8 million instance rows with the DICOM JSON ingest writes), 80 sites, 50 scanner models, 30,000 reports with
mined findings, one campaign of every study with three reads each and consensus, and a dataset version
definition over it (not exported). Pixel files are the few real files of one ingested seed study, shared by
content address. The entry point is `frontend.scale.build`.
"""
