"""The datasets page's form: a new dataset version to define and export."""

from django import forms

from datasets.models import ConsensusMethod


def _fraction(initial: float) -> forms.FloatField:
    return forms.FloatField(initial=initial, widget=forms.TextInput(attrs={"size": 4}))


class DatasetVersionForm(forms.Form):
    name = forms.SlugField(max_length=100, widget=forms.TextInput(
        attrs={"pattern": r"[a-zA-Z0-9_\-]+", "placeholder": "head-ct-triage",  # valid under the browser's v flag
               "title": "letters, digits, - and _ only"}))
    # The page lists the campaigns itself, with their study counts and taxonomy.
    campaigns = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "Choose at least one campaign."})
    # Optional: a form without it uses the majority vote, as the API does.
    method = forms.ChoiceField(label="Consensus", choices=ConsensusMethod.choices, required=False,
                               initial=ConsensusMethod.MAJORITY)
    seed = forms.IntegerField(label="Split seed", initial=0)
    size = forms.IntegerField(label="Matrix", initial=256, min_value=16, max_value=2048)
    train = _fraction(0.7)
    calibration = _fraction(0.1)
    test = _fraction(0.2)
    # Optional: grows the calibration split (from train) to hold the reported studies this target needs.
    target_csmr = forms.FloatField(label="Size calibration for a CSMR below", required=False, min_value=0.0001,
                                   max_value=0.9999, widget=forms.TextInput(attrs={"size": 6, "placeholder": "0.01"}))
    description = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))

    def __init__(self, *args, campaigns: list[dict], **kwargs):
        """`campaigns`: the exportable ones (`datasets.selectors.sources.exportable_campaigns`), the only choices."""
        super().__init__(*args, **kwargs)
        self.campaign_rows = campaigns
        self.fields["campaigns"].choices = [(c["id"], c["name"]) for c in campaigns]

    def version_fields(self) -> dict:
        """The cleaned form as `dataset_version_create_and_export` arguments."""
        data = self.cleaned_data
        return {
            "name": data["name"], "campaign_ids": data["campaigns"], "split_seed": data["seed"],
            "consensus_method": data["method"] or ConsensusMethod.MAJORITY,
            "split_fractions": [data["train"], data["calibration"], data["test"]],
            "image_size": (data["size"], data["size"]), "description": data["description"],
            "calibration_target_csmr": data["target_csmr"],
        }
