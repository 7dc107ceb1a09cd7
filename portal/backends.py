"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend

from . import generations


class CachedModelBackend(ModelBackend):
    """Django's model backend, whose ``get_user`` (run on every request with a session) reads the
    user from the shared cache until the user's row is saved or deleted (``portal.generations``):
    a password change, a deactivation or a new flag takes effect on the very next request."""

    def get_user(self, user_id):
        load = super().get_user
        return generations.cached(
            f"portal:user:{user_id}", lambda: load(user_id), generations.user(user_id)
        )
