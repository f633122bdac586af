"""The landing page: what each role can do from here."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from curation.selectors.taxonomy import taxonomy_list


@login_required
def home(request):
    return render(request, "frontend/home.html", {"taxonomies": taxonomy_list()})
