"""Archive permissions for the role groups: curators manage ingest and see rejections; readers view images.

IdentityLink (original identifiers) goes to the admin group only, which `grant_permissions` gives everything.
"""

from django.db import migrations

from core.roles import grant_permissions

_READ = ["view_patient", "view_study", "view_series", "view_instance"]
_CURATE = _READ + ["view_rejection", "view_ingestjob", "add_ingestjob"]


def grant(apps, schema_editor):
    grant_permissions(apps, "curation", {"radiologist": _READ, "curator": _CURATE, "trainer": _READ})


class Migration(migrations.Migration):
    dependencies = [("curation", "0003_archive")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
