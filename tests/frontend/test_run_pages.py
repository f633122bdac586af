"""The trainer's run pages: report with intervals and plots, comparison; roles; no PHI on any of them."""

import pytest
from django.test import Client

from curation.models import Study
from datasets.services.model_runs import model_run_import
from tests.conftest import PASSWORD
from tests.datasets.platform_cohort import ingest_cohort, phi_strings
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db


def _login(users, role) -> Client:
    client = Client()
    assert client.login(username=users[role].username, password=PASSWORD)
    return client


@pytest.fixture
def two_runs(tmp_path):
    ingest_cohort(tmp_path / "cohort", studies=3)
    uids = list(Study.objects.order_by("study_uid").values_list("study_uid", flat=True))
    first = model_run_import(run_dir=write_run(tmp_path / "a", uids, auroc=0.81), name="baseline")
    second = model_run_import(run_dir=write_run(tmp_path / "b", uids, auroc=0.88), name="bigger model")
    return first, second


def test_trainer_sees_the_report_plots_and_the_comparison_without_phi(users, two_runs, api_for):
    first, second = two_runs
    trainer = _login(users, "trainer")
    pages = {
        "list": trainer.get("/runs/"),
        "run": trainer.get(f"/runs/{first.pk}/"),
        "compare": trainer.get(f"/runs/{first.pk}/compare/{second.pk}/"),
        "api-run": api_for("trainer").get(f"/api/datasets/runs/{first.pk}/"),
        "api-list": api_for("trainer").get("/api/datasets/runs/"),
    }
    assert all(r.status_code == 200 for r in pages.values()), {k: r.status_code for k, r in pages.items()}
    run_page = pages["run"].content.decode()
    assert "0.810 [0.760, 0.840]" in run_page  # AUROC with its interval
    assert f'href="/runs/{first.pk}/compare/{second.pk}/"' in run_page  # the other run offered for comparison
    assert f'/compare/{first.pk}/"' not in run_page  # never itself
    plot = trainer.get(f"/runs/{first.pk}/plots/roc-intracranial_hemorrhage.png")
    assert plot.status_code == 200 and plot["Content-Type"] == "image/png"
    assert trainer.get(f"/runs/{first.pk}/plots/../../secret_key").status_code == 404
    assert "0.070" in pages["compare"].content.decode()  # AUROC difference b - a
    phi = phi_strings()
    assert phi
    for name, response in pages.items():
        text = response.content.decode()
        leaked = [s for s in phi if s in text]
        assert not leaked, f"{name} shows PHI: {leaked}"


def test_radiologists_do_not_see_model_runs(users, two_runs):
    radiologist = _login(users, "radiologist")
    first, _ = two_runs
    assert radiologist.get("/runs/").status_code == 403
    assert radiologist.get(f"/runs/{first.pk}/").status_code == 403
    assert radiologist.get(f"/runs/{first.pk}/plots/roc-intracranial_hemorrhage.png").status_code == 403


def test_the_priorities_pages_show_no_phi(users, two_runs):
    from curation.models import Taxonomy
    from tests.annotation.conftest import make_campaign, make_readers

    studies = list(Study.objects.order_by("study_uid"))
    campaign = make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=studies,
                             readers=make_readers(2))
    trainer = _login(users, "trainer")
    first, _ = two_runs
    pages = {
        "index": trainer.get("/priorities/"),
        "campaign": trainer.get(f"/priorities/campaigns/{campaign.pk}/?run={first.pk}"),
        "pushed": trainer.post(f"/priorities/campaigns/{campaign.pk}/push/", {"run": first.pk}, follow=True),
    }
    assert all(r.status_code == 200 for r in pages.values()), {k: r.status_code for k, r in pages.items()}
    assert "3 studies re-ranked" in pages["pushed"].content.decode()
    phi = phi_strings()
    for name, response in pages.items():
        leaked = [s for s in phi if s in response.content.decode()]
        assert not leaked, f"{name} shows PHI: {leaked}"
    assert _login(users, "radiologist").get("/priorities/").status_code == 403
    assert trainer.get(f"/priorities/campaigns/{campaign.pk}/?run=abc").status_code == 404
