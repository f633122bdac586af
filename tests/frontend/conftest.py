"""Browser-test fixtures: tiny CT studies ingested through the archive, and Debian's Chromium driven by Playwright."""

import os
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
INTERCEPT = -1024


def phantom_volume(n_slices: int, size: int, *, bleed: bool) -> np.ndarray:
    """HU volume of a crude head: air, a 1000 HU skull ring, 35 HU brain, 5 HU ventricles, optionally a 70 HU bleed.

    The tissues sit where brain and bone windows disagree, so the two windows render different pixels.
    """
    z, y, x = np.mgrid[0:n_slices, 0:size, 0:size].astype(np.float32)
    zc = (z - (n_slices - 1) / 2) / max(n_slices / 2, 1)
    r = np.hypot((y - size / 2) / (size * 0.42), (x - size / 2) / (size * 0.36)) / np.sqrt(np.clip(1 - 0.6 * zc**2, 0.2, 1))
    hu = np.full(r.shape, -1000.0, dtype=np.float32)
    hu[r < 1.0] = 1000.0
    hu[r < 0.88] = 35.0
    hu[np.hypot((y - size / 2) / (size * 0.06), (x - size / 2) / (size * 0.1)) < 1.0] = 5.0
    if bleed:
        blob = np.hypot((y - size * 0.38) / (size * 0.08), (x - size * 0.62) / (size * 0.08)) < 1.0
        hu[(np.abs(zc) < 0.4) & blob] = 70.0
    return hu


def write_ct_series(folder: Path, *, n_slices: int = 12, size: int = 64, bleed: bool = False, seed: int = 0,
                    study_uid: str | None = None, series_number: int = 2, slice_mm: float = 5.0) -> dict:
    """Write one axial CT series as DICOM files (shuffled instance numbers, so order must come from geometry).

    A second series of the same study (another reconstruction) passes the first one's `study_uid`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    study_uid, series_uid = study_uid or generate_uid(), generate_uid()
    stored = (phantom_volume(n_slices, size, bleed=bleed) - INTERCEPT).astype(np.uint16)
    order = np.random.default_rng(seed).permutation(n_slices)
    for k in range(n_slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = pydicom.Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.PatientID, ds.PatientName, ds.PatientBirthDate = f"PID{seed:04d}", f"Doe^Jane{seed}", "19500101"
        ds.AccessionNumber, ds.StudyDate, ds.StudyTime = f"ACC{seed:05d}", "20240102", "101500"
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber = "CT", series_number, int(order[k]) + 1
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-size / 4, -size / 4, slice_mm * k]
        ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], slice_mm
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = INTERCEPT, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 80
        ds.PixelData = stored[k].tobytes()
        ds.save_as(folder / f"slice-{k:03d}.dcm", enforce_file_format=True)
    return {"study_uid": study_uid, "series_uid": series_uid, "n_slices": n_slices}


def ingest_phantom_studies(root: Path, specs: list[dict]):
    """Write and ingest studies through the archive's one ingest service; returns the Study rows, in spec order."""
    from curation.models import Study
    from curation.services.archive import ingest_paths

    written = [write_ct_series(root / f"study-{i}", seed=i, **spec) for i, spec in enumerate(specs)]
    summary = ingest_paths([root], source="cli")
    assert summary.n_rejected == 0, summary.as_dict()
    studies = list(Study.objects.select_related("primary_series").order_by("created_at", "id"))
    assert len(studies) == len(written)
    return studies


def two_reader_campaign(name: str, studies, readers: tuple[str, str]):
    """An active campaign of two reads a study over `studies`, read by two new radiologists of these names."""
    from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
    from core.roles import RADIOLOGIST
    from curation.selectors.taxonomy import taxonomy_latest_published
    from tests.conftest import make_user

    campaign = campaign_create(name=name, taxonomy=taxonomy_latest_published(name="head-ct"),
                               min_reads=2, max_reads=2, gold_every=0, priority_policy="sequential",
                               readers=[make_user(username, RADIOLOGIST) for username in readers])
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    return campaign


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (Playwright's own download is not used).")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a page in its own browser context (its own cookies: one per user).

    Depends on the live server so that pages close before the test database is flushed.
    """
    contexts = []

    def make(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str) -> None:
    """With RADCURATE_WRITE_SCREENSHOTS=1, save the whole page as docs/screenshots/<name> (the guides show them)."""
    if os.environ.get("RADCURATE_WRITE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
