"""A GIN full-text index for the exhibitor directory search (PostgreSQL only).

The expression matches, character for character, what `expo.selectors.exhibitors_matching`
builds with SearchVector("name_en", "name_zh", "description", config="simple"), so the planner
uses the index. Other databases (SQLite in the embedded setup) search with LIKE and get nothing.
"""

from django.db import migrations

INDEX = "expo_exhibitor_search_fts"
DOCUMENT = (
    "to_tsvector('simple'::regconfig, COALESCE(\"name_en\", '') || ' ' || "
    "COALESCE(\"name_zh\", '') || ' ' || COALESCE(\"description\", ''))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON "expo_exhibitor" USING gin ({DOCUMENT})'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("expo", "0002_taxonomy")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
