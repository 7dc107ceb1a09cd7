from django.middleware.locale import LocaleMiddleware

from .notifications import mark_read_linked, unread_links


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages speak Chinese unless the user chose English (the language cookie); the API follows
    the request's Accept-Language, as API clients expect."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META = {**request.META}
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


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
