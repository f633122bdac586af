"""Reading-room benchmark: how fast a radiologist sees a study, driven in Debian's Chromium against a live server.

Measures, on synthetic 40-slice 512x512 head CTs ingested through the archive:
  - opening a study -> first image on screen, and -> the whole series loaded (cold browser cache, then warm);
  - pressing "submit & next" -> the next study's first image;
and, in the same run, a baseline: the raw time to fetch the same DICOMweb metadata and frames with `requests`.
Then a remote reader: one study opened (cold browser cache, then warm reloads) with the viewer's pixels setting on
automatic (the page picks per link), compressed (JPEG-LS) and uncompressed (as stored, the baseline), on loopback
and on a link throttled through the DevTools protocol (Network.emulateNetworkConditions: 20 Mbit/s, 40 ms).
It also writes docs/screenshots/reading-page.png and adjudication-page.png.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_viewer.py [--studies 4]

It works in a throwaway test database (created and dropped here) and never asserts timings.
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]
PASSWORD = "bench-password-1234"
SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 860}


# ---------------------------------------------------------------- data


def make_cohort(folder: Path, studies: int) -> list:
    from curation.models import Study
    from curation.services.archive import ingest_paths
    from synth.cohort import generate_cohort

    generate_cohort(folder, studies=studies, seed=11, size=512, slices=40, broken_fraction=0.0,
                    enrich={"subdural_hemorrhage": 1.0})
    # One study at a time, in generation order, so study ids (and the campaign's order) follow the ground truth.
    for study_dir in sorted((folder / "dicom").iterdir()):
        summary = ingest_paths([study_dir], source="cli")
        print(f"ingested {study_dir.name}: {summary.as_dict()}")
    return list(Study.objects.select_related("primary_series").order_by("id"))


def make_campaign(studies):
    from django.contrib.auth.models import Group, User

    from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
    from core.roles import RADIOLOGIST
    from curation.selectors.taxonomy import taxonomy_latest_published

    radiologists = Group.objects.get(name=RADIOLOGIST)
    readers = [User.objects.create_user(name, password=PASSWORD) for name in ("bench-reader-1", "bench-reader-2")]
    senior = User.objects.create_user("bench-senior", password=PASSWORD)
    for user in (*readers, senior):
        user.groups.add(radiologists)
    campaign = campaign_create(name="viewer bench", taxonomy=taxonomy_latest_published(name="head-ct"),
                               min_reads=2, max_reads=2, slice_ranges=True, gold_every=0,
                               priority_policy="sequential", readers=readers, adjudicators=[senior])
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    return campaign


class LiveServer:
    """Django in a thread, static files through WhiteNoise as in production (no Django static handler)."""

    def __init__(self):
        self.thread = LiveServerThread("127.0.0.1", static_handler=lambda app: app, port=0)
        self.thread.daemon = True

    def __enter__(self):
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        return f"http://127.0.0.1:{self.thread.port}"

    def __exit__(self, *exc):
        self.thread.terminate()


# ---------------------------------------------------------------- baseline


def http_session(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/")
    session.post(f"{base}/login/", data={"username": username, "password": PASSWORD,
                                          "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                 headers={"Referer": f"{base}/login/"})
    return session


def fetch(session: requests.Session, url: str, accept: str) -> int:
    response = session.get(url, headers={"Accept": accept})
    response.raise_for_status()
    return len(response.content)


JLS = "1.2.840.10008.1.2.4.80"
RAW_INSTANCES = 'multipart/related; type="application/dicom"; transfer-syntax=*'
JLS_INSTANCES = f'multipart/related; type="application/dicom"; transfer-syntax={JLS}'


def transfer(base: str, session: requests.Session, study) -> dict:
    """Bytes of the series retrieve and its metadata, plain and compressed, and the first JPEG-LS retrieve's time
    (the server encodes and caches each instance) beside the second's (from its cache)."""
    root = f"{base}/dicomweb/studies/{study.study_uid}/series/{study.primary_series.series_uid}"

    def timed(url, accept, encoding="identity"):
        t0 = time.perf_counter()
        response = session.get(url, headers={"Accept": accept, "Accept-Encoding": encoding}, stream=True)
        size = len(response.raw.read())  # as sent: still compressed
        return size, (time.perf_counter() - t0) * 1000

    from django.core.files.storage import default_storage

    from curation.dicom.transcode_cache import cache_path

    for instance in study.primary_series.instances.all():  # a cold cache: the first retrieve encodes every slice
        default_storage.delete(cache_path(instance.storage_path, JLS))
    raw, raw_ms = timed(root, RAW_INSTANCES)
    jls_cold, cold_ms = timed(root, JLS_INSTANCES)
    jls, warm_ms = timed(root, JLS_INSTANCES)
    meta, _ = timed(f"{root}/metadata", "application/dicom+json")
    meta_br, _ = timed(f"{root}/metadata", "application/dicom+json", "br")
    meta_gz, _ = timed(f"{root}/metadata", "application/dicom+json", "gzip")
    return {"raw": raw, "jls": jls, "jls_cold": jls_cold, "raw_ms": raw_ms, "cold_ms": cold_ms, "warm_ms": warm_ms,
            "meta": meta, "meta_br": meta_br, "meta_gz": meta_gz}


