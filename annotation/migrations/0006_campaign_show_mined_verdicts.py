"""`show_report` becomes `show_mined_verdicts`: readers may see the mined verdicts, never the report text."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("annotation", "0005_dawid_skene_run_heartbeat")]

    operations = [
        migrations.RenameField(model_name="campaign", old_name="show_report", new_name="show_mined_verdicts"),
    ]
