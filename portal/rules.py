"""Every URL of the portal declares who may open it.

A function view is wrapped with ``@rule("name")``; a class view inherits ``RuleMixin`` and sets
``access_rule``. The page-level rule only says which kind of user may reach the page at all; which
objects they see is decided by the restricted querysets of the app that decides access. The portal
knows two rules itself; the others are named by the apps, which register them
(``register``, from their ``AppConfig.ready()``, so before any view module is imported). A test
walks every URL pattern and fails for one without a rule.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

RULES = {
    "public": lambda user: True,
    "authenticated": lambda user: user.is_authenticated,
}


def register(name, predicate):
    """Name the rule ``predicate(user)``: may this (signed-in) user reach the page at all?"""
    RULES[name] = predicate


def allows(user, name):
    """Whether the rule ``name`` admits ``user`` (anonymous users pass only "public")."""
    if name == "public":
        return True
    return bool(user is not None and user.is_authenticated and RULES[name](user))


def check(request, name):
    """Raise or answer a redirect if the rule ``name`` does not admit the request's user."""
    if name not in RULES:
        raise ImproperlyConfigured(f"unknown access rule {name!r}")
    if name == "public":
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not RULES[name](request.user):
        raise PermissionDenied
    return None


def rule(name):
    if name not in RULES:
        raise ImproperlyConfigured(
            f"unknown access rule {name!r} (rules are registered in AppConfig.ready())"
        )

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = check(request, name)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        wrapped.access_rule = name
        return wrapped

    return decorator


class RuleMixin:
    access_rule = None

    def dispatch(self, request, *args, **kwargs):
        if self.access_rule is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no access_rule")
        response = check(request, self.access_rule)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)


def rule_of(callback):
    """The rule a resolved URL callback declares, or None."""
    name = getattr(callback, "access_rule", None)
    for attr in ("view_class", "cls"):  # Django class views; DRF view sets
        if name is None and hasattr(callback, attr):
            name = getattr(getattr(callback, attr), "access_rule", None)
    return name
