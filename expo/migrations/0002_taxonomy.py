"""Loads the shipped bilingual taxonomy so that `migrate` alone leaves a usable database."""

from django.db import migrations


def load_taxonomy(apps, schema_editor):
    from expo.taxonomy_data import TERMS

    Term = apps.get_model("expo", "Term")
    by_key = {}
    for position, (kind, slug, name_en, name_zh, parent_slug) in enumerate(TERMS):
        parent = by_key[(kind, parent_slug)] if parent_slug else None
        term, _ = Term.objects.update_or_create(
            kind=kind,
            slug=slug,
            defaults={"name_en": name_en, "name_zh": name_zh, "parent": parent, "position": position},
        )
        by_key[(kind, slug)] = term


class Migration(migrations.Migration):
    dependencies = [("expo", "0001_initial")]

    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
