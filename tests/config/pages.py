"""Reading what a person sees on a server-rendered error page."""

import re
from html import unescape


def error_message(response) -> str:
    """The explanation paragraph of the 400 page, as text (tags dropped, entities decoded)."""
    html = response.content.decode()
    match = re.search(r'<article class="narrow error-page">.*?<p>(.*?)</p>', html, re.S)
    assert match, html[:500]
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
