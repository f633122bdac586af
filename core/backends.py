"""The authentication backend (AUTHENTICATION_BACKENDS): Django's model backend, whose session user comes
with its RadCurate roles in the same query.

Every authenticated request loads its user and every DICOMweb request checks its roles; a viewer fetches
frames one request per slice. The roles ride on the user object, which lives for one request, so a role
given or taken away counts from the next request on, as before.
"""

from django.contrib.auth.backends import ModelBackend

from .roles import user_with_roles


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
