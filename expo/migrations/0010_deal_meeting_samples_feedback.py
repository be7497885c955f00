"""A deal may name the meeting it came from (one deal per meeting); sample requests and post-meeting
feedback from each side, counted in the reports."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('expo', '0009_deals_rate_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='deal',
            name='meeting',
            field=models.OneToOneField(blank=True, help_text='The meeting this deal came from, if any.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deal', to='expo.meeting', verbose_name='meeting'),
        ),
        migrations.CreateModel(
            name='MeetingFeedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('side', models.CharField(choices=[('buyer', 'Buyer'), ('exhibitor', 'Exhibitor')], max_length=10, verbose_name='side')),
                ('took_place', models.BooleanField(verbose_name='took place')),
                ('interest', models.CharField(blank=True, choices=[('none', 'None'), ('low', 'Low'), ('medium', 'Medium'), ('high', 'High')], max_length=10, verbose_name='interest')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                ('given_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given by')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='expo.meeting', verbose_name='meeting')),
            ],
            options={
                'verbose_name': 'meeting feedback',
                'verbose_name_plural': 'meeting feedback',
                'ordering': ['meeting', 'side'],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'side'), name='feedback_one_per_side', violation_error_message='This side already gave feedback on this meeting.'), models.CheckConstraint(condition=models.Q(('took_place', True), ('interest', ''), _connector='OR'), name='feedback_interest_only_if_met', violation_error_message='Interest is given only for a meeting that took place.'), models.CheckConstraint(condition=models.Q(('side__in', ['buyer', 'exhibitor'])), name='feedback_side_valid', violation_error_message='Unknown side.')],
            },
        ),
        migrations.CreateModel(
            name='SampleRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('quantity', models.PositiveIntegerField(default=1, help_text='Swatches or hangers.', verbose_name='quantity')),
                ('status', models.CharField(choices=[('requested', 'Requested'), ('sent', 'Sent'), ('received', 'Received')], default='requested', max_length=10, verbose_name='status')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                ('fabric', models.ForeignKey(limit_choices_to={'kind': 'fabric'}, on_delete=django.db.models.deletion.PROTECT, related_name='sample_requests', to='expo.term', verbose_name='fabric')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sample_requests', to='expo.meeting', verbose_name='meeting')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='logged by')),
            ],
            options={
                'verbose_name': 'sample request',
                'verbose_name_plural': 'sample requests',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='sample_quantity_positive', violation_error_message='The quantity must be greater than zero.'), models.CheckConstraint(condition=models.Q(('status__in', ['requested', 'sent', 'received'])), name='sample_status_valid', violation_error_message='Unknown sample status.')],
            },
        ),
    ]
