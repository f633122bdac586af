"""Gives the roles their permissions on dataset versions and export jobs: trainers define and export, curators read."""

from django.db import migrations

from core.roles import grant_permissions

_VIEW = ["view_datasetversion", "view_exportjob"]
_EXPORT = ["add_datasetversion", "add_exportjob"]


def grant(apps, schema_editor):
    grant_permissions(apps, "datasets", {"trainer": _VIEW + _EXPORT, "curator": _VIEW})


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0001_initial"),
        ("curation", "0002_roles_and_default_taxonomy"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
