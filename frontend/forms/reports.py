"""The candidates page's form: the checked studies, the campaign they join, and the run that ranks them."""

from django import forms

from annotation.models import Campaign
from curation.models import Study
from reports_nlp.models import MiningRun


class CandidateSelectForm(forms.Form):
    # Every campaign, closed ones too: the service says why a closed campaign takes no studies.
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.all(),
                                      error_messages={"required": "Choose a campaign.",
                                                      "invalid_choice": "No such campaign."})
    run = forms.ModelChoiceField(queryset=MiningRun.objects.all(),
                                 error_messages={"required": "Choose a mining run.",
                                                 "invalid_choice": "No such mining run."})
    study = forms.ModelMultipleChoiceField(queryset=Study.objects.all(),
                                           error_messages={"required": "Select at least one study."})
    next = forms.CharField(required=False)
