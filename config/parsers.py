"""DRF's standard parsers, refusing text the database cannot store (NUL, lone surrogates) with a 400.

A module of their own, apart from `config.api`: DRF imports the parser classes while it loads
`rest_framework.views`, which `config.api` imports, so they must not live there.
"""

from django.http import QueryDict
from rest_framework import exceptions, parsers

from config.middleware import unstorable_field


def _refuse_unstorable(data) -> None:
    """400 naming the field if any name or string in the parsed body cannot be stored as text."""
    if isinstance(data, QueryDict):
        items = data.lists()
    elif isinstance(data, dict):
        items = data.items()
    else:  # a bare list or string: no field to name
        items = [("non_field_errors", data)]
    found = unstorable_field(items)
    if found is not None:
        field, reason = found
        raise exceptions.ValidationError({field: [reason]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_unstorable(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_unstorable(parsed.data)
        return parsed
