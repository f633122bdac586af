"""Grants reports_nlp permissions to the roles, and loads the default mapping set as v1, published.

The mappings and ConText rules come from the plain-data modules `reports_nlp.default_mappings` and
`reports_nlp.context_rules`, validated by the pipeline's loaders, so the stored set mines exactly like
`build_pipeline()` with no arguments.
"""

import json

from django.db import migrations
from django.utils import timezone

from core.roles import grant_permissions

_MODELS = ["report", "mappingset", "keywordmapping", "miningrun", "miningchunk", "finding", "reportverdict"]
_CURATOR = [f"{action}_{model}" for model in _MODELS for action in ("view", "add", "change")]
_READ_MAPPINGS = ["view_mappingset", "view_keywordmapping"]


def create_permissions(apps, schema_editor):
    grant_permissions(apps, "reports_nlp", {"curator": _CURATOR, "radiologist": _READ_MAPPINGS,
                                            "trainer": _READ_MAPPINGS})


def load_default_mapping_set(apps, schema_editor):
    from curation.default_taxonomy import TAXONOMY_NAME
    from reports_nlp.pipeline.mapping import default_mapping_spec, mapping_spec_to_dict
    from reports_nlp.pipeline.rules import default_rules, rule_to_dict

    Taxonomy = apps.get_model("curation", "Taxonomy")
    MappingSet = apps.get_model("reports_nlp", "MappingSet")
    KeywordMapping = apps.get_model("reports_nlp", "KeywordMapping")
    taxonomy = Taxonomy.objects.filter(name=TAXONOMY_NAME, version=1).first()
    if taxonomy is None:
        return
    default = mapping_spec_to_dict(default_mapping_spec())
    mapping_set = MappingSet.objects.create(
        version=1, taxonomy=taxonomy,
        description=f"Default head-CT mappings ({default['version']}): all traits and the ICH subtypes.",
        context_rules=json.loads(json.dumps([rule_to_dict(r) for r in default_rules()])),
    )
    traits = {t.code: t for t in taxonomy.traits.all()}
    KeywordMapping.objects.bulk_create([
        KeywordMapping(mapping_set=mapping_set, trait=traits[code], phrases=row["phrases"],
                       exclusions=row["exclusions"], sections=row["sections"], weight=row["weight"])
        for code, row in default["traits"].items()
        if code in traits
    ])
    mapping_set.status = "published"
    mapping_set.published_at = timezone.now()
    mapping_set.save()


class Migration(migrations.Migration):
    dependencies = [
        ("reports_nlp", "0001_initial"),
        ("curation", "0002_roles_and_default_taxonomy"),
    ]

    operations = [
        migrations.RunPython(create_permissions, migrations.RunPython.noop),
        migrations.RunPython(load_default_mapping_set, migrations.RunPython.noop),
    ]
