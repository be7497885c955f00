"""Existing customers are named by the key the exhibitor entered; the buyer it matched may be none.

Staff entering a key no longer learn whether it belongs to a buyer (or whose it is): every key is
saved, and only those that name one of the expo's buyers carry `buyer`. Existing links get their
buyer's external ID (or, without one, email address) as their key.
"""

import django.db.models.deletion
from django.db import migrations, models


def keys_from_buyers(apps, schema_editor):
    CustomerLink = apps.get_model("matching", "CustomerLink")
    for link in CustomerLink.objects.filter(key="").select_related("buyer__user"):
        link.key = link.buyer.external_id or link.buyer.user.email.lower()
        link.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0002_match_exhibitor_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='customerlink',
            name='key',
            field=models.CharField(blank=True, max_length=254, verbose_name='email address or external ID'),
        ),
        migrations.AlterField(
            model_name='customerlink',
            name='buyer',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='customer_links', to='expo.buyer', verbose_name='buyer'),
        ),
        migrations.RunPython(keys_from_buyers, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='customerlink',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('exhibitor', 'key'), name='customer_link_unique_key', violation_error_message='You have already entered this email address or external ID.'),
        ),
    ]
