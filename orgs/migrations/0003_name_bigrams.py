"""An index of the pairs of adjacent characters of organization names (PostgreSQL only).

See ``orgs/search.py``: short Chinese search terms are looked up by their character pairs. The
function is IMMUTABLE (it only cuts text), so it may be indexed; the index expression must stay
identical to the one ``orgs.search.NameHasPairs`` writes.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bigrams(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT coalesce(string_agg(substr(value, i, 2), ' ' ORDER BY i), '')
    FROM generate_series(1, length(value) - 1) AS i
$$
"""
INDEX = """
CREATE INDEX IF NOT EXISTS orgs_organization_name_bigrams ON orgs_organization
USING gin (to_tsvector('simple'::regconfig, portal_bigrams(name)))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS orgs_organization_name_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
