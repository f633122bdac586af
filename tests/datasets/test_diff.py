"""The version diff on plain data: added, removed, moved between splits, labels changed per trait."""

from datasets.export.diff import diff_versions


def test_diff_counts_each_kind_of_change():
    old_studies = {"a": "train", "b": "test", "c": "train"}
    new_studies = {"a": "train", "b": "test", "d": "calibration"}
    old_labels = {("a", "ich"): 0, ("a", "mass"): 1, ("b", "ich"): 1, ("c", "ich"): 1}
    new_labels = {("a", "ich"): 1, ("a", "mass"): 0, ("b", "ich"): 1, ("d", "ich"): 0}
    diff = diff_versions(old_studies, new_studies, old_labels, new_labels)
    assert diff["studies_added"] == ["d"] and diff["studies_removed"] == ["c"]
    assert diff["split_changed"] == []
    assert diff["labels_changed"]["ich"] == {"changed": 1, "to_positive": 1, "to_negative": 0,
                                             "studies": [{"study_id": "a", "before": 0, "after": 1}]}
    assert diff["labels_changed"]["mass"]["to_negative"] == 1
    assert diff_versions(new_studies, new_studies, new_labels, new_labels)["labels_changed"] == {}


def test_a_trait_new_to_a_study_counts_as_a_change_from_nothing():
    diff = diff_versions({"a": "train"}, {"a": "test"}, {}, {("a", "ich"): 1})
    assert diff["labels_changed"]["ich"]["studies"] == [{"study_id": "a", "before": None, "after": 1}]
    assert diff["split_changed"] == [{"study_id": "a", "before": "train", "after": "test"}]


def test_definition_changes_are_named_even_when_studies_and_labels_are_the_same():
    from datasets.export.diff import definition_changes

    v1 = {"image_size": "128 x 128", "split_seed": 0, "consensus_method": "majority"}
    v2 = {"image_size": "64 x 64", "split_seed": 0, "consensus_method": "majority"}
    assert definition_changes(v1, v2) == [{"field": "image_size", "label": "Matrix (px)", "before": "128 x 128",
                                           "after": "64 x 64"}]
    assert definition_changes(v1, v1) == []
