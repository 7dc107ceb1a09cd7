from django import template

from reports import workflow
from reports.history import management_mode_labels

register = template.Library()


@register.filter
def management_modes(modes):
    """A matter's management modes by their labels, never their codes."""
    return management_mode_labels(modes)


@register.simple_tag
def deadline_flag(filing, today, due_soon_by):
    """ "overdue", "due_soon" or "": the rule of ``reports.workflow.deadline_flag``."""
    if not today or not due_soon_by:
        return ""
    return workflow.deadline_flag(filing, today, due_soon_by) or ""
