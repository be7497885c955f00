"""Indexes on (expo, updated_at) of exhibitor and buyer profiles: matching's catch-up after a run.

When a full match run publishes, `matching.services.runs` rescores the profiles saved while it ran:
`Buyer.objects.filter(expo=…, updated_at__gte=since)` and the same for exhibitors. Without these
indexes PostgreSQL reads every profile of the expo. Plans on `seed_demo --buyers 50000
--exhibitors 5000` (one expo; 25 buyers and 5 exhibitors saved in the last minute; VACUUM ANALYZE):

    before  Seq Scan on expo_buyer  Filter: (expo_id = 1) AND (updated_at >= …)
            Rows Removed by Filter: 49975                           Execution Time: 22.4 ms
    after   Index Scan using buyer_expo_updated  Index Cond: (expo_id = 1) AND (updated_at >= …)
                                                                    Execution Time: 0.09 ms
    before  Seq Scan on expo_exhibitor  Rows Removed by Filter: 4995  Execution Time: 10.1 ms
    after   Index Scan using exhibitor_expo_updated                   Execution Time: 0.10 ms

The same index answers `max(updated_at)` of an expo's profiles with an Index Only Scan Backward
(0.09 ms, against a 25 ms scan). Loading's cache stamp also counts the rows, which still reads
them all: the index does not change that plan.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('expo', '0006_buyer_company_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='buyer',
            index=models.Index(fields=['expo', 'updated_at'], name='buyer_expo_updated'),
        ),
        migrations.AddIndex(
            model_name='exhibitor',
            index=models.Index(fields=['expo', 'updated_at'], name='exhibitor_expo_updated'),
        ),
    ]
