"""The roles of the reports APIs, and the answer to edits of a published mapping set (409, like taxonomies)."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from curation.permissions import role_required
from curation.roles import CURATOR, RADIOLOGIST, TRAINER
from reports_nlp.models import MappingSetPublishedError

# Anything that returns report text (PHI) uses CuratorOnly; admins hold every role.
CuratorOnly = role_required(CURATOR)
CuratorOrReader = role_required(CURATOR, read_roles=(RADIOLOGIST, TRAINER))


class ReportsApiView(APIView):
    permission_classes = [CuratorOnly]

    def handle_exception(self, exc):
        if isinstance(exc, MappingSetPublishedError):
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)
