"""The difference between two dataset versions: how each was defined, studies added and removed, labels changed
per trait. Two versions of the same studies and labels can still differ in definition (matrix size, consensus
method, splits), and a model trained on one is not trained on the other: the diff says so."""

from collections.abc import Iterable, Mapping


def labels_by_key(rows: Iterable[Mapping]) -> dict[tuple[str, str], int]:
    """(study_id, trait) -> label from labels.parquet rows."""
    return {(r["study_id"], r["trait"]): int(r["label"]) for r in rows}


def diff_versions(
    old_studies: Mapping[str, str],
    new_studies: Mapping[str, str],
    old_labels: Mapping[tuple[str, str], int],
    new_labels: Mapping[tuple[str, str], int],
) -> dict:
    """Studies map study_id -> split. Labels changed are counted on studies present in both versions."""
    added = sorted(set(new_studies) - set(old_studies))
    removed = sorted(set(old_studies) - set(new_studies))
    kept = set(old_studies) & set(new_studies)
    moved = sorted(s for s in kept if old_studies[s] != new_studies[s])
    per_trait: dict[str, dict] = {}
    for key in sorted(set(old_labels) | set(new_labels)):
        study, trait = key
        if study not in kept:
            continue
        before, after = old_labels.get(key), new_labels.get(key)
        if before == after:
            continue
        entry = per_trait.setdefault(trait, {"changed": 0, "to_positive": 0, "to_negative": 0, "studies": []})
        entry["changed"] += 1
        entry["to_positive"] += after == 1
        entry["to_negative"] += after == 0
        entry["studies"].append({"study_id": study, "before": before, "after": after})
    return {
        "studies_added": added,
        "studies_removed": removed,
        "split_changed": [{"study_id": s, "before": old_studies[s], "after": new_studies[s]} for s in moved],
        "labels_changed": per_trait,
    }


# What defines a version, in the words the export form uses; compared field by field.
DEFINITION_FIELDS = {
    "taxonomy": "Taxonomy",
    "campaigns": "Campaigns",
    "consensus_method": "Consensus",
    "traits": "Traits exported",
    "filters": "Filters",
    "image_size": "Matrix (px)",
    "split_seed": "Split seed",
    "split_fractions": "Fractions (train, calibration, test)",
    "stratify_on": "Stratified on",
    "chunk_studies": "Studies per shard",
}


def definition_changes(old: Mapping, new: Mapping) -> list[dict]:
    """[{field, label, before, after}] for every definition field whose value differs between the two versions."""
    return [{"field": key, "label": label, "before": old.get(key), "after": new.get(key)}
            for key, label in DEFINITION_FIELDS.items() if old.get(key) != new.get(key)]
