"""The API's token authentication: the key's digest is looked up, and the token must still be
valid for its user (``portal.models.ApiToken.is_valid_for``): unexpired, unrevoked, the user
active and their credentials unchanged since the token was issued."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken

# How often a token's last use is written: each request would be a write per API call.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, checked against ``ApiToken``."""

    model = ApiToken

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
        )
        if token is None or not token.is_valid_for(token.user, now):
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
