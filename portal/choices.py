"""Labels of model choices, looked up in a table built once per field."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS = {}


class ChoiceLabels:
    """A model mixin: ``get_FOO_display()`` without rebuilding the field's choices each time.

    Django's ``Model._get_FIELD_display`` builds a dict of every choice (hashing each entry) on
    every call; a list of 25 organizations with three labels each spent more time there than in
    its SQL. The table holds the lazy labels, so each call still answers in the active language.
    """

    def _get_FIELD_display(self, field):
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
