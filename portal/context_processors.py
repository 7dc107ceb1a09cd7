from duties.access import roles


def portal(request):
    """The current user's roles, for navigation."""
    return {"portal_roles": roles(getattr(request, "user", None))}