def baseline(base: str, session: requests.Session, study) -> dict:
    """Metadata, then the middle frame; then every frame one by one, over 6 connections as a browser would, and
    the whole series as one WADO-RS retrieve (what the reading page asks for beside the middle frame)."""
    root = f"{base}/dicomweb/studies/{study.study_uid}/series/{study.primary_series.series_uid}"
    frames = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
    metadata = "application/dicom+json"
    t0 = time.perf_counter()
    instances = session.get(f"{root}/metadata", headers={"Accept": metadata}).json()
    urls = [f"{root}/instances/{i['00080018']['Value'][0]}/frames/1" for i in instances]
    fetch(session, urls[len(urls) // 2], frames)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fetch(session, f"{root}/metadata", metadata)
    for url in urls:
        fetch(session, url, frames)
    sequential = time.perf_counter() - t0
    sessions = [http_session(base, "bench-reader-1") for _ in range(6)]
    t0 = time.perf_counter()
    fetch(session, f"{root}/metadata", metadata)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda k: fetch(sessions[k % 6], urls[k], frames), range(len(urls))))
    parallel = time.perf_counter() - t0
    t0 = time.perf_counter()
    fetch(session, f"{root}/metadata", metadata)
    fetch(session, root, 'multipart/related; type="application/dicom"; transfer-syntax=*')
    retrieve = time.perf_counter() - t0
    return {"first": first * 1000, "sequential": sequential * 1000, "parallel": parallel * 1000,
            "retrieve": retrieve * 1000, "frames": len(urls)}


# ---------------------------------------------------------------- browser


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def wait_loaded(page, probe="radcurateReading") -> dict:
    """Milliseconds from the navigation's start to the first image and to the whole series in the cache."""
    page.wait_for_function(f"window.{probe} && (window.{probe}.ready || window.{probe}.error)", timeout=60_000)
    error = page.evaluate(f"window.{probe}.error")
    if error:
        raise RuntimeError(f"viewer failed: {error}")
    page.wait_for_selector("[data-viewer][data-series-loaded]", timeout=60_000)
    timings = page.evaluate(f"window.{probe}.viewer.timings")
    origin = page.evaluate("performance.timeOrigin")
    # The page head draws the opening slice itself when its bytes beat the viewer (src/viewer/preview.js).
    preview = page.evaluate("window.radcurateEarlyMetadata && window.radcurateEarlyMetadata.previewAt")
    return {"first": timings["firstImageAt"], "series": timings["seriesLoadedAt"], "origin": origin,
            "first_abs": origin + timings["firstImageAt"], "shown": min(preview or math.inf, timings["firstImageAt"])}


