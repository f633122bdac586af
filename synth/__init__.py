"""The synthetic head-CT hospital: DICOM studies, radiology reports and ground truth, generated offline.

Entry point: `synth.cohort.generate_cohort`; `python manage.py synth_cohort` wraps it.
"""
