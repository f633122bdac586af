"""The campaign builder's forms: the campaign's settings and pool, studies from an archive query, a gold study."""

from django import forms

from annotation.models import Campaign
from annotation.selectors.users import radiologists
from curation.models import Taxonomy

SETTINGS = ("name", "description", "taxonomy", "min_reads", "max_reads", "gold_every", "show_other_reads",
            "show_mined_verdicts", "show_predictions", "slice_ranges", "priority_policy", "reservation_minutes")


class CampaignForm(forms.ModelForm):
    # Published versions only: a campaign reads a frozen taxonomy (the service says so too).
    taxonomy = forms.ModelChoiceField(queryset=Taxonomy.objects.filter(status=Taxonomy.Status.PUBLISHED))
    readers = forms.ModelMultipleChoiceField(queryset=radiologists(), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    adjudicators = forms.ModelMultipleChoiceField(queryset=radiologists(), required=False,
                                                  widget=forms.CheckboxSelectMultiple,
                                                  help_text="Senior readers who decide disagreements.")

    class Meta:
        model = Campaign
        fields = SETTINGS
        labels = {
            "min_reads": "Reads per study", "max_reads": "Up to (adaptive overlap)",
            "gold_every": "A gold study every", "show_other_reads": "Readers see the other reads",
            "show_mined_verdicts": "Readers see the mined verdicts (trait, assertion, section; never report text)",
            "show_predictions": "Readers see model predictions", "slice_ranges": "Slice ranges and key images",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"gold_every": "studies per reader (0: never)",
                      "max_reads": "a disagreement on a high-significance trait adds a reader, up to this many"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("readers", list(self.instance.readers.all()))
            self.initial.setdefault("adjudicators", list(self.instance.adjudicators.all()))

    def _post_clean(self):
        """The services check the campaign (and say why); the form only parses, so nothing is written to the
        instance here."""

    def campaign_fields(self) -> dict:
        """The cleaned form as `campaign_create` / `campaign_revise` arguments."""
        return {name: self.cleaned_data[name] for name in (*SETTINGS, "readers", "adjudicators")}


class ArchiveQueryForm(forms.Form):
    limit = forms.IntegerField(min_value=1, max_value=100000, initial=50)
    site = forms.CharField(required=False, help_text="site pseudonym")
    modality = forms.CharField(required=False, initial="CT")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The study-date range is empty: 'to' is before 'from'.")
        return data


class GoldStudyForm(forms.Form):
    study_uid = forms.CharField(label="Study UID")
    positives = forms.MultipleChoiceField(label="Traits present", required=False)

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positives"].choices = [(c, c) for c in codes]
