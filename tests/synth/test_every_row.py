"""The simulated readers read a whole list through `next`, as any client of the paginated API must."""

import numpy as np
import pytest

from synth.readers import ReaderProfile, SimulatedReader, every_row


class PagedApi:
    """A list of adjudication tasks served two at a time, the way the platform pages (limit/offset, `next`)."""

    def __init__(self, n_tasks: int, base: str = "http://proxy.example/radcurate"):
        self.tasks = [{"id": i} for i in range(1, n_tasks + 1)]
        self.base, self.calls, self.decided = base, [], []

    def call(self, method, path, data=None):
        self.calls.append((method, path))
        if method == "post":
            self.decided.append(int(path.split("/")[-3]))
            return 200, {}
        if path.startswith("/api/annotation/adjudications/") and path.split("?")[0].endswith("adjudications/"):
            query = dict(p.split("=") for p in path.partition("?")[2].split("&") if p)
            offset = int(query.get("offset", 0))
            nxt = (f"{self.base}/api/annotation/adjudications/?limit=2&offset={offset + 2}"
                   if offset + 2 < len(self.tasks) else None)
            return 200, {"count": len(self.tasks), "next": nxt, "previous": None,
                         "results": self.tasks[offset:offset + 2]}
        task_id = int(path.rstrip("/").split("/")[-1])
        return 200, {"study_uid": f"2.25.{task_id}", "traits_to_decide": {"fracture": "tie"}}


def test_every_row_follows_next_to_the_last_page():
    api = PagedApi(5)
    assert [t["id"] for t in every_row(api, "/api/annotation/adjudications/")] == [1, 2, 3, 4, 5]
    # The path stays the client's own; only the query comes from `next` (its host may be a proxy's).
    assert [path for _, path in api.calls] == ["/api/annotation/adjudications/",
                                               "/api/annotation/adjudications/?limit=2&offset=2",
                                               "/api/annotation/adjudications/?limit=2&offset=4"]


def test_the_adjudicator_decides_tasks_beyond_the_first_page():
    api = PagedApi(5)
    reader = SimulatedReader(api, ReaderProfile(sensitivity=0.9, specificity=0.9), {}, np.random.default_rng(0))
    assert reader.adjudicate_all() == 5
    assert api.decided == [1, 2, 3, 4, 5]


def test_the_adjudicator_leaves_the_oldest_tasks_open_when_asked():
    api = PagedApi(5)
    reader = SimulatedReader(api, ReaderProfile(sensitivity=0.9, specificity=0.9), {}, np.random.default_rng(0))
    assert reader.adjudicate_all(keep_open=2) == 3
    assert api.decided == [3, 4, 5]


def test_a_refused_page_is_an_error_not_an_empty_list():
    class Refusing:
        def call(self, method, path, data=None):
            return 403, {"detail": "no"}

    with pytest.raises(RuntimeError, match="HTTP 403"):
        every_row(Refusing(), "/api/annotation/adjudications/")
