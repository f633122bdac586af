"""Statements per request of the paged endpoints, on the scale fixture at a small size (60 studies x 160 instances,
three reads each, mined reports, audit trail): a page costs the same statements whatever its length, and at most
the pinned number. An N+1 query (one per row of the page) fails here before it meets 30,000 studies.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotation.models import Campaign
from frontend.scale.build import ScaleSize, build_scale_fixture
from reports_nlp.models import MiningRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale(db):
    build_scale_fixture(ScaleSize(0.002), progress=lambda _: None, vacuum=False)
    from django.contrib.auth.models import User

    from curation.models import Study

    study = Study.objects.filter(study_uid__startswith="2.25.9").select_related("primary_series", "patient").first()
    return {
        "campaign": Campaign.objects.get(name="paper-scale"),
        "run": MiningRun.objects.order_by("-pk").first(),
        "study": study,
        "reader": User.objects.filter(username__startswith="scale-reader-").first(),
        "staff": User.objects.get(username="scale-curator"),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _statements(client: Client, url: str) -> int:
    client.get(url)  # the first request fills per-process caches (taxonomy index, content types)
    connection.queries_log.clear()  # a request resets the log: the capture must start from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(queries)


def _urls(s) -> dict[str, tuple[str, int]]:
    """name -> (URL with {n} for the page length, the most statements allowed)."""
    study, series = s["study"].study_uid, s["study"].primary_series.series_uid
    campaign = s["campaign"].pk
    return {
        "qido studies": ("/dicomweb/studies?ModalitiesInStudy=CT&limit={n}", 4),
        "qido series": ("/dicomweb/series?Modality=CT&limit={n}", 4),
        "qido instances": (f"/dicomweb/studies/{study}/series/{series}/instances?limit={{n}}", 4),
        "campaign studies api": (f"/api/annotation/campaigns/{campaign}/studies/?limit={{n}}", 8),
        "audit api": (f"/api/annotation/audit/?campaign={campaign}&limit={{n}}", 6),
    }


def test_a_page_costs_the_same_statements_whatever_its_length(scale):
    """One build of the fixture for every endpoint (it takes a while): each keeps its statements for 2 and 40 rows."""
    staff, reader = _client(scale["staff"]), _client(scale["reader"])
    for name, (url, most) in _urls(scale).items():
        client = staff if "api" in name else reader
        short, long = _statements(client, url.format(n=2)), _statements(client, url.format(n=40))
        assert long > 0, f"{name}: no statement captured (the capture itself is broken)"
        assert short == long, f"{name}: {short} statements for 2 rows, {long} for 40 (a query per row?)"
        assert long <= most, f"{name}: {long} statements, pinned at {most}"


def test_pages_and_series_metadata_stay_within_their_pinned_statements(scale):
    staff, reader = _client(scale["staff"]), _client(scale["reader"])
    campaign, run = scale["campaign"].pk, scale["run"].pk
    for url, most in ((f"/campaigns/{campaign}/", 30), (f"/reports/candidates/?run={run}&trait=lacune", 16),
                      (f"/reports/candidates/?run={run}", 16),
                      (f"/api/annotation/campaigns/{campaign}/agreement/?n_boot=20", 8)):
        assert _statements(staff, url) <= most, url
    study = scale["study"]
    url = f"/dicomweb/studies/{study.study_uid}/series/{study.primary_series.series_uid}/metadata"
    assert _statements(reader, url) <= 3  # one statement for all 156 documents, whatever the series length
    assert len(reader.get(url).json()) == 156


def test_the_agreement_table_reads_the_campaign_in_a_few_statements(scale):
    """Computed afresh: the labels in one statement (arrays), the reads without labels, the traits, the groups;
    served from the shared cache: the reads' fingerprint alone. Never a statement per trait, study or reader."""
    from annotation.selectors.agreement import agreement_table

    campaign = scale["campaign"]
    with CaptureQueriesContext(connection) as computed:
        table = agreement_table(campaign=campaign, n_boot=20, cached=False)
    with CaptureQueriesContext(connection) as cached:
        assert agreement_table(campaign=campaign, n_boot=20) == table
    assert table["n_studies"] > 50 and len(table["traits"]) == 35  # studies with a read (a few open have none)
    assert len(computed) <= 8, [q["sql"][:120] for q in computed.captured_queries]
    assert len(cached) == 1
