"""Exhibitor provinces become two-letter codes of `expo.provinces` (the values were mapped by 0008).

A migration of its own: on PostgreSQL the column cannot be altered in the transaction that just
updated the rows (their deferred constraint triggers are still pending), so the data step of 0008
commits first.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("expo", "0008_exhibitor_bilingual_description_province")]

    operations = [
        migrations.AlterField(
            model_name="exhibitor",
            name="province",
            field=models.CharField(
                blank=True,
                choices=[
                    ("AH", "Anhui"),
                    ("BJ", "Beijing"),
                    ("CQ", "Chongqing"),
                    ("FJ", "Fujian"),
                    ("GD", "Guangdong"),
                    ("GS", "Gansu"),
                    ("GX", "Guangxi"),
                    ("GZ", "Guizhou"),
                    ("HA", "Henan"),
                    ("HB", "Hubei"),
                    ("HE", "Hebei"),
                    ("HI", "Hainan"),
                    ("HL", "Heilongjiang"),
                    ("HN", "Hunan"),
                    ("JL", "Jilin"),
                    ("JS", "Jiangsu"),
                    ("JX", "Jiangxi"),
                    ("LN", "Liaoning"),
                    ("NM", "Inner Mongolia"),
                    ("NX", "Ningxia"),
                    ("QH", "Qinghai"),
                    ("SC", "Sichuan"),
                    ("SD", "Shandong"),
                    ("SH", "Shanghai"),
                    ("SN", "Shaanxi"),
                    ("SX", "Shanxi"),
                    ("TJ", "Tianjin"),
                    ("XJ", "Xinjiang"),
                    ("XZ", "Tibet"),
                    ("YN", "Yunnan"),
                    ("ZJ", "Zhejiang"),
                ],
                help_text="For companies in China.",
                max_length=2,
                verbose_name="province",
            ),
        ),
    ]
