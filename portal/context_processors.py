from .notifications import unread_count


def portal(request):
    """The current user's unread inbox count, for navigation."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {"unread_count": unread_count(user) if authenticated else 0}
