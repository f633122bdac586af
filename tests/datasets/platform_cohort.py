"""A small cohort through the real platform: synthetic DICOM ingested by the archive, read in a campaign.

Two simulated readers read every study through the annotation services and agree with the generator's
ground truth (so every study reaches consensus without adjudication); `overrides` lets a test change
what they say for chosen studies.
"""

import json
from pathlib import Path

from django.contrib.auth.models import Group, User

from annotation.models import Campaign
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from curation.models import IdentityLink, Study, Taxonomy
from curation.services.archive import ingest_paths
from synth.cohort import generate_cohort

TAXONOMY = "head-ct"


def ingest_cohort(out: Path, *, studies: int = 6, seed: int = 5, size: int = 32, slices: int = 4) -> dict:
    """Generate and ingest; returns {original study uid: ground truth record} for the ingested studies."""
    generate_cohort(out, studies=studies, seed=seed, size=size, slices=slices, broken_fraction=0.0,
                    follow_up_rate=0.3, sagittal_images=1)
    ingest_paths([out / "dicom"], source="cli")
    truth = [json.loads(line) for line in (out / "ground_truth.jsonl").read_text().splitlines()]
    return {t["study_instance_uid"]: t for t in truth}


def readers(n: int = 2) -> list[User]:
    group = Group.objects.get(name="radiologist")
    out = []
    for i in range(n):
        user, _ = User.objects.get_or_create(username=f"reader{i}")
        user.groups.add(group)
        out.append(user)
    return out


def read_campaign(name: str, studies: list[Study], truth_by_study: dict[int, set[str]], *,
                  overrides: dict[int, set[str]] | None = None) -> Campaign:
    """A campaign over `studies`, read by two agreeing readers; returns it with every study complete."""
    taxonomy = Taxonomy.objects.get(name=TAXONOMY, version=1)
    pool = readers()
    campaign = campaign_create(name=name, taxonomy=taxonomy, readers=pool, min_reads=2, max_reads=2, gold_every=0)
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    positives = {**truth_by_study, **(overrides or {})}
    for reader in pool:
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            traits = positives.get(assignment.campaign_study.study_id, set())
            read_submit(reader=reader, assignment=assignment, labels=dict.fromkeys(traits, "present"))
    return campaign


def truth_by_study_pk(truth: dict) -> dict[int, set[str]]:
    """Study pk -> positive trait codes, matched through the (admin-only) identity link."""
    links = IdentityLink.objects.select_related("study")
    return {link.study_id: {t["code"] for t in truth[link.original_study_uid]["traits"]} for link in links
            if link.original_study_uid in truth}


def phi_strings() -> set[str]:
    """Every original identifier of the ingested cohort, as it could appear in a file."""
    out = set()
    for link in IdentityLink.objects.all():
        for value in (link.original_study_uid, link.original_patient_id, link.original_accession,
                      link.original_birth_date):
            if value and len(value) >= 4:
                out.add(value)
        for part in link.original_patient_name.replace("^", " ").split():
            if len(part) >= 4:
                out.add(part)
    return out