TIMELINE = r"""() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const first = (pred) => res.filter(pred).sort((a, b) => a.responseEnd - b.responseEnd)[0];
  const frame = first((r) => r.name.includes('/frames/'));
  const meta = first((r) => r.name.endsWith('/metadata'));
  const bundle = res.filter((r) => r.name.includes('/static/dist/') && r.name.endsWith('.js'))
    .reduce((m, r) => Math.max(m, r.responseEnd), 0);
  const stream = first((r) => /\/series\/[^/]+$/.test(r.name));
  const t = window.radcurateReading.viewer.timings;
  return { html: nav.responseEnd, preview: window.radcurateEarlyMetadata.previewAt, scripts_fetched: bundle, dom_ready: nav.domContentLoadedEventEnd,
           metadata: meta && meta.responseEnd, viewer_opened: t.openedAt, first_frame: frame && frame.responseEnd,
           first_image: t.firstImageAt, stream_asked: stream && stream.requestStart,
           stream_first_byte: stream && stream.responseStart, stream_end: stream && stream.responseEnd,
           series_loaded: t.seriesLoadedAt };
}"""


def submit_and_next(page) -> dict | None:
    """Ctrl+Enter on the reading page; the time until the next study's first image and whole series (None: no next
    study). The page opens the next study in place (same document), so both are taken from the press."""
    before = page.url
    pressed = page.evaluate("performance.timeOrigin + performance.now()")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != before, timeout=60_000)
    if "/assignments/" not in page.url:
        return None
    loaded = wait_loaded(page)
    return {"submit_to_first": loaded["first_abs"] - pressed,
            "submit_to_series": loaded["origin"] + loaded["series"] - pressed}


