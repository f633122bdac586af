"""The shipped exclusions keep each phrase its own entry: a missing comma once merged two pairs into one string."""

import pytest

from reports_nlp.default_mappings import DEFAULT_MAPPINGS
from reports_nlp.pipeline import build_pipeline


@pytest.mark.parametrize("trait, phrase", [
    ("sinus_pathology", "middle ear fluid level"),
    ("sinus_pathology", "opacification of the * mastoid"),
    ("scalp_soft_tissue", "preseptal soft tissue swelling"),
    ("scalp_soft_tissue", "soft tissues of the orbit"),
])
def test_exclusion_is_its_own_entry(trait, phrase):
    assert phrase in DEFAULT_MAPPINGS[trait]["exclusions"]


def test_no_default_exclusion_holds_two_phrases_run_together():
    # A merged pair reads "...levelopacification ...": the glued word is in no other phrase of the set.
    every_phrase = {p for row in DEFAULT_MAPPINGS.values() for key in ("phrases", "exclusions") for p in row.get(key, ())}
    words = {w for p in every_phrase for w in p.split()}
    for trait, row in DEFAULT_MAPPINGS.items():
        for exclusion in row.get("exclusions", ()):
            glued = [w for w in exclusion.split() if any(w != v and w.startswith(v) and w[len(v):] in words
                                                           for v in words if len(v) > 3)]
            assert not glued, f"{trait}: {exclusion!r}"


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


@pytest.mark.parametrize("text, not_trait", [
    ("FINDINGS: Middle ear fluid level on the right.", "sinus_pathology"),
    ("FINDINGS: Preseptal soft tissue swelling on the left.", "scalp_soft_tissue"),
])
def test_excluded_mentions_do_not_assert_the_trait(pipeline, text, not_trait):
    assert not_trait not in {f.trait for f in pipeline.mine(text)}
