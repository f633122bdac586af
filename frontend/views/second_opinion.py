"""Second opinion for radiologists: the model's view of a study, shown only after their own read is submitted
and only where the campaign allows it (the rule lives in `datasets.selectors.second_opinion`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from datasets.selectors.second_opinion import reader_assignment, second_opinion
from frontend.views.saliency import saliency_config


@login_required
def second_opinion_page(request, assignment_id: int):
    assignment = reader_assignment(assignment_id=assignment_id, reader=request.user)
    opinion = second_opinion(assignment=assignment, user=request.user)  # PermissionDenied -> 403
    slice_url = reverse("reading-second-opinion-slice", args=[assignment.pk, 0]).replace("/0.png", "/__position__.png")
    saliency = saliency_config(study=assignment.campaign_study.study, slice_url=slice_url)
    return render(request, "frontend/reading/second_opinion.html",
                  {"assignment": assignment, "opinion": opinion, "saliency": saliency})
