"""Every annotation list endpoint pages: more rows than a page, reached to the last one through `next`."""

import pytest

from annotation.models import AdjudicationTask, AuditEvent
from annotation.services.priorities import priority_set
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import ADMIN
from tests.annotation.conftest import make_campaign
from tests.annotation.test_api import BASE, client_for
from tests.conftest import make_user
from tests.pagination import assert_walked


@pytest.fixture
def busy(taxonomy, studies, readers):
    """Three active campaigns for one reader; in the first, five studies, five reads and three open adjudications."""
    alice, bob, carol = readers(3)
    (senior,) = readers(1, prefix="senior")
    entries = studies(5)
    first = make_campaign(taxonomy, studies=entries, readers=[alice, bob, carol], adjudicators=[senior],
                          min_reads=2, max_reads=3)
    others = [make_campaign(taxonomy, studies=studies(1), readers=[alice, bob]) for _ in range(2)]
    for reader, n in ((alice, 3), (bob, 1), (carol, 1)):
        for _ in range(n):
            read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=first), labels={})
    for entry in first.campaign_studies.all()[:3]:
        AdjudicationTask.objects.create(campaign_study=entry, traits={"fracture": "tie"})
    priority_set(campaign=first, scores={s.pk: (0.1 * i, "test") for i, s in enumerate(entries)}, source="test")
    return {"campaign": first, "others": others, "alice": alice, "senior": senior, "studies": entries}


def test_campaign_lists_page_through_next(busy, api_for):
    cid, curator = busy["campaign"].pk, api_for("curator")
    assert_walked(curator, f"{BASE}/campaigns/", 3)
    assert_walked(curator, f"{BASE}/campaigns/{cid}/studies/", 5)
    assert_walked(curator, f"{BASE}/campaigns/{cid}/priorities/", 5, key="study_id")
    assert_walked(curator, f"{BASE}/campaigns/{cid}/assignments/", 5)
    assert_walked(curator, f"{BASE}/campaigns/{cid}/consensus/?all=1", 5, key="study_id")
    assert_walked(curator, f"{BASE}/campaigns/{cid}/readers/", 3, key="reader")


def test_a_readers_lists_page_through_next(busy):
    alice = client_for(busy["alice"])
    assert_walked(alice, f"{BASE}/worklist/", 3, key="campaign_id")
    assert_walked(alice, f"{BASE}/assignments/", 3)
    assert_walked(alice, f"{BASE}/reads/", 3)
    assert_walked(client_for(busy["senior"]), f"{BASE}/adjudications/", 3)
    # Filters survive in `next`: the campaign filter of the assignments list is kept page after page.
    assert_walked(alice, f"{BASE}/assignments/?campaign={busy['campaign'].pk}", 3)


def test_audit_pages_through_next(busy):
    admin = client_for(make_user("chief", ADMIN))
    assert_walked(admin, f"{BASE}/audit/", AuditEvent.objects.count())


def test_no_list_is_cut_at_its_old_cap(busy, settings):
    """The reads list used to stop at 500 rows without a word; now a page says how many there are in all."""
    alice = client_for(busy["alice"])
    body = alice.get(f"{BASE}/reads/?limit=1").json()
    assert (body["count"], len(body["results"])) == (3, 1) and "offset=1" in body["next"]
    largest = alice.get(f"{BASE}/reads/?limit=1000").json()  # the largest page
    assert largest["count"] == 3 and len(largest["results"]) == 3 and largest["next"] is None
    refused = alice.get(f"{BASE}/reads/?limit=100000")  # above it: a 400 that says the range, never a silent cap
    assert refused.status_code == 400 and "from 1 to 1000" in refused.json()["limit"][0]
