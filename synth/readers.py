"""Simulated readers: play N radiologists with per-trait sensitivity and specificity against a cohort's ground truth,
through the same REST API the browser uses, and measure how well consensus and Dawid–Skene recover the truth.

Plain Python: the API is any object with `call(method, path, data) -> (status, body)`: `HttpApi` here for a
running server, or the platform's in-process test client (annotation's `simulate_readers` command). Ground truth
comes keyed by the cohort's original study UIDs, or by whatever `map_uid` turns them into (the archive's
de-identified UIDs).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from synth.study import finding_spans

API = "/api/annotation"


def _same(uid: str) -> str:
    return uid


@dataclass(frozen=True)
class ReaderProfile:
    sensitivity: float
    specificity: float
    per_trait: dict = field(default_factory=dict)  # code -> (sensitivity, specificity)
    seconds_per_study: float = 90.0

    def rates(self, code: str) -> tuple[float, float]:
        return self.per_trait.get(code, (self.sensitivity, self.specificity))


def _truth_records(source, map_uid: Callable[[str], str]):
    """(mapped study UID, record) per line of a cohort's ground_truth.jsonl, with its line in errors."""
    for n, line in enumerate(Path(source).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield map_uid(record["study_instance_uid"]), record
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{source}, line {n}: not a ground-truth record ({exc})") from exc


def load_ground_truth(source, *, map_uid: Callable[[str], str] = _same) -> dict[str, set[str]]:
    """Positive trait codes per study UID: from the synthetic cohort's `ground_truth.jsonl` (its UIDs through
    `map_uid`), or from a dict {study_uid: codes} already keyed as wanted."""
    if isinstance(source, dict):
        return {uid: set(codes) for uid, codes in source.items()}
    truth = {}
    for uid, record in _truth_records(source, map_uid):
        traits = record.get("traits", [])
        truth[uid] = {t["code"] for t in traits} | {t["parent"] for t in traits if t.get("parent")}
    return truth


def load_truth_slices(source, *, map_uid: Callable[[str], str] = _same) -> dict[str, dict[str, tuple[int, int]]]:
    """Where each visible finding lies, per study UID (see `finding_spans`)."""
    return {uid: finding_spans(record) for uid, record in _truth_records(source, map_uid)}


def simulated_consensus(truth: set[str], codes: list[str], rng: np.random.Generator, *, n_readers: int,
                        sensitivity: float, specificity: float) -> set[str]:
    """What a majority of noisy readers calls positive (the platform's majority consensus, unadjudicated)."""
    positives = set()
    for code in codes:
        p_yes = sensitivity if code in truth else 1 - specificity
        if (rng.random(n_readers) < p_yes).sum() * 2 > n_readers:
            positives.add(code)
    return positives


class HttpApi:
    def __init__(self, base_url: str, token: str):
        import requests

        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "User-Agent": "radcurate-simulated-reader"})

    def call(self, method: str, path: str, data=None):
        response = self.session.request(method.upper(), self.base + path, json=data, timeout=60)
        return response.status_code, (response.json() if response.content else None)


def every_row(api, path: str) -> list[dict]:
    """All rows of a list endpoint, page after page: the API answers {count, next, previous, results}, and `next`
    carries the query (limit, offset and the filters) of the following page, or is null on the last one."""
    rows, url = [], path
    while url:
        status, page = api.call("get", url)
        if status != 200:
            raise RuntimeError(f"GET {url}: HTTP {status} {page}")
        rows.extend(page["results"])
        # Only the query is taken from `next`: its host and path are the server's view, which a proxy may change.
        url = f"{path.partition('?')[0]}?{urlsplit(page['next']).query}" if page["next"] else None
    return rows


def _codes(api, taxonomy_id: int) -> tuple[list[str], dict[str, str]]:
    """The taxonomy's trait codes and each subtype's parent."""
    status, tree = api.call("get", f"/api/taxonomies/{taxonomy_id}/")
    if status != 200:
        raise RuntimeError(f"taxonomy {taxonomy_id}: HTTP {status}")
    out, parents, stack = [], {}, list(tree["traits"])
    while stack:
        node = stack.pop()
        out.append(node["code"])
        parents.update({child["code"]: node["code"] for child in node["children"]})
        stack.extend(node["children"])
    return out, parents


