from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _

from .notifications import mark_read_linked, unread_links


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages speak Chinese unless the user chose English (the language cookie); the API follows
    the request's Accept-Language, as API clients expect."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META = {**request.META}
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class PermissionsPolicy:
    """The ``Permissions-Policy`` header (``PERMISSIONS_POLICY``) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RefuseOversizeBodies:
    """Answer 413 to a request whose declared body exceeds ``REQUEST_BODY_MAX_BYTES`` before any
    of it is read: a 300 MB upload is not streamed to disk only to be refused at 20 MB. After the
    locale middleware, so the message is in the user's language; JSON under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            message = _("The request is larger than %(mb)d MB and was refused.") % {
                "mb": limit // (1024 * 1024)
            }
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ReadOnVisitMiddleware:
    """Opening the page a message links to reads the message, before the page is rendered, so
    the inbox badge of that very page already counts it out. Acting on a filing from the review
    queue or a bookmark thus clears its message as reading it in the inbox does. The cached set of
    unread links keeps this to a cache read on every other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and not request.path_info.startswith("/api/")
            and request.path in unread_links(user)
        ):
            mark_read_linked(user=user, path=request.path)
        return self.get_response(request)