def shrink_png(path: Path, limit: int = 300_000) -> int:
    """Screenshots of a dark UI over greyscale CT quantize to 256 colours with no visible loss."""
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    if path.stat().st_size > limit:
        image.resize((image.width * 3 // 4, image.height * 3 // 4)).quantize(colors=128).save(path, optimize=True)
    return path.stat().st_size


def read_first_study(page, base, campaign, hotkeys, subdural_slices, results, repeats):
    page.goto(f"{base}/reading/")
    page.locator(f".campaign[data-campaign='{campaign.pk}'] button").click()
    page.wait_for_url(lambda url: "/assignments/" in url)
    results["cold"].append(wait_loaded(page))
    for _ in range(repeats):
        page.reload()
        results["warm"].append(wait_loaded(page))
    results["timeline"] = page.evaluate(TIMELINE)
    if subdural_slices:
        first, last = subdural_slices
        page.evaluate(f"window.radcurateReading.viewer.jumpTo({first})")
        page.keyboard.press(hotkeys["subdural_hemorrhage"])
        page.keyboard.press("[")
        page.evaluate(f"window.radcurateReading.viewer.jumpTo({last})")
        page.keyboard.press("]")
        page.evaluate(f"window.radcurateReading.viewer.jumpTo({(first + last) // 2})")
        page.keyboard.press(",")  # the slice on screen as the subdural's key image
    page.keyboard.press(hotkeys["white_matter_ischemia"])
    page.keyboard.press("2")  # the subdural window
    box = page.locator("[data-viewer]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
    page.wait_for_function("document.querySelector('[data-status]').textContent.includes('draft saved')")
    page.screenshot(path=str(SCREENSHOTS / "reading-page.png"))


def read_all(page, base, campaign, results, *, first_study=None):
    while True:
        if first_study is None:
            page.goto(f"{base}/reading/")
            page.locator(f".campaign[data-campaign='{campaign.pk}'] button").click()
            page.wait_for_url(lambda url: "/assignments/" in url)
            results["cold"].append(wait_loaded(page))
            first_study = True
            page.keyboard.press("n")
        step = submit_and_next(page)
        if step is None:
            return
        results["next"].append(step)


def adjudicate(page, base) -> dict:
    page.goto(f"{base}/reading/adjudication/next/")
    timing = wait_loaded(page, "radcurateAdjudication")
    for row in page.locator("tr.disputed").all():
        row.locator("input[value=present]").check()
    page.screenshot(path=str(SCREENSHOTS / "adjudication-page.png"))
    with page.expect_navigation():  # to the next adjudication, or the page saying none is waiting
        page.click("[data-decide]")
    return timing


# The remote reader's link (the task's figure): 20 Mbit/s both ways, 40 ms round trip.
LINKS = {"loopback": None, "20 Mbit/s, 40 ms": {"latency": 40, "throughput": 20e6 / 8}}


def throttle(page, link: dict | None) -> None:
    if link is None:
        return
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": link["latency"],
                                                  "downloadThroughput": link["throughput"],
                                                  "uploadThroughput": link["throughput"]})


# The viewer's pixels setting per arm (frontend/src/viewer/link.js), set in the browser before any page runs; the
# automatic arm starts with nothing measured, as a reader's first open does.
ARMS = {"as stored": "uncompressed", "JPEG-LS": "compressed", "automatic": None}
PIXELS_SETTING = "radcurate.viewer.pixels"


def pixel_accepts(page, seen: list) -> None:
    """Records whether each pixel request (frame or series retrieve) asked for JPEG-LS first."""

    def record(request):
        if "/frames/" in request.url or request.url.rstrip("/").split("/")[-2:-1] == ["series"]:
            seen.append(JLS in request.headers.get("accept", "").split(",")[0])

    page.on("request", record)


WIRE = """() => performance.getEntriesByType('resource').filter((r) => r.name.includes('/dicomweb/'))
  .reduce((n, r) => n + (r.transferSize || r.encodedBodySize || 0), 0)"""


def remote_reader(browser, base, campaign, repeats: int) -> dict:
    """One study opened by bench-reader-2 (cold browser cache, then `repeats` reloads) on each link in each arm,
    the arms one after the other per link so that a change of machine load touches all of them."""
    results = {}
    for link_name, link in LINKS.items():
        for arm, setting in ARMS.items():
            context = browser.new_context(viewport=VIEWPORT)
            if setting:
                context.add_init_script(f"localStorage.setItem('{PIXELS_SETTING}', '{setting}')")
            page = context.new_page()
            jls = []
            pixel_accepts(page, jls)
            log_in(page, base, "bench-reader-2")
            throttle(page, link)
            page.goto(f"{base}/reading/")
            page.locator(f".campaign[data-campaign='{campaign.pk}'] button").click()
            page.wait_for_url(lambda url: "/assignments/" in url, timeout=60_000)
            runs = {"cold": [wait_loaded(page)], "warm": [], "wire": []}
            runs["wire"].append(page.evaluate(WIRE))
            for _ in range(repeats):
                page.reload()
                runs["warm"].append(wait_loaded(page))
                runs["wire"].append(page.evaluate(WIRE))
            runs["timeline"] = page.evaluate(TIMELINE)
            runs["jls_requests"] = (sum(jls), len(jls))
            results[(link_name, arm)] = runs
            context.close()
    return results


def print_remote(results: dict, sizes: list[dict]) -> None:
    print(flush=True)
    print("Remote reader: one 40-slice 512x512 study; the pixels setting automatic (per link), JPEG-LS and as stored "
          "(the baseline), same run. Milliseconds, median (min-max, n); cold = empty browser cache and nothing "
          "measured of the link yet (the server's JPEG-LS cache is warm).")
    print(f"{'':52} {'median':>8} {'min':>8} {'max':>8} {'n':>4}")
    for (link, arm_name), runs in results.items():
        arm = f"{link}, {arm_name}"
        remote = link != "loopback" and arm_name != "as stored"
        print(row(f"{arm}: first image (cold)", [r["shown"] for r in runs["cold"]], "target < 600" if remote else ""))
        print(row(f"{arm}: first image (warm)", [r["shown"] for r in runs["warm"]], "target < 600" if remote else ""))
        print(row(f"{arm}: series loaded (cold)", [r["series"] for r in runs["cold"]], "target < 4000" if remote else ""))
        print(row(f"{arm}: series loaded (warm)", [r["series"] for r in runs["warm"]], "target < 4000" if remote else ""))
        asked_jls, asked = runs["jls_requests"]
        print(f"{arm}: {asked_jls} of {asked} pixel requests asked for JPEG-LS; DICOMweb bytes on the wire per open: "
              f"{statistics.median(runs['wire']) / 1e6:.2f} MB; last warm open, ms from navigation start: "
              + ", ".join(f"{k} {v:.0f}" for k, v in runs["timeline"].items() if v is not None))
    for link in LINKS:
        raw = results[(link, "as stored")]
        for arm in ("JPEG-LS", "automatic"):
            ratios = []
            for key, label in (("shown", "first image"), ("series", "series loaded")):
                for when in ("cold", "warm"):
                    a = statistics.median(r[key] for r in raw[when])
                    b = statistics.median(r[key] for r in results[(link, arm)][when])
                    ratios.append(f"{label} {when} {a / b:.2f}x")
            print(f"{link}: as stored / {arm}: " + ", ".join(ratios)
                  + ("  (target >= 2x)" if link != "loopback" else "  (no regression: >= 1x)"))
    raw = sum(s["raw"] for s in sizes)
    jls = sum(s["jls"] for s in sizes)
    meta = statistics.median(s["meta"] for s in sizes)
    print(f"series retrieve (requests, {len(sizes)} studies): {raw / len(sizes) / 1e6:.2f} MB uncompressed, "
          f"{jls / len(sizes) / 1e6:.2f} MB JPEG-LS: ratio {raw / jls:.2f}; first JPEG-LS retrieve (encoding) "
          f"{statistics.median(s['cold_ms'] for s in sizes):.0f} ms, cached "
          f"{statistics.median(s['warm_ms'] for s in sizes):.0f} ms, uncompressed "
          f"{statistics.median(s['raw_ms'] for s in sizes):.0f} ms (loopback)")
    print(f"series metadata: {meta / 1e3:.0f} kB plain, "
          f"{statistics.median(s['meta_gz'] for s in sizes) / 1e3:.1f} kB gzip, "
          f"{statistics.median(s['meta_br'] for s in sizes) / 1e3:.1f} kB Brotli")


def drop_bench_database(connections, old_config) -> None:
    """Closes what the server's request threads left open on the bench's own database, then drops it."""
    name = connections["default"].settings_dict["NAME"]
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [name])
    connections.close_all()
    teardown_databases(old_config, verbosity=0)


