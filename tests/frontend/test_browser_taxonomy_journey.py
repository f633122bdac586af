"""Journey: a curator edits and publishes a taxonomy draft in Debian's Chromium.

From the top bar to the versions, clone the published head-CT taxonomy into a draft, add a trait (a taken hotkey is
refused and the form keeps what was typed), rename one, move one under a new parent (a cycle is refused), read the
diff against the published version, publish; the published version offers no edits any more.
"""

import pytest

from core.roles import CURATOR
from curation.models import Taxonomy, Trait
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def edit_trait(page, code: str, *, name=None, parent=None, hotkey=None):
    form = page.locator(f"form[data-edit='{code}']")
    if name is not None:
        form.locator("input[name$='-name']").fill(name)
    if parent is not None:
        form.locator("select[name$='-parent']").select_option(parent)
    if hotkey is not None:
        form.locator("input[name$='-hotkey']").fill(hotkey)
    form.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


def test_curator_edits_and_publishes_a_taxonomy_draft(live_server, new_page):
    make_user("curator1", CURATOR)
    published = Taxonomy.objects.get(name="head-ct", version=1)
    taken = Trait.objects.get(taxonomy=published, code="intracranial_hemorrhage").hotkey
    page = new_page()
    log_in(page, live_server, "curator1", PASSWORD)

    page.get_by_role("link", name="Taxonomy").click()
    row = page.locator(f"#taxonomy-versions tr[data-taxonomy='{published.pk}']")
    assert row.get_attribute("data-status") == "published"
    row.get_by_role("button", name="Clone into a draft").click()
    page.wait_for_url(lambda url: f"/taxonomy/{published.pk}/" not in url and "/taxonomy/" in url)
    draft = Taxonomy.objects.get(name="head-ct", version=2)
    assert draft.status == "draft" and page.inner_text("#taxonomy-status") == "draft"
    assert "No changes yet." in page.inner_text("#diff")
    # The tree: children under their parent, with significance, location and type groups and hotkeys.
    sdh = page.locator("#tree tr[data-code='subdural_hemorrhage']")
    assert sdh.get_attribute("data-parent") == "intracranial_hemorrhage" and sdh.get_attribute("data-depth") == "1"
    assert "extra-axial" in sdh.inner_text() and "hemorrhage" in sdh.inner_text() and "high" in sdh.inner_text()

    # Add a trait with a hotkey another trait has: refused by the model's rule, the input stays.
    add = page.locator("#add-trait form")
    add.locator("input[name=code]").fill("cavernoma")
    add.locator("input[name=name]").fill("Cavernous malformation")
    add.locator("select[name=significance]").select_option("moderate")
    add.locator("select[name=parent]").select_option("intracranial_mass")
    add.locator("input[name=hotkey]").fill(taken)
    add.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert f"Hotkey '{taken}' is already used in this taxonomy." in page.inner_text("#add-trait")
    assert page.input_value("#add-trait input[name=code]") == "cavernoma"
    assert page.input_value("#add-trait input[name=name]") == "Cavernous malformation"
    assert page.input_value("#add-trait select[name=parent]") == "intracranial_mass"
    page.fill("#add-trait input[name=hotkey]", "Z")
    page.locator("#add-trait").get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    cavernoma = page.locator("#tree tr[data-code='cavernoma']")
    assert cavernoma.get_attribute("data-parent") == "intracranial_mass" and "Z" in cavernoma.inner_text()

    # Rename, move; a move that makes a cycle is refused and leaves the tree as it was.
    edit_trait(page, "lipoma", name="Intracranial lipoma")
    edit_trait(page, "colloid_cyst", parent="intracranial_mass")
    edit_trait(page, "intracranial_hemorrhage", parent="subdural_hemorrhage")
    assert "makes a cycle" in page.inner_text("#tree tr[data-code='intracranial_hemorrhage']")
    assert Trait.objects.get(taxonomy=draft, code="intracranial_hemorrhage").parent is None

    page.goto(f"{live_server.url}/taxonomy/{draft.pk}/")
    diff = page.locator("#diff")
    assert diff.locator("[data-diff=added]").get_attribute("data-code") == "cavernoma"
    changed = {diff.locator("[data-diff=changed]").nth(i).get_attribute("data-code"):
               diff.locator("[data-diff=changed]").nth(i).inner_text()
               for i in range(diff.locator("[data-diff=changed]").count())}
    assert set(changed) == {"lipoma", "colloid_cyst"}
    assert "Intracranial lipoma" in changed["lipoma"] and "intracranial_mass" in changed["colloid_cyst"]
    screenshot(page, "taxonomy-draft.png")

    page.get_by_role("button", name="Publish v2").click()
    page.wait_for_load_state()
    assert page.inner_text("#taxonomy-status") == "published"
    assert page.locator("form[data-edit]").count() == 0 and page.locator("#add-trait").count() == 0
    draft.refresh_from_db()
    assert draft.status == "published" and draft.traits.count() == published.traits.count() + 1
