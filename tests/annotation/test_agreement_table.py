"""The campaign agreement table: its reads come in one query as arrays, as reading slots (the same ratings as
reading them row by row), and the table stays in the shared Redis cache until a read is submitted or amended."""

import numpy as np
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotation.models import Read
from annotation.selectors.agreement import CODES, agreement_table, campaign_reads
from annotation.selectors.reads import reads_current_qs
from annotation.services.campaigns import campaign_add_studies
from annotation.services.reads import read_amend, read_submit
from annotation.services.worklist import worklist_next


def _row_by_row(campaign, codes):
    """The matrices as the table built them before: every (entry, reader, trait code, state) row through the ORM."""
    rows = list(reads_current_qs().filter(assignment__campaign=campaign).values_list(
        "assignment__campaign_study_id", "assignment__reader_id", "labels__trait__code", "labels__state"))
    studies, readers = sorted({r[0] for r in rows}), sorted({r[1] for r in rows})
    mats = {code: np.full((len(studies), len(readers)), -1) for code in codes}
    for study, reader, code, state in rows:
        if code in mats:
            mats[code][studies.index(study), readers.index(reader)] = CODES[state]
    return mats, studies, readers


def _dense(slots):
    """Reading slots back to a (studies x readers) matrix."""
    out = np.full((len(slots.codes), slots.n_readers), -1)
    rows, cols = np.nonzero(slots.readers >= 0)
    out[rows, slots.readers[rows, cols]] = slots.codes[rows, cols]
    return out


def _read_everything(campaign, readers, positives):
    for reader in readers:
        i = 0
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            read_submit(reader=reader, assignment=assignment,
                        labels={code: state for code, state in positives(i, reader).items()})
            i += 1


@pytest.fixture
def read_campaign(campaign_factory, studies, readers):
    a, b, c = readers(3)
    campaign = campaign_factory(studies=studies(6), readers=[a, b, c], min_reads=2, max_reads=2)
    _read_everything(campaign, [a, b, c], lambda i, r: {"lacune": "present"} if (i + r.pk) % 3 == 0 else
                     {"sinus_pathology": "uncertain"} if i % 2 else {})
    return campaign, (a, b, c)


def test_the_arrays_give_the_row_by_row_matrices(read_campaign, studies, readers):
    campaign, _ = read_campaign
    # A submitted read without label rows still counts its study and reader (the rows' outer join did).
    extra = readers(1)[0]
    campaign.readers.add(extra)
    campaign_add_studies(campaign=campaign, study_ids=[studies(1)[0].pk])
    Read.objects.create(assignment=worklist_next(reader=extra, campaign=campaign), status=Read.Status.SUBMITTED)
    codes = [t.code for t in campaign.taxonomy.traits.order_by("display_order", "code")]
    reads = campaign_reads(campaign, codes)
    expected, expected_studies, expected_readers = _row_by_row(campaign, codes)
    assert (reads.studies, reads.readers) == (expected_studies, expected_readers)
    assert len(reads.studies) == 7 and extra.pk in reads.readers
    mats = {code: _dense(reads.slots[code]) for code in codes}
    for code in codes:
        assert np.array_equal(mats[code], expected[code]), code
    assert (mats["lacune"] == CODES["present"]).any() and (mats["sinus_pathology"] == CODES["uncertain"]).any()


def test_the_table_is_shared_until_a_read_changes(read_campaign, readers):
    campaign, (a, _, _) = read_campaign
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")  # the suite runs with Redis, as deployed
    first = agreement_table(campaign=campaign, n_boot=50)
    with CaptureQueriesContext(connection) as queries:
        again = agreement_table(campaign=campaign, n_boot=50)
    assert again == first and len(queries) == 1  # the reads' fingerprint, then the cache
    key = f"radcurate:*agreement-table:50:0:0:{campaign.pk}:{campaign.created_at.timestamp()}:*"
    stored = redis.Redis.from_url(settings.REDIS_URL).keys(key)
    assert len(stored) == 1  # in Redis: every web and Celery worker reads the same entry

    # An amendment (same number of reads) makes a new table.
    read = reads_current_qs().filter(assignment__campaign=campaign, assignment__reader=a).first()
    read_amend(reader=a, read=read, labels={"lacune": "present", "hydrocephalus": "present"}, reason="second look")
    amended = agreement_table(campaign=campaign, n_boot=50)
    hydro = next(t for t in amended["traits"] if t["trait"] == "hydrocephalus")
    assert hydro["positive_rate"] > 0 and amended != first

    # A new reader's read: a new table with the reader counted.
    extra = readers(1)[0]
    campaign.readers.add(extra)
    campaign.campaign_studies.update(target_reads=3, status="open")
    read_submit(reader=extra, assignment=worklist_next(reader=extra, campaign=campaign), labels={})
    assert agreement_table(campaign=campaign, n_boot=50)["n_readers"] == first["n_readers"] + 1
