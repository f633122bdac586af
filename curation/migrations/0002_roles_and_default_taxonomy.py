"""Creates the four role groups with curation's permissions, and loads the default taxonomy as v1, published."""

from django.db import migrations
from django.utils import timezone

from curation import default_taxonomy as dt
from core.roles import grant_permissions

_VIEW = ["view_taxonomy", "view_trait", "view_traitgroup"]
_EDIT = ["add_taxonomy", "change_taxonomy", "add_trait", "change_trait", "delete_trait", "add_traitgroup",
         "change_traitgroup", "delete_traitgroup"]


def create_roles(apps, schema_editor):
    grant_permissions(
        apps,
        "curation",
        {"radiologist": _VIEW, "curator": _VIEW + _EDIT, "trainer": _VIEW},
    )


def load_default_taxonomy(apps, schema_editor):
    Taxonomy = apps.get_model("curation", "Taxonomy")
    Trait = apps.get_model("curation", "Trait")
    TraitGroup = apps.get_model("curation", "TraitGroup")
    taxonomy = Taxonomy.objects.create(
        name=dt.TAXONOMY_NAME,
        version=1,
        description="DeepRadiologyNet Table 2: 30 head-CT traits, with intracranial hemorrhage subtypes.",
    )
    groups = {}
    for kind, names in (("significance", dt.SIGNIFICANCE_LEVELS), ("location", dt.LOCATIONS), ("type", dt.TYPES)):
        for name in names:
            groups[(kind, name)] = TraitGroup.objects.create(taxonomy=taxonomy, kind=kind, name=name)
    traits = {}
    for order, spec in enumerate(dt.DEFAULT_TRAITS):
        trait = Trait.objects.create(
            taxonomy=taxonomy,
            code=spec.code,
            name=spec.name,
            description=spec.description,
            significance=spec.significance,
            parent=traits.get(spec.parent),
            display_order=order,
            hotkey=spec.hotkey,
            prevalence=spec.prevalence,
        )
        members = [groups[("significance", spec.significance)], groups[("type", spec.type)]]
        members += [groups[("location", loc)] for loc in spec.locations]
        trait.groups.set(members)
        traits[spec.code] = trait
    taxonomy.status = "published"
    taxonomy.published_at = timezone.now()
    taxonomy.save()


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(load_default_taxonomy, migrations.RunPython.noop),
    ]
