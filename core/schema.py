"""OpenAPI schema generation: names nested Input/Output serializers after the API view that owns them."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        # HackSoft-style APIs nest `InputSerializer`/`OutputSerializer` in each view; qualify them so
        # two views' serializers never collide as one component.
        cls = serializer if isinstance(serializer, type) else type(serializer)
        owner, _, name = cls.__qualname__.rpartition(".")
        return owner.replace(".", "") + name
