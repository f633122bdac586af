"""Demo step: a study with two axial series (the cohort's own and a thicker reconstruction of it), so the reading
page's series panel has something to switch between."""

from django.db.models import Count, Q

from curation.models import Series, Study
from curation.selectors.archive import study_axial_series
from curation.services.archive import ingest_paths
from synth.reconstruct import write_thick_reconstruction

FACTOR = 2  # twice the thickness: fewer slices, so the archive keeps the cohort's series as the default


def _label(s: dict) -> str:
    return f"series {s['series_number']} · {s['n_slices']} slices · {s['thickness_mm']} mm" + (
        " (default)" if s["primary"] else "")


def step_reconstructions(ctx) -> None:
    """A thick reconstruction of the first cohort study whose axial files all read, ingested beside its original."""
    for axial in sorted((ctx.state["cohort_dir"] / "dicom").glob("*/SE002_axial")):
        files = write_thick_reconstruction(axial, ctx.data_dir / "reconstructions" / axial.parent.name, factor=FACTOR)
        if files:
            break
    else:
        ctx.out("reconstructions: no axial series to reconstruct")
        return
    ingest_paths([files[0].parent], source="demo")
    axial = Count("series", filter=Q(series__kind=Series.Kind.AXIAL))
    study = Study.objects.annotate(n_axial=axial).filter(n_axial__gt=1).order_by("id").first()
    listed = study_axial_series(study_id=study.pk) if study else []
    ctx.out(f"reconstructions: study {study.pk if study else '?'} has {len(listed)} axial series: "
            f"{'; '.join(_label(s) for s in listed)}; the reading page's series panel switches between them")
