"""Gives the roles their permissions on model runs: trainers import and read them, curators read them."""

from django.db import migrations

from core.roles import grant_permissions

_VIEW = ["view_modelrun", "view_studyprediction", "view_activelearningpolicy"]
_EDIT = ["add_modelrun", "add_activelearningpolicy", "change_activelearningpolicy"]


def grant(apps, schema_editor):
    grant_permissions(apps, "datasets", {"trainer": _VIEW + _EDIT, "curator": _VIEW + _EDIT[1:]})


class Migration(migrations.Migration):
    dependencies = [("datasets", "0003_model_runs")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
