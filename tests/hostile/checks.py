"""What every answer to a hostile input is checked for, and counted in the run's figures.

An answer must be below 500; an HTML or XML answer must show every markup payload escaped:
none of ``catalogue.MARKUP`` appears as written (escaping always changes it), and nothing
matches ``catalogue.DANGER_TAGS`` or, in HTML, ``DANGER_ATTRIBUTES`` (what only an unescaped
payload would put in a page). In XML, where quotes in text are harmless and the writer leaves
them, only payloads with "<" or "&" count.
The JSON-LD of a page is JSON, not HTML: there, no "<" at all may appear (the site writes it as
"\u003c"), so that nothing can close its script element. JSON, plain text and images are not
pages a browser renders as markup, so only their status counts. A 400 is the site's page, not
Django's bare "Bad Request (400)" (what it shows when the site has none).

The tests collect problems and fail once with all of them, so that one run shows the whole
extent of a bug.
"""

import re
import unicodedata

from django.utils.html import escape

from tests.hostile.catalogue import DANGER_ATTRIBUTES, DANGER_TAGS, MARKUP
from tests.hostile.figures import FIGURES

XML = ("application/xml", "text/xml", "application/atom+xml")
RENDERED = ("text/html", *XML)
# Shown escaped, a payload reads differently from its raw self.
ESCAPABLE = {name: payload for name, payload in MARKUP.items() if escape(payload) != payload}
IN_XML = {name: payload for name, payload in ESCAPABLE.items() if "<" in payload or "&" in payload}
BARE_400 = "<title>Bad Request (400)</title>"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def content_type(response):
    return response.get("Content-Type", "").split(";")[0].strip()


def problems_in(response, label, *, hostile=True):
    """What is wrong with ``response`` (the answer to ``label``), as sentences; counted."""
    if hostile:
        FIGURES.hostile_inputs += 1
    if response.status_code >= 500:
        FIGURES.server_errors += 1
        return [f"{label}: answered {response.status_code}"]
    kind = content_type(response)
    if kind not in RENDERED or getattr(response, "streaming", False):
        return []
    page = response.content.decode(errors="replace")
    if response.status_code == 400 and BARE_400 in page:
        return [f"{label}: Django's bare 400 page, not the site's"]
    dangers = [DANGER_TAGS] if kind in XML else [DANGER_TAGS, DANGER_ATTRIBUTES]
    found = [
        f"{label}: {match.group()!r} unescaped"
        for danger in dangers
        for match in danger.finditer(page)
    ]
    found += [f"{label}: a '<' in its JSON-LD" for data in JSON_LD.findall(page) if "<" in data]
    page = JSON_LD.sub("", page)
    found += [
        f"{label}: the {name!r} payload unescaped"
        for name, payload in (IN_XML if kind in XML else ESCAPABLE).items()
        if payload in page or payload.lower() in page
    ]
    FIGURES.leaks += len(found)
    return found


def control_characters(text):
    """The invisible control characters in ``text``. Line breaks ("\r" too: XML allows it, and
    a browser's textarea sends "\r\n") and tabs are fine."""
    return [
        char for char in text or "" if unicodedata.category(char) == "Cc" and char not in "\n\r\t"
    ]
