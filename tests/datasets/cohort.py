"""A tiny plain-data cohort for the writer's tests: studies, consensus labels, reads and volumes in memory."""

import numpy as np

from curation.default_taxonomy import BY_CODE, HIGH_CODES
from datasets.export.plan import ExportSpec
from datasets.export.records import LabelInput, ReadInput, StudyInput, Volume
from datasets.export.splits import SplitPolicy

TRAITS = ("intracranial_hemorrhage", "intracranial_mass", "fracture", "sinus_pathology")


def trait_rows(codes=TRAITS) -> tuple[dict, ...]:
    return tuple({"code": c, "name": BY_CODE[c].name, "significance": BY_CODE[c].significance,
                  "parent": BY_CODE[c].parent, "prevalence": BY_CODE[c].prevalence} for c in codes)


def make_spec(seed=0, size=(16, 16), chunk_studies=3, **extra) -> ExportSpec:
    return ExportSpec(name="tiny", traits=trait_rows(), policy=SplitPolicy(seed, (0.6, 0.2, 0.2), HIGH_CODES),
                      size=size, chunk_studies=chunk_studies, provenance={"taxonomy": "head-ct", "taxonomy_version": 1},
                      agreement={"intracranial_hemorrhage": {"fleiss_kappa": 0.8}}, **extra)


def make_cohort(n_patients=8, studies_per_patient=2, seed=0):
    """Studies with deterministic labels and reads; every third patient has hemorrhage."""
    rng = np.random.default_rng(seed)
    studies, labels, reads, volumes = [], [], [], {}
    for p in range(n_patients):
        for k in range(studies_per_patient):
            sid = f"2.25.{p}{k}"
            studies.append(StudyInput(study_id=sid, patient_id=f"P{p:03d}", volume_ref=f"ref-{sid}"))
            n = 3 + (p + k) % 3
            volumes[f"ref-{sid}"] = Volume(rng.integers(-1000, 1500, (n, 32, 32)).astype(np.int16), (0.5, 0.5), 5.0)
            for trait in TRAITS:
                positive = int((trait == "intracranial_hemorrhage" and p % 3 == 0) or (trait == "sinus_pathology" and k))
                ranges = ((1, 2),) if positive else ()
                labels.append(LabelInput(sid, trait, positive, float(positive), 2, False, ranges))
                for reader in ("r1", "r2"):
                    reads.append(ReadInput(sid, reader, trait, "present" if positive else "absent", ranges))
    return studies, labels, reads, volumes
