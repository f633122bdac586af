"""The roles of the reports APIs (an edit of a published mapping set answers 409 through core.exception_handler)."""

from rest_framework.views import APIView

from core.permissions import role_required
from core.roles import CURATOR, RADIOLOGIST, TRAINER

# Anything that returns report text (PHI) uses CuratorOnly; admins hold every role.
CuratorOnly = role_required(CURATOR)
CuratorOrReader = role_required(CURATOR, read_roles=(RADIOLOGIST, TRAINER))


class ReportsApiView(APIView):
    permission_classes = [CuratorOnly]
