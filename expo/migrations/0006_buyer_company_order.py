"""The admin's buyer list order (company, id) from an index.

At 50,000 buyers, `ORDER BY company, id LIMIT 100` sorted every row for each page
(Sort → Seq Scan, about 100 ms); with the index, PostgreSQL reads the first 100 entries in order
(Limit → Nested Loop → Index Scan using buyer_company_order, under 1 ms).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('expo', '0005_meetings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='buyer',
            index=models.Index(fields=['company', 'id'], name='buyer_company_order'),
        ),
    ]
