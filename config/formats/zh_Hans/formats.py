"""Numbers in Simplified Chinese pages: 300,000 米, never 300000 米.

Django's own zh_Hans formats group by four digits with no separator, so a grouped number comes
out bare. Chinese business writing (price lists, sales sheets) groups by three with a comma;
every other format setting still comes from Django's zh_Hans module.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
