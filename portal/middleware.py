from django.middleware.locale import LocaleMiddleware


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages speak Chinese unless the user chose English (the language cookie); the API follows
    the request's Accept-Language, as API clients expect."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META = {**request.META}
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
