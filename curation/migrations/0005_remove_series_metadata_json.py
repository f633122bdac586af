"""Series metadata is assembled from the instance documents when asked (as fast as reading a stored copy),
so ingest no longer writes a ~400 kB copy of every series."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("curation", "0004_archive_permissions")]

    operations = [migrations.RemoveField(model_name="series", name="metadata_json")]