# ---------------------------------------------------------------- report


def row(label: str, values: list[float], target: str = "") -> str:
    if not values:
        return f"{label:52} {'-':>8}"
    return (f"{label:52} {statistics.median(values):8.0f} {min(values):8.0f} {max(values):8.0f} {len(values):4d}"
            f"  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=4, help="synthetic studies to read (default 4)")
    parser.add_argument("--repeats", type=int, default=5, help="warm reloads of the first study (default 5)")
    parser.add_argument("--remote-repeats", type=int, default=3,
                        help="warm reloads per arm of the remote-reader comparison (default 3; 0 skips it)")
    parser.add_argument("--remote-only", action="store_true", help="only the remote-reader comparison")
    args = parser.parse_args()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    from django.conf import settings
    from django.db import connections

    from curation.models import Trait

    # Its own database, named after DATABASE_URL's, so the bench never meets a test run's or another bench's.
    name = settings.DATABASES["default"]["NAME"]
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_{name}_bench_viewer"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-viewer-") as tmp:
            studies = make_cohort(Path(tmp) / "cohort", args.studies)
            truth = [line for line in (Path(tmp) / "cohort" / "ground_truth.jsonl").read_text().splitlines()]
        campaign = make_campaign(studies)
        hotkeys = dict(Trait.objects.filter(taxonomy=campaign.taxonomy).values_list("code", "hotkey"))
        subdural = _first_subdural(truth)
        results = {"cold": [], "warm": [], "next": []}
        with LiveServer() as base, sync_playwright() as pw:
            session = http_session(base, "bench-reader-1")
            base_runs = [baseline(base, session, s) for s in studies]
            sizes = [transfer(base, session, s) for s in studies]
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            if args.remote_repeats:  # printed at once: the reading flows below take minutes
                print_remote(remote_reader(browser, base, campaign, args.remote_repeats), sizes)
            if args.remote_only:
                return
            for reader in ("bench-reader-1", "bench-reader-2"):
                page = browser.new_context(viewport=VIEWPORT).new_page()
                log_in(page, base, reader)
                if reader == "bench-reader-1":
                    read_first_study(page, base, campaign, hotkeys, subdural, results, args.repeats)
                    read_all(page, base, campaign, results, first_study=True)
                else:
                    read_all(page, base, campaign, results)
                page.context.close()
            page = browser.new_context(viewport=VIEWPORT).new_page()
            log_in(page, base, "bench-senior")
            adjudication = adjudicate(page, base)
            browser.close()
    finally:
        drop_bench_database(connections, old_config)

    shots = {name: shrink_png(SCREENSHOTS / name) for name in ("reading-page.png", "adjudication-page.png")}
    print()
    print(f"Reading room, {args.studies} synthetic studies of 40 slices 512x512 (JPEG-LS lossless, 0.5 MB a slice "
          "uncompressed); "
          "headless Chromium, live server on 127.0.0.1. Milliseconds.")
    print(f"{'':52} {'median':>8} {'min':>8} {'max':>8} {'n':>4}")
    print(row("browser: open study -> first image shown (cold cache)", [r["shown"] for r in results["cold"]],
              "target < 500"))
    print(row("browser: open study -> first image shown (warm cache)", [r["shown"] for r in results["warm"]],
              "target < 500"))
    print(row("browser: open study -> first image in the viewer (cold)", [r["first"] for r in results["cold"]]))
    print(row("browser: open study -> first image in the viewer (warm)", [r["first"] for r in results["warm"]]))
    print(row("browser: open study -> series loaded (cold cache)", [r["series"] for r in results["cold"]]))
    print(row("browser: open study -> series loaded (warm cache)", [r["series"] for r in results["warm"]],
              "target < 1500"))
    print(row("browser: submit -> next study's first image", [r["submit_to_first"] for r in results["next"]],
              "target < 500"))
    print(row("browser: submit -> next study's series loaded", [r["submit_to_series"] for r in results["next"]]))
    print(row("browser: adjudication page -> first image", [adjudication["first"]]))
    print(row("baseline (requests): metadata + middle frame", [b["first"] for b in base_runs]))
    print(row("baseline (requests): metadata + 40 frames, one by one", [b["sequential"] for b in base_runs]))
    print(row("baseline (requests): metadata + 40 frames, 6 connections", [b["parallel"] for b in base_runs]))
    print(row("baseline (requests): metadata + series retrieve, 1 request", [b["retrieve"] for b in base_runs]))
    warm_first = statistics.median(r["shown"] for r in results["warm"])
    warm_series = statistics.median(r["series"] for r in results["warm"])
    print(f"ratio first image (warm) / baseline metadata + middle frame: "
          f"{warm_first / statistics.median(b['first'] for b in base_runs):.1f}x; "
          f"series (warm) / baseline 40 frames over 6 connections: "
          f"{warm_series / statistics.median(b['parallel'] for b in base_runs):.1f}x")
    print("where the time goes in the last warm open (ms from navigation start): "
          + ", ".join(f"{k} {v:.0f}" for k, v in results["timeline"].items() if v is not None))
    print("screenshots: " + ", ".join(f"docs/screenshots/{k} ({v // 1024} KB)" for k, v in shots.items()))



def _first_subdural(truth_lines: list[str]) -> tuple[int, int] | None:
    import json

    first = json.loads(truth_lines[0])
    for trait in first["traits"]:
        if trait["code"] == "subdural_hemorrhage" and trait.get("slices"):
            return tuple(trait["slices"])
    return None


if __name__ == "__main__":
    main()
