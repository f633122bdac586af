"""A run's saliency maps for one study, as the second-opinion page and the adjudication page draw them."""

import numpy as np

from datasets.models import ModelRun, StudySaliency


def study_saliency(*, run: ModelRun | None, study_id: int) -> list[dict]:
    """Per trait (most likely first): probability, the slice of each map, and the maps as [0, 1] lists."""
    if run is None:
        return []
    out = []
    for s in StudySaliency.objects.filter(run=run, study_id=study_id).order_by("-probability", "trait"):
        maps = np.frombuffer(bytes(s.maps), dtype="<f2").reshape(len(s.positions), s.rows, s.cols)
        peak = np.unravel_index(int(np.argmax(maps)), maps.shape)
        out.append({
            "trait": s.trait, "probability": s.probability, "n_slices": s.n_slices, "positions": s.positions,
            "shape": [s.rows, s.cols], "peak_slice": s.positions[int(peak[0])],
            "maps": np.round(maps.astype(np.float32), 3).tolist(),
        })
    return out
