"""The campaign overview: studies a page at a time, filtered by status or by a trait consensus calls present, and the
agreement forest plot, recomputed once reads change (the figures are cached between reads)."""

import re

import pytest
from django.test import Client

from annotation.selectors.agreement import agreement_forest
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import CURATOR
from curation.models import Taxonomy
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.conftest import PASSWORD, make_user, restore_migration_data

pytestmark = pytest.mark.django_db


def _read_all(campaign, readers, positives) -> None:
    """Both readers read every study; `positives(study_index, reader_index)` -> the traits that reader calls."""
    order = {cs.pk: i for i, cs in enumerate(campaign.campaign_studies.order_by("id"))}
    for r, reader in enumerate(readers):
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            labels = dict.fromkeys(positives(order[assignment.campaign_study_id], r), "present")
            read_submit(reader=reader, assignment=assignment, labels=labels)


@pytest.fixture
def read_campaign(db):
    restore_migration_data()
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    readers = make_readers(2)
    campaign = make_campaign(taxonomy, studies=make_studies(60), readers=readers, min_reads=2, max_reads=2,
                             priority_policy="sequential")
    # Lacune on every third study, both agree; sinus pathology on every fifth, the second reader misses some.
    _read_all(campaign, readers, lambda i, r: (["lacune"] if i % 3 == 0 else [])
              + (["sinus_pathology"] if i % 5 == 0 and not (r == 1 and i % 10 == 0) else []))
    make_user("curator1", CURATOR)
    client = Client()
    assert client.login(username="curator1", password=PASSWORD)
    return campaign, client


def _studies(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-study="(\d+)" data-status="(\w+)">', html)


def test_the_studies_come_a_page_at_a_time_and_filter(read_campaign):
    campaign, client = read_campaign
    url = f"/campaigns/{campaign.pk}/"
    first = client.get(url).content.decode()
    assert len(_studies(first)) == 50 and "Page 1 of 2" in first and "Studies and consensus (60)" in first
    second = client.get(f"{url}?page=2").content.decode()
    assert len(_studies(second)) == 10
    assert not {s for s, _ in _studies(first)} & {s for s, _ in _studies(second)}
    lacune = client.get(f"{url}?trait=lacune").content.decode()
    assert len(_studies(lacune)) == 20 and "Page 1 of 1" in lacune
    complete = client.get(f"{url}?status=complete").content.decode()
    assert {status for _, status in _studies(complete)} == {"complete"}
    assert client.get(f"{url}?page=x").status_code == 404
    assert len(_studies(client.get(f"{url}?status=nonsense").content.decode())) == 50  # unknown filter: none


def test_the_forest_plot_shows_the_called_traits_and_follows_new_reads(read_campaign):
    campaign, client = read_campaign
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    plot = html[html.index('<svg id="forest-plot"'):html.index("</svg>")]
    assert {"lacune", "sinus_pathology"} == set(re.findall(r'<g data-trait="(\w+)"', plot))
    assert plot.count("<circle") == 6  # three figures for each of the two traits
    before = agreement_forest(campaign=campaign)
    lacune = next(t for t in before["traits"] if t["trait"] == "lacune")
    assert lacune["fleiss_kappa"]["value"] == pytest.approx(1.0)
    # A third reader who disagrees: the cached figures are replaced, not served stale.
    extra = make_readers(1)[0]
    campaign.readers.add(extra)
    campaign.campaign_studies.update(target_reads=3)
    campaign.campaign_studies.update(status="open")
    _read_all(campaign, [extra], lambda i, r: ["lacune"] if i % 3 == 1 else [])
    after = next(t for t in agreement_forest(campaign=campaign)["traits"] if t["trait"] == "lacune")
    assert after["fleiss_kappa"]["value"] < 0.5
