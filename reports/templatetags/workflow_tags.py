from django import template

from reports import workflow

register = template.Library()


@register.simple_tag
def deadline_flag(filing, today, due_soon_by):
    """ "overdue", "due_soon" or "": the rule of ``reports.workflow.deadline_flag``."""
    if not today or not due_soon_by:
        return ""
    return workflow.deadline_flag(filing, today, due_soon_by) or ""
