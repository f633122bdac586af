"""Walk a paginated list endpoint from its first page to its last through `next`, as a client would."""

import math

PAGE = 2  # small pages, so a handful of rows spans several


def walk(api, url: str, *, limit: int = PAGE) -> tuple[list[dict], list[dict]]:
    """(pages, rows): every page's body from `url?limit=` on, following `next` until it is null."""
    response = api.get(f"{url}{'&' if '?' in url else '?'}limit={limit}")
    pages = []
    while True:
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        body = response.json()
        pages.append(body)
        assert len(pages) <= 1000, f"{url}: `next` never ends"
        if body["next"] is None:
            break
        response = api.get(body["next"])
    return pages, [row for page in pages for row in page["results"]]


def assert_walked(api, url: str, expected: int, *, key="id", limit: int = PAGE) -> list[dict]:
    """More rows than one page: `count` is right on every page, `next` reaches the last page, and each row shows
    exactly once on the way (told apart by `key`: a field name or a function of the row)."""
    assert expected > limit, "the test needs more rows than one page"
    pages, rows = walk(api, url, limit=limit)
    assert [page["count"] for page in pages] == [expected] * len(pages)
    assert len(pages) == math.ceil(expected / limit)
    assert pages[0]["previous"] is None and pages[-1]["previous"] is not None
    assert all(len(page["results"]) == limit for page in pages[:-1])
    keys = [key(row) if callable(key) else row[key] for row in rows]
    assert len(keys) == expected and len(set(keys)) == expected, keys
    return rows
