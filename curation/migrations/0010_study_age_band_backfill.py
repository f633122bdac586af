"""Studies ingested before the age band was kept get theirs from the linkage table: the original birth date against
the study's original date (the stored, shifted date less its shift). PatientAge was never stored, so a study whose
header had no birth date keeps an empty band. Only the band is written; nothing of the linkage leaves it."""

import datetime as dt

from django.db import migrations

from curation.dicom.age_band import age_band

BATCH = 2000


def backfill_age_bands(apps, schema_editor):
    Study = apps.get_model("curation", "Study")
    rows = (Study.objects.filter(age_band="", study_date__isnull=False, identity_link__isnull=False)
            .exclude(identity_link__original_birth_date="")
            .values_list("pk", "study_date", "identity_link__original_birth_date", "identity_link__date_shift_days")
            .order_by("pk"))
    banded = []
    for pk, shifted, birth_date, shift in rows.iterator(chunk_size=BATCH):
        original = shifted - dt.timedelta(days=shift)
        band = age_band(birth_date=birth_date, study_date=original.strftime("%Y%m%d"))
        if band:
            banded.append(Study(pk=pk, age_band=band))
    Study.objects.bulk_update(banded, ["age_band"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0009_study_age_band'),
    ]

    operations = [
        migrations.RunPython(backfill_age_bands, migrations.RunPython.noop),
    ]
