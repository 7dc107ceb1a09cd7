from . import access


def roles(request):
    """What the current user may do across the portal (``portal_may``), for navigation."""
    return {"portal_may": access.site_actions(getattr(request, "user", None))}
