"""A run's subgroup evaluation (report.json `subgroups`), shaped for the run page: one table per trait."""

from datasets.models import ModelRun


def _interval(t: dict) -> str:
    if t.get("too_small"):
        return f"too few cases (n+ = {t['n_positive']})"
    if t.get("auroc") is None:
        return "–"
    return f"{t['auroc']:.3f} [{t['auroc_lo']:.3f}, {t['auroc_hi']:.3f}]"


def run_subgroups(run: ModelRun) -> list[dict]:
    """Per trait with an AUROC on the whole test split: the whole, then each subgroup (too-small ones included),
    with its forest plot's file name when the run has one."""
    report = run.report or {}
    rows = report.get("subgroups") or []
    if not rows:
        return []
    plots = {name.rsplit("/", 1)[-1] for name in run.plots}
    out = []
    for overall in report.get("traits", []):
        if overall.get("auroc") is None:
            continue
        code = overall["code"]
        groups = []
        for row in rows:
            t = next((t for t in row["traits"] if t["code"] == code), None)
            if t is None:
                continue
            op = row.get("operating_point") or {}
            groups.append({"attribute": row["attribute"], "group": row["group"], "n": row["n"],
                           "n_positive": t["n_positive"], "too_small": t["too_small"], "auroc": _interval(t),
                           "csmr": op.get("csmr"), "csmr_upper": op.get("csmr_upper"), "reported": op.get("reported")})
        forest = f"forest-{code}.png"
        out.append({"code": code, "overall": _interval(overall), "n_positive": overall.get("n_positive"),
                    "groups": groups, "forest": forest if forest in plots else None})
    return out
