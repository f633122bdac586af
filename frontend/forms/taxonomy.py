"""The taxonomy page's forms: a trait added to a draft, and a draft trait renamed, moved or given a hotkey."""

from django import forms

from curation.models.taxonomy import Significance


class TraitEditForm(forms.Form):
    name = forms.CharField(max_length=120)
    # Empty: top level. The choices are the draft's other trait codes.
    parent = forms.ChoiceField(required=False)
    hotkey = forms.CharField(max_length=16, required=False, widget=forms.TextInput(attrs={"size": 3}))

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "(top level)")] + [(c, c) for c in codes]

    def trait_fields(self) -> dict:
        """The cleaned form as `trait_update` / `trait_create` arguments (an empty parent means top level)."""
        data = self.cleaned_data
        return {"name": data["name"], "hotkey": data["hotkey"], "parent_code": data["parent"] or None}


class TraitAddForm(TraitEditForm):
    code = forms.SlugField(max_length=64)
    significance = forms.ChoiceField(choices=Significance.choices)
    field_order = ["code", "name", "significance", "parent", "hotkey"]

    def trait_fields(self) -> dict:
        return {**super().trait_fields(), "code": self.cleaned_data["code"],
                "significance": self.cleaned_data["significance"]}
