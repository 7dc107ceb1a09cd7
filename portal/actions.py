"""The shape every small POST action of the portal shares: validate a form, call a service,
tell the user the outcome in their language, go back to the page."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def flash_errors(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def form_action(request, form, action, *, done, invalid):
    """Run ``action(cleaned_data)`` if ``form`` is valid. A refused action changes nothing and
    its messages are shown; ``invalid`` is shown for a form that does not validate."""
    if not form.is_valid():
        messages.error(request, invalid)
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
        return False
    messages.success(request, done)
    return True
