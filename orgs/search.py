"""Name search in the registry, served by an index of character pairs on PostgreSQL.

People search for organizations by two or three Chinese characters (园林, 协会, 绿化). A trigram
index cannot serve terms that short, so the migration ``0003_name_bigrams`` indexes the pairs of
adjacent characters of every name (``portal_bigrams``, as a text-search vector, GIN). A term is
looked up by its own pairs — every name containing the term contains all of them — and the exact
``icontains`` test then keeps the names that really contain it. SQLite, and a term with no pair
the index can serve (a single character), use the ``icontains`` scan alone.
"""

import re

from django.db import connections
from django.db.models import BooleanField, F, Func

from . import credit_code

# Pairs the text-search parser certainly reads as a word: one that holds a CJK ideograph or an
# ASCII letter or digit. Pairs of punctuation only are left out (the test stays exact).
INDEXABLE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class NameHasPairs(Func):
    """``portal_bigrams(name)`` as a text-search vector matches every pair of ``pairs``; the
    expression is the one the index ``orgs_organization_name_bigrams`` is built on."""

    output_field = BooleanField()

    def __init__(self, pairs):
        super().__init__(F("name"))
        self.pairs = pairs

    def as_sql(self, compiler, connection, **extra):
        name_sql, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"to_tsvector('simple'::regconfig, portal_bigrams({name_sql})) "
            "@@ plainto_tsquery('simple'::regconfig, %s)"
        )
        return sql, [*params, " ".join(self.pairs)]


def pairs_of(term):
    return [term[i : i + 2] for i in range(len(term) - 1) if INDEXABLE.search(term[i : i + 2])]


def name_contains(queryset, term):
    """The organizations of ``queryset`` whose name contains ``term`` (case-insensitive)."""
    pairs = pairs_of(term)
    if pairs and connections[queryset.db].vendor == "postgresql":
        queryset = queryset.filter(NameHasPairs(pairs))
    return queryset.filter(name__icontains=term)


def could_start_a_code(term):
    """Whether some credit code may begin with ``term`` (only code characters)."""
    code = credit_code.normalize(term)
    return bool(code) and all(ch in credit_code.ALPHABET for ch in code)
