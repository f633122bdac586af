"""Second opinion for radiologists: the model's view of a study, shown only after their own read is submitted
and only where the campaign allows it (the rule lives in `datasets.selectors.second_opinion`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from datasets.selectors.second_opinion import reader_assignment, second_opinion


@login_required
def second_opinion_page(request, assignment_id: int):
    assignment = reader_assignment(assignment_id=assignment_id, reader=request.user)
    opinion = second_opinion(assignment=assignment, user=request.user)  # PermissionDenied -> 403
    return render(request, "frontend/reading/second_opinion.html", {"assignment": assignment, "opinion": opinion})
