"""The default mapping set as stored in the database mines exactly like the pipeline's own default."""

import pytest

from reports_nlp.pipeline import build_pipeline
from reports_nlp.selectors.mapping_sets import mapping_set_get, mapping_set_spec

pytestmark = pytest.mark.django_db

TEXTS = [
    "FINDINGS: The ventricles are normal in size and configuration.",
    "IMPRESSION: Remote lacunar infarct in the left basal ganglia.",
    "FINDINGS: Enhancing mass compatible with glioblastoma in the right frontal lobe.",
    "FINDINGS: No acute intracranial hemorrhage. Small chronic subdural hematoma, unchanged.",
    "FINDINGS: Middle ear fluid level on the right.",  # excluded from sinus pathology
    "FINDINGS: Preseptal soft tissue swelling on the left.",  # excluded from scalp soft tissue
]


def _calls(pipeline, text):
    return sorted((f.trait, f.assertion) for f in pipeline.mine(text))


def test_stored_default_set_equals_the_pipeline_default():
    stored = build_pipeline(mapping_spec=mapping_set_spec(mapping_set_get(version=1)))
    default = build_pipeline()
    for text in TEXTS:
        assert _calls(stored, text) == _calls(default, text), text
    assert ("hydrocephalus", "absent") in _calls(stored, TEXTS[0])
    assert ("neoplasm", "present") in _calls(stored, TEXTS[2])
