from . import access


def roles(request):
    """The current user's roles (``portal_roles``), for navigation."""
    return {"portal_roles": access.roles(getattr(request, "user", None))}
