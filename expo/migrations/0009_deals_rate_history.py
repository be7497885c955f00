"""Intended deals with their change history; exchange-rate history; CNY as the one reporting currency.

Expo.currency goes: every report is in CNY (the API's `_cny` fields), other currencies are
converted at the expo's rates. A rate for CNY itself is meaningless (one CNY is one CNY), so any
is removed before the constraint forbids it. Each existing rate starts its history with one entry.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def drop_cny_rates(apps, schema_editor):
    apps.get_model("expo", "ExchangeRate").objects.filter(currency="CNY").delete()


def start_rate_history(apps, schema_editor):
    ExchangeRate = apps.get_model("expo", "ExchangeRate")
    ExchangeRateChange = apps.get_model("expo", "ExchangeRateChange")
    ExchangeRateChange.objects.bulk_create(
        ExchangeRateChange(expo_id=rate.expo_id, currency=rate.currency, rate_to_cny=rate.rate_to_cny)
        for rate in ExchangeRate.objects.all()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('expo', '0008b_exhibitor_province_code'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_cny_rates, migrations.RunPython.noop),
        migrations.CreateModel(
            name='Deal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('external_id', models.CharField(blank=True, help_text="The paper form's number, for imports.", max_length=64, verbose_name='external ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='amount')),
                ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use a three-letter ISO 4217 code, e.g. USD.')], verbose_name='currency')),
                ('rate', models.DecimalField(decimal_places=8, help_text='The exchange rate this deal was converted at.', max_digits=18, validators=[django.core.validators.MinValueValidator(Decimal('1E-8'))], verbose_name='CNY per unit')),
                ('amount_cny_fen', models.BigIntegerField(verbose_name='amount in fen (CNY)')),
                ('quantity_m', models.PositiveIntegerField(blank=True, null=True, verbose_name='quantity (m)')),
                ('stage', models.CharField(choices=[('intended', 'Intended'), ('negotiating', 'Negotiating'), ('signed', 'Signed'), ('withdrawn', 'Withdrawn')], default='intended', max_length=12, verbose_name='stage')),
                ('date', models.DateField(help_text="The day of the deal in the expo's time zone.", verbose_name='date')),
                ('note', models.TextField(blank=True, verbose_name='note')),
            ],
            options={
                'verbose_name': 'intended deal',
                'verbose_name_plural': 'intended deals',
                'ordering': ['-date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='DealChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('created', 'Created'), ('changed', 'Changed'), ('imported', 'Imported')], max_length=10, verbose_name='action')),
                ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='changed')),
                ('before', models.JSONField(blank=True, default=dict, verbose_name='before')),
                ('after', models.JSONField(blank=True, default=dict, verbose_name='after')),
            ],
            options={
                'verbose_name': 'deal change',
                'verbose_name_plural': 'deal history',
                'ordering': ['deal', 'changed_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ExchangeRateChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use a three-letter ISO 4217 code, e.g. USD.')], verbose_name='currency')),
                ('previous_rate', models.DecimalField(blank=True, decimal_places=8, max_digits=18, null=True, validators=[django.core.validators.MinValueValidator(Decimal('1E-8'))], verbose_name='previous CNY per unit')),
                ('rate_to_cny', models.DecimalField(blank=True, decimal_places=8, max_digits=18, null=True, validators=[django.core.validators.MinValueValidator(Decimal('1E-8'))], verbose_name='CNY per unit')),
                ('changed_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='changed')),
            ],
            options={
                'verbose_name': 'exchange rate change',
                'verbose_name_plural': 'exchange rate history',
                'ordering': ['expo', 'currency', '-changed_at', '-id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='expo',
            name='expo_currency_code',
        ),
        migrations.RemoveField(
            model_name='expo',
            name='currency',
        ),
        migrations.AddConstraint(
            model_name='exchangerate',
            constraint=models.CheckConstraint(condition=models.Q(('currency', 'CNY'), _negated=True), name='exchange_rate_not_cny', violation_error_message='CNY is the reporting currency: one CNY is always one CNY.'),
        ),
        migrations.AddField(
            model_name='deal',
            name='buyer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='expo.buyer', verbose_name='buyer'),
        ),
        migrations.AddField(
            model_name='deal',
            name='category',
            field=models.ForeignKey(limit_choices_to={'kind': 'fabric'}, on_delete=django.db.models.deletion.PROTECT, related_name='deals', to='expo.term', verbose_name='fabric'),
        ),
        migrations.AddField(
            model_name='deal',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='logged by'),
        ),
        migrations.AddField(
            model_name='deal',
            name='exhibitor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='expo.exhibitor', verbose_name='exhibitor'),
        ),
        migrations.AddField(
            model_name='deal',
            name='expo',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='expo.expo', verbose_name='expo'),
        ),
        migrations.AddField(
            model_name='dealchange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AddField(
            model_name='dealchange',
            name='deal',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='expo.deal', verbose_name='deal'),
        ),
        migrations.AddField(
            model_name='exchangeratechange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AddField(
            model_name='exchangeratechange',
            name='expo',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exchange_rate_changes', to='expo.expo', verbose_name='expo'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['expo', 'date'], name='deal_expo_date'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['expo', 'exhibitor'], name='deal_expo_exhibitor'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['expo', 'buyer'], name='deal_expo_buyer'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('expo', 'external_id'), name='deal_unique_external_id_per_expo', violation_error_message='This expo already has a deal with this external ID.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', Decimal('0'))), name='deal_amount_positive', violation_error_message='The amount must be greater than zero.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('rate__gt', Decimal('0'))), name='deal_rate_positive', violation_error_message='An exchange rate must be greater than zero.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('amount_cny_fen__gte', 0), ('amount_cny_fen__lte', 1000000000000000)), name='deal_amount_cny_range', violation_error_message='The amount in CNY is out of range.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_m__isnull', True), ('quantity_m__gt', 0), _connector='OR'), name='deal_quantity_positive', violation_error_message='The quantity must be greater than zero.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['intended', 'negotiating', 'signed', 'withdrawn'])), name='deal_stage_valid', violation_error_message='Unknown deal stage.'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='deal_currency_code', violation_error_message='Use a three-letter ISO 4217 currency code.'),
        ),
        migrations.AddIndex(
            model_name='exchangeratechange',
            index=models.Index(fields=['expo', 'currency', 'changed_at'], name='rate_change_lookup'),
        ),
        migrations.RunPython(start_rate_history, migrations.RunPython.noop),
    ]
