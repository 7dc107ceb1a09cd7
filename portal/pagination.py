"""Counting only as far as a person reads: lists show "1,000+" instead of counting every row."""

from functools import cached_property

from django.core.paginator import Paginator

COUNT_LIMIT = 1000


def bounded_count(queryset, limit=COUNT_LIMIT):
    """min(number of rows, limit + 1): the database stops after limit + 1 rows."""
    return queryset.order_by()[: limit + 1].count()


class BoundedPaginator(Paginator):
    """A paginator whose count stops at ``limit`` rows; beyond that the list says "limit+" and
    the filters narrow it down."""

    def __init__(self, *args, limit=COUNT_LIMIT, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit

    @cached_property
    def _bounded(self):
        return bounded_count(self.object_list, self.limit)

    @cached_property
    def count(self):
        return min(self._bounded, self.limit)

    @property
    def bounded(self):
        """The count as ``bounded_count`` gives it (``limit + 1`` stands for more)."""
        return self._bounded

    @property
    def capped(self):
        return self._bounded > self.limit
