"""Smoke test of a running stack from the outside, with real clients (make stack-test runs it).

    stack_smoke.py load   --web URL --dicom-port N --users users.json --state state.json
    stack_smoke.py verify --web URL --users users.json --state state.json

`load` logs in through the login page, sends one study by STOW-RS (dicomweb-client) and two by C-STORE (dcmtk's
storescu), imports and mines the reports on a worker, reads every study through the API, exports a dataset
version and writes what it saw to state.json; `verify` (after backup and restore into a new deployment) checks
that the restored stack answers the same.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pydicom
import requests
from dicomweb_client.api import DICOMwebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synth.cohort import generate_cohort  # noqa: E402  (plain Python, no Django)

AE_TITLE = "STACKSMOKE"
RADIOLOGISTS = ("smoke-radiologist", "smoke-radiologist2")  # a campaign takes at least two reads a study


def log(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def login(web: str, username: str, password: str) -> requests.Session:
    """The browser's way in: the login page's form with its CSRF token; API calls then send X-CSRFToken."""
    session = requests.Session()
    session.get(f"{web}/login/").raise_for_status()
    response = session.post(f"{web}/login/", data={
        "username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{web}/login/"}, allow_redirects=False)
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login as {username} failed: {response.status_code}")
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = f"{web}/"
    return session


def call(session: requests.Session, method: str, url: str, **kwargs) -> dict:
    response = session.request(method, url, timeout=120, **kwargs)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {url}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else {}


def wait_for(session, url: str, done, what: str, timeout_s: float = 600) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        body = call(session, "GET", url)
        if done(body):
            return body
        if body.get("status") == "failed" or time.monotonic() > deadline:
            raise SystemExit(f"{what} did not finish: {json.dumps(body)[:500]}")
        time.sleep(2)


def read_worklist(web: str, username: str, password: str, campaign_id: int) -> int:
    """One radiologist reads every study the worklist hands out ("no findings"); returns how many."""
    session = login(web, username, password)
    reads = 0
    while True:
        response = session.post(f"{web}/api/annotation/campaigns/{campaign_id}/next/", timeout=60)
        if response.status_code == 204:
            return reads
        if response.status_code != 200:
            raise SystemExit(f"worklist next for {username}: {response.status_code} {response.text[:300]}")
        assignment = response.json()["assignment_id"]
        call(session, "POST", f"{web}/api/annotation/assignments/{assignment}/submit/",
             json={"no_findings": True, "time_spent_s": 12})
        reads += 1


def load(args) -> None:
    web, users = args.web.rstrip("/"), json.loads(Path(args.users).read_text())
    api = f"{web}/api"
    work = Path(tempfile.mkdtemp(prefix="radcurate-smoke-"))
    generate_cohort(work / "cohort", studies=3, seed=7, size=64, slices=8, broken_fraction=0.0,
                    follow_up_rate=0.0, sagittal_images=0)
    studies = sorted(p for p in (work / "cohort" / "dicom").iterdir() if p.is_dir())
    curator = login(web, "smoke-curator", users["smoke-curator"])
    log("logged in through the login page as smoke-curator")

    stow = DICOMwebClient(url=f"{web}/dicomweb", session=curator)
    datasets = [pydicom.dcmread(p) for p in sorted(studies[0].rglob("*.dcm"))]
    stow.store_instances(datasets)
    log(f"STOW-RS: {len(datasets)} instances of one study stored with dicomweb-client")

    admin = login(web, "smoke-admin", users["smoke-admin"])
    call(admin, "POST", f"{api}/archive/nodes/", json={
        "ae_title": AE_TITLE, "host": "0.0.0.0/0", "description": "stack smoke test", "may_store": True})
    files = [str(p) for study in studies[1:] for p in sorted(study.rglob("*.dcm"))]
    subprocess.run(["storescu", "-aet", AE_TITLE, "-aec", "RADCURATE", "127.0.0.1", str(args.dicom_port), *files],
                   check=True, capture_output=True, timeout=300)
    log(f"C-STORE: {len(files)} instances of two studies sent with dcmtk storescu")
    n_studies = len(stow.search_for_studies())
    assert n_studies == 3, f"QIDO-RS finds {n_studies} studies, expected 3"

    with open(work / "cohort" / "reports.csv", "rb") as handle:
        imported = call(curator, "POST", f"{api}/reports/import/", files={"file": ("reports.csv", handle)})
    run = call(curator, "POST", f"{api}/reports/mining-runs/", json={})
    run = wait_for(curator, f"{api}/reports/mining-runs/{run['id']}/", lambda b: b["status"] == "done",
                   "the mining run")
    log(f"reports imported ({imported.get('created')} new) and mined on a worker: run {run['id']} {run['status']}")

    taxonomy = call(curator, "GET", f"{api}/taxonomies/")["results"][0]
    uids = [s["0020000D"]["Value"][0] for s in stow.search_for_studies()]
    campaign = call(curator, "POST", f"{api}/annotation/campaigns/", json={
        "name": "stack smoke", "taxonomy_id": taxonomy["id"], "readers": list(RADIOLOGISTS),
        "min_reads": 2, "max_reads": 2})
    call(curator, "POST", f"{api}/annotation/campaigns/{campaign['id']}/studies/", json={"study_uids": uids})
    call(curator, "POST", f"{api}/annotation/campaigns/{campaign['id']}/activate/")
    reads = {name: read_worklist(web, name, users[name], campaign["id"]) for name in RADIOLOGISTS}
    assert list(reads.values()) == [3, 3], f"reads submitted: {reads}, expected 3 each"
    log(f"reads: {reads} submitted through the API (worklist next, submit)")

    trainer = login(web, "smoke-trainer", users["smoke-trainer"])
    version = call(trainer, "POST", f"{api}/datasets/versions/", json={
        "name": "smoke", "taxonomy_id": taxonomy["id"], "campaign_ids": [campaign["id"]], "image_size": 64,
        "split_fractions": [0.34, 0.33, 0.33]})
    # Creating the version queues its export on a worker.
    version = wait_for(trainer, f"{api}/datasets/versions/{version['id']}/", lambda b: b["status"] == "published",
                       "the dataset export")
    log(f"dataset smoke v{version['version']} exported on a worker: {version['status']}, "
        f"content hash {version['content_hash'][:16]}")
    state = {"studies": n_studies, "reads": reads["smoke-radiologist"], "version_id": version["id"],
             "content_hash": version["content_hash"], "mining_run": run["id"]}
    Path(args.state).write_text(json.dumps(state))


def verify(args) -> None:
    web, users = args.web.rstrip("/"), json.loads(Path(args.users).read_text())
    state = json.loads(Path(args.state).read_text())
    trainer = login(web, "smoke-trainer", users["smoke-trainer"])
    version = call(trainer, "GET", f"{web}/api/datasets/versions/{state['version_id']}/")
    assert (version["status"], version["content_hash"]) == ("published", state["content_hash"]), version
    archive = trainer.get(f"{web}/api/datasets/versions/{state['version_id']}/archive.tar", timeout=300)
    assert archive.status_code == 200 and len(archive.content) > 10_000, archive.status_code
    curator = login(web, "smoke-curator", users["smoke-curator"])
    studies = DICOMwebClient(url=f"{web}/dicomweb", session=curator).search_for_studies()
    assert len(studies) == state["studies"], f"{len(studies)} studies after restore, {state['studies']} before"
    run = call(curator, "GET", f"{web}/api/reports/mining-runs/{state['mining_run']}/")
    assert run["status"] == "done", run
    radiologist = login(web, "smoke-radiologist", users["smoke-radiologist"])
    reads = call(radiologist, "GET", f"{web}/api/annotation/reads/")["count"]
    assert reads == state["reads"], f"{reads} reads after restore, {state['reads']} before"
    log(f"after restore: {len(studies)} studies, {reads} reads, mining run done, dataset v{version['version']} "
        f"published with the same content hash, its archive downloads ({len(archive.content)} bytes)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["load", "verify"])
    parser.add_argument("--web", required=True)
    parser.add_argument("--dicom-port", type=int, default=11112)
    parser.add_argument("--users", required=True)
    parser.add_argument("--state", required=True)
    arguments = parser.parse_args()
    load(arguments) if arguments.phase == "load" else verify(arguments)
