"""Bilingual exhibitor profiles: descriptions in English and Chinese, provinces as codes.

- `description` becomes `description_en` (existing texts keep their place) beside a new
  `description_zh`; the PostgreSQL search document covers both.
- `province` was free text in either language; it becomes a code of `expo.provinces`
  ("Jiangsu", "江苏省" → "JS"). A text naming no Chinese province (a place outside China) moves to
  the new `region`, so nothing is lost.
"""

from django.db import migrations, models

import expo.provinces

DOCUMENT = (
    "to_tsvector('simple'::regconfig, COALESCE(\"name_en\", '') || ' ' || COALESCE(\"name_zh\", '') || ' ' || "
    "COALESCE(\"description_en\", '') || ' ' || COALESCE(\"description_zh\", ''))"
)
OLD_DOCUMENT = (
    "to_tsvector('simple'::regconfig, COALESCE(\"name_en\", '') || ' ' || "
    "COALESCE(\"name_zh\", '') || ' ' || COALESCE(\"description_en\", ''))"
)


def _document(schema_editor, expression: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE "expo_exhibitor" DROP COLUMN IF EXISTS "search_document"')
    schema_editor.execute(
        f'ALTER TABLE "expo_exhibitor" ADD COLUMN "search_document" tsvector GENERATED ALWAYS AS ({expression}) STORED'
    )
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS expo_exhibitor_search_document ON "expo_exhibitor" USING gin ("search_document")'
    )


def document_forwards(apps, schema_editor):
    _document(schema_editor, DOCUMENT)


def document_backwards(apps, schema_editor):
    _document(schema_editor, OLD_DOCUMENT)


def provinces_forwards(apps, schema_editor):
    Exhibitor = apps.get_model("expo", "Exhibitor")
    for pk, text in Exhibitor.objects.exclude(province="").values_list("pk", "province"):
        code = expo.provinces.province_code(text)
        values = {"province": code} if code else {"province": "", "region": text}
        Exhibitor.objects.filter(pk=pk).update(**values)


def provinces_backwards(apps, schema_editor):
    Exhibitor = apps.get_model("expo", "Exhibitor")
    for pk, code, region in Exhibitor.objects.values_list("pk", "province", "region"):
        text = expo.provinces.province_name(code, "en") if code else region
        if text:
            Exhibitor.objects.filter(pk=pk).update(province=text)


class Migration(migrations.Migration):
    dependencies = [("expo", "0007_profile_expo_updated_indexes")]

    operations = [
        migrations.RenameField("exhibitor", "description", "description_en"),
        migrations.AlterField(
            model_name="exhibitor",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="description (English)"),
        ),
        migrations.AddField(
            model_name="exhibitor",
            name="description_zh",
            field=models.TextField(blank=True, verbose_name="description (Chinese)"),
        ),
        migrations.RunPython(document_forwards, document_backwards, elidable=False),
        migrations.AddField(
            model_name="exhibitor",
            name="region",
            field=models.CharField(
                blank=True,
                help_text="State, region or city, for companies outside China.",
                max_length=80,
                verbose_name="region",
            ),
        ),
        migrations.RunPython(provinces_forwards, provinces_backwards, elidable=False),
    ]
