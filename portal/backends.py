"""Authentication backends."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from . import generations, lockout


class CachedModelBackend(ModelBackend):
    """Django's model backend, whose ``get_user`` (run on every request with a session) reads the
    user from the shared cache until the user's row is saved or deleted (``portal.generations``):
    a password change, a deactivation or a new flag takes effect on the very next request.

    Every password check passes the lockout here (``portal.lockout``): the login page, the API's
    token endpoint and the Django admin's login all call ``authenticate``, so they share one
    count and none of them can be used to go round it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = lockout.client_address(request)
        lockout.reserve(username, address)  # before the slow hash: parallel tries are counted
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            lockout.succeeded(username, address)
        return user

    def get_user(self, user_id):
        load = super().get_user
        return generations.cached(
            f"portal:user:{user_id}", lambda: load(user_id), generations.user(user_id)
        )
