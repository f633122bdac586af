"""Annotation fixtures: the published default taxonomy, tiny studies, reader pools and ready campaigns."""

import itertools

import pytest

from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import RADIOLOGIST
from curation.models import Patient, Series, Study, Taxonomy
from tests.conftest import make_user, restore_migration_data

_counter = itertools.count(1)


def ensure_migration_data() -> None:
    """The migrations' data after a committing test's flush (one implementation, in tests/conftest.py)."""
    restore_migration_data()


@pytest.fixture
def taxonomy(db) -> Taxonomy:
    ensure_migration_data()
    return Taxonomy.objects.get(name="head-ct", version=1)


def make_studies(n: int, *, slices: int = 32) -> list[Study]:
    """Bare de-identified studies with an axial primary series of `slices` instances (no pixel data needed)."""
    studies = []
    for _ in range(n):
        i = next(_counter)
        patient = Patient.objects.create(pseudonym=f"P{i:06d}")
        study = Study.objects.create(study_uid=f"2.25.{1000 + i}", patient=patient, accession_pseudonym=f"A{i:06d}")
        series = Series.objects.create(series_uid=f"2.25.{900000 + i}", study=study, kind="axial", n_instances=slices)
        study.primary_series = series
        study.save(update_fields=["primary_series"])
        studies.append(study)
    return studies


@pytest.fixture
def studies(db):
    return make_studies


def make_readers(n: int, prefix: str = "reader"):
    return [make_user(f"{prefix}{next(_counter)}", RADIOLOGIST) for _ in range(n)]


@pytest.fixture
def readers(db):
    return make_readers


def make_campaign(taxonomy, *, studies, readers, adjudicators=(), gold=None, activate=True, **fields):
    fields.setdefault("gold_every", 0)
    campaign = campaign_create(name=f"campaign-{next(_counter)}", taxonomy=taxonomy, readers=readers,
                               adjudicators=adjudicators, **fields)
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies], gold=gold)
    if activate:
        campaign_activate(campaign=campaign)
    return campaign


def make_voted_campaign(trait: str, votes: list[tuple[int, ...]]):
    """A campaign on the default taxonomy in which every reader reads every study: `votes[i][k]` is reader k's call
    of `trait` on study i (1 present, 0 not marked). Returns the campaign, its studies and its readers."""
    studies, readers = make_studies(len(votes)), make_readers(len(votes[0]))
    campaign = make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=studies, readers=readers,
                             min_reads=len(readers), max_reads=len(readers))
    row = {s.pk: i for i, s in enumerate(studies)}
    for k, reader in enumerate(readers):
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            vote = votes[row[assignment.campaign_study.study_id]][k]
            read_submit(reader=reader, assignment=assignment, labels={trait: "present"} if vote else {})
    return campaign, studies, readers


def sql_statements(ctx) -> list[str]:
    """What a CaptureQueriesContext saw, less savepoints: those are the test's own transaction at work, not round
    trips a service makes in production (the critical paths' statement counts)."""
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.fixture
def campaign_factory(taxonomy):
    def factory(**kwargs):
        return make_campaign(taxonomy, **kwargs)

    return factory
