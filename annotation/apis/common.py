"""What every annotation view needs: the permission classes, the campaign a user may see, and
the 409 answer to a conflicting repeat (a read submitted twice)."""

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from annotation.models import Campaign, ReadAlreadySubmittedError
from annotation.selectors.campaigns import campaign_visible
from core.permissions import role_required
from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER

Curator = role_required(CURATOR)
CuratorOrTrainer = role_required(CURATOR, TRAINER)
CuratorOrReaders = role_required(CURATOR, read_roles=(RADIOLOGIST, TRAINER))
Radiologist = role_required(RADIOLOGIST)
RadiologistOrCurator = role_required(RADIOLOGIST, CURATOR)
AnyRole = role_required(CURATOR, RADIOLOGIST, TRAINER)
Admin = role_required(ADMIN)


def visible_campaign(request, campaign_id: int) -> Campaign:
    """The campaign, or 404 when this user may not see it (so its existence is not revealed either)."""
    campaign = get_object_or_404(Campaign.objects.select_related("taxonomy"), pk=campaign_id)
    if not campaign_visible(user=request.user, campaign=campaign):
        raise NotFound("No such campaign.")
    return campaign


def conflict_response(exc: Exception) -> Response | None:
    """409 with the service's message and a stable code, so clients branch on the status, never on the text."""
    if isinstance(exc, ReadAlreadySubmittedError):
        return Response({"detail": " ".join(exc.messages), "code": exc.code}, status=status.HTTP_409_CONFLICT)
    return None
