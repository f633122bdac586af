"""Who am I: the signed-in user and their roles (used by pages and API clients)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import user_roles


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        roles = sorted(user_roles(request.user))
        return Response(self.OutputSerializer({"username": request.user.username, "roles": roles}).data)
