"""Studies whose reads already hold slice marks keep the primary series those marks point into."""

from django.db import migrations
from django.db.models import Q


def pin_marked(apps, schema_editor):
    ReadLabel = apps.get_model("annotation", "ReadLabel")
    Study = apps.get_model("curation", "Study")
    marked = (ReadLabel.objects.filter(~Q(slice_ranges=[]) | ~Q(key_images=[]))
              .values("read__assignment__campaign_study__study_id"))
    Study.objects.filter(pk__in=marked).update(primary_series_pinned=True)


class Migration(migrations.Migration):

    dependencies = [
        ("annotation", "0007_auditevent_campaign_recent"),
        ("curation", "0011_study_primary_series_pinned"),
    ]

    operations = [migrations.RunPython(pin_marked, migrations.RunPython.noop)]