class SimulatedReader:
    def __init__(self, api, profile: ReaderProfile, truth: dict[str, set[str]], rng: np.random.Generator,
                 slices: dict[str, dict[str, tuple[int, int]]] | None = None):
        self.api, self.profile, self.truth, self.rng = api, profile, truth, rng
        self.slices = slices or {}
        self.codes: list[str] | None = None
        self.parents: dict[str, str] = {}

    def labels_for(self, study_uid: str) -> dict[str, str]:
        positives = self.truth.get(study_uid, set())
        labels = {}
        for code in self.codes:
            sens, spec = self.profile.rates(code)
            called = self.rng.random() < (sens if code in positives else 1 - spec)
            labels[code] = "present" if called else "absent"
        # A reader who calls a subtype calls its parent too (the server refuses a read that contradicts itself).
        for code in self.codes:
            parent = self.parents.get(code)
            while labels[code] == "present" and parent is not None:
                labels[parent], parent = "present", self.parents.get(parent)
        return labels

    def mark_ranges(self, study_uid: str, labels: dict, n_slices: int | None) -> dict:
        """Slice ranges for the findings this reader called and can see; each edge is off by up to a slice,
        as two readers' ranges for the same bleed are."""
        marked = dict(labels)
        for code, (first, last) in self.slices.get(study_uid, {}).items():
            if labels.get(code) != "present":
                continue
            top = (n_slices or last + 2) - 1
            a = int(np.clip(first + self.rng.integers(-1, 2), 0, top))
            b = int(np.clip(last + self.rng.integers(-1, 2), a, top))
            marked[code] = {"state": "present", "slice_ranges": [[a, b]]}
        return marked

    def read_next(self, campaign_id: int) -> bool:
        """Ask for a study, autosave once, submit. False when the worklist has nothing for this reader."""
        status, context = self.api.call("post", f"{API}/campaigns/{campaign_id}/next/")
        if status == 204:
            return False
        if status != 200:
            raise RuntimeError(f"next study: HTTP {status} {context}")
        if self.codes is None:
            self.codes, self.parents = _codes(self.api, context["taxonomy_id"])
        labels = self.labels_for(context["study_uid"])
        if context.get("slice_ranges"):
            labels = self.mark_ranges(context["study_uid"], labels, context.get("n_slices"))
        seconds = float(self.rng.gamma(4.0, self.profile.seconds_per_study / 4.0))
        assignment = context["assignment_id"]
        self.api.call("put", f"{API}/assignments/{assignment}/draft/", {"labels": labels, "time_spent_s": seconds / 2})
        status, body = self.api.call("post", f"{API}/assignments/{assignment}/submit/",
                                     {"labels": labels, "time_spent_s": seconds})
        if status != 201:
            raise RuntimeError(f"submit: HTTP {status} {body}")
        return True

    def adjudicate_all(self, *, keep_open: int = 0) -> int:
        """As a senior reader: decide every task in the queue (but the `keep_open` oldest, left for a person) from
        the truth at this profile's accuracy."""
        # The whole queue first: a decided task leaves it, so deciding while paging would skip tasks.
        queue = every_row(self.api, f"{API}/adjudications/")
        decided = 0
        for task in queue[keep_open:]:
            status, view = self.api.call("get", f"{API}/adjudications/{task['id']}/")
            positives = self.truth.get(view["study_uid"], set())
            decisions = {}
            for code in view["traits_to_decide"]:
                sens, spec = self.profile.rates(code)
                called = self.rng.random() < (sens if code in positives else 1 - spec)
                decisions[code] = "present" if called else "absent"
            status, _ = self.api.call("post", f"{API}/adjudications/{task['id']}/decide/", {"decisions": decisions})
            decided += status == 200
        return decided


def simulate_campaign(*, campaign_id: int, readers: list, adjudicator=None, max_rounds: int = 100000,
                      keep_open: int = 0, on_read=None) -> dict:
    """Round-robin the readers until none gets a study, then let the adjudicator clear the queue (but `keep_open`).

    `on_read()` is called after each submitted read (a progress bar)."""
    reads = {id(r): 0 for r in readers}
    active = list(readers)
    for _ in range(max_rounds):
        if not active:
            break
        still = []
        for reader in active:
            if reader.read_next(campaign_id):
                reads[id(reader)] += 1
                still.append(reader)
                if on_read is not None:
                    on_read()
        active = still
    decided = adjudicator.adjudicate_all(keep_open=keep_open) if adjudicator is not None else 0
    return {"reads": sum(reads.values()), "adjudicated": decided}
