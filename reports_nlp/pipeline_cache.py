"""The NLP pipeline of a stored mapping set, built once per process and reused across chunks.

Building a pipeline compiles every phrase and rule, so workers keep it; a draft is keyed by its
content as well, so an edit is picked up at the next chunk. It lives outside `reports_nlp.pipeline`
because it reads the database, and that package stays Django-free.
"""

import hashlib
import json
from functools import lru_cache

from reports_nlp.models import MappingSet
from reports_nlp.pipeline import ReportPipeline, build_pipeline, mapping_spec_from_dict
from reports_nlp.selectors.mapping_sets import mapping_set_dict


@lru_cache(maxsize=4)
def _build(key: str, data_json: str) -> ReportPipeline:
    data = json.loads(data_json)
    return build_pipeline(mapping_spec_from_dict(data["mappings"]), rules=data["rules"] or None)


def pipeline_for(mapping_set: MappingSet) -> ReportPipeline:
    """The pipeline of a stored set (empty rules mean the shipped default rules)."""
    data_json = json.dumps({"mappings": mapping_set_dict(mapping_set), "rules": mapping_set.context_rules},
                           sort_keys=True)
    return _build(hashlib.sha256(data_json.encode()).hexdigest(), data_json)
