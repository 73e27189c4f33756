"""Reading an article: what ``load_article``, the one way in for the command and the admin,
makes of a file, a paste or a web address; its whitespace spelled one way; its fingerprint.

A plain-text article is UTF-8 (a BOM is dropped), at most ``MAX_BYTES`` (1 MB). An HTML page
(a name ending .html or .htm, or markup that says so) may be ``MAX_PAGE_BYTES`` (2 MB), as
pages carry scripts and styles; it is decoded by the charset it declares (the HTTP header, a
BOM, its ``<meta>``), else as UTF-8, else as windows-1252 as browsers do, and read by its
structure (``html``). An address is fetched (``fetching``). An image, a PDF, a Word file,
UTF-16 text or a binary is refused with a sentence saying what it is; a bigger file is refused
rather than half imported.
"""

import codecs
import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1_000_000
MAX_PAGE_BYTES = 2_000_000
MAX_URL = 500  # Source.url's length

_ADDRESS_RE = re.compile(r"[a-z][a-z0-9+.-]*://\S*", re.IGNORECASE)
_HTML_NAME_RE = re.compile(r"\.(?:html?|xhtml)$", re.IGNORECASE)
_HTML_START_RE = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
_HTML_TAG_RE = re.compile(
    r"</?(?:p|div|span|a|br|h[1-6]|li|ul|ol|article|section|strong|em|b|i|table)\b[^<>]*>", re.I
)
# Control characters (Unicode's "Cc") other than the line breaks, tab and form feed text has.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)


class ArticleError(Exception):
    """An article that cannot be imported; the message says why, in one sentence."""


@dataclass
class LoadedArticle:
    """An article ready for ``writing.import_article``: the text the splitter reads (a page's in
    the markdown shape ``html`` writes) and what the page says of its source, where it does.
    ``cited_names`` are the names the page sets in italics or cites, for naming titles."""

    text: str
    title: str = ""
    url: str = ""
    site_name: str = ""
    author: str = ""
    date: datetime.date | None = None
    cited_names: list[str] = field(default_factory=list)


def load_article(source, *, name=None):
    """The article ``source`` gives, or ``ArticleError`` saying what is wrong with it.

    ``source`` is a ``Path`` (a text or HTML file), ``bytes`` (an upload, standard input) or a
    ``str`` (pasted text or HTML, or an http(s) address alone, which is fetched). ``name`` is
    what messages call it; a name ending .html or .htm says the bytes are a page.
    """
    if isinstance(source, Path):
        loaded = _load_bytes(_read_file(source), name=name or str(source))
    elif isinstance(source, bytes):
        loaded = _load_bytes(source, name=name or "The article")
    elif _ADDRESS_RE.fullmatch(source.strip()):
        from . import fetching  # here: it raises this module's ArticleError

        page = fetching.fetch(source.strip())
        loaded = _load_bytes(
            page.body, name=page.url, html=True, charset=page.charset, url=page.url
        )
        loaded.url = page.url
    else:
        loaded = _load_text(source, name=name or "The article")
    if len(loaded.url) > MAX_URL:
        loaded.url = ""
    return loaded


def read_article(path):
    """The text of the article at ``path``, as the splitter reads it."""
    return load_article(Path(path)).text


def _read_file(path):
    if not path.exists():
        raise ArticleError(f"No such file: {path}.")
    if path.is_dir():
        raise ArticleError(f"{path} is a directory, not an article file.")
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_PAGE_BYTES + 1)
    except OSError as error:
        raise ArticleError(f"Cannot read {path}: {error.strerror or error}.") from error


def _load_bytes(data, *, name, html=None, charset="", url=""):
    """A file's, an upload's or a fetched page's bytes: a page (``html``, or told by its name or
    its markup) is read as one, anything else as plain text. ``url``: where the page was
    fetched, ``charset``: what the server said of it."""
    _refuse_binary(data, name=name)
    if html is None:
        html = _looks_like_html(data[:100_000].decode("latin-1"), name)
    _check_size(len(data), name=name, html=html)
    if not html:
        return LoadedArticle(text=decode_article(data, name=name))
    markup = _checked_text(_decode_page(data, charset), name=name)
    return _read_page(markup, url=url)


def _load_text(text, *, name):
    """Pasted text or HTML."""
    if "\x00" in text:
        raise ArticleError(f"{name} holds a NUL byte: it is not a text article.")
    html = _looks_like_html(text, name)
    _check_size(len(text.encode()), name=name, html=html)
    text = _checked_text(text, name=name)
    return _read_page(text) if html else LoadedArticle(text=text)


def _read_page(markup, url=""):
    from .html import read_html  # here: html builds on units, which builds on this module

    return read_html(markup, url=url)


def _looks_like_html(text, name):
    """A page by its name, its opening tag, or markup all through it."""
    if _HTML_NAME_RE.search(name):
        return True
    return bool(_HTML_START_RE.match(text[:2000])) or (
        len(_HTML_TAG_RE.findall(text[:100_000])) >= 4 and "</" in text
    )


def _check_size(size, *, name, html):
    limit = MAX_PAGE_BYTES if html else MAX_BYTES
    if size > limit:
        megabytes = limit // 1_000_000
        raise ArticleError(
            f"{name} is more than {megabytes} MB; {'a page' if html else 'an article'} may be "
            f"at most {megabytes} MB. Split it into smaller articles."
        )


def _decode_page(data, charset):
    """A page's text, by the charset declared in the HTTP header, a BOM or a <meta>; else
    UTF-8, else windows-1252 (as which browsers also read "latin-1" and "ascii" pages)."""
    meta = _META_CHARSET_RE.search(data[:4096])
    declared = [
        charset,
        "utf-8" if data.startswith(codecs.BOM_UTF8) else None,
        meta.group(1).decode("ascii", "replace") if meta else None,
    ]
    for label in filter(None, declared):
        try:
            encoding = codecs.lookup(label).name
            if encoding in ("iso8859-1", "ascii"):
                encoding = "cp1252"
            elif encoding.startswith(("utf-16", "utf-32")):
                encoding = "utf-8"  # a page with no NUL byte is not UTF-16, whatever it says
            return data.decode(encoding, "replace").removeprefix("\ufeff")
        except LookupError:
            continue  # an unknown name, or a codec that is no text encoding ("base64")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (perhaps a Word or OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF media file"),
]


def _refuse_binary(data, *, name):
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ArticleError(f"{name} is {kind}, not a plain-text article.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{name} is UTF-16 text; save it as UTF-8 and try again.")
    if b"\x00" in data:
        raise ArticleError(f"{name} is a binary file, not a plain-text article.")


def decode_article(data, *, name="The article"):
    """Decode an article's bytes as UTF-8, refusing binary files and other encodings."""
    _refuse_binary(data, name=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ArticleError(
            f"{name} is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as UTF-8 and try again."
        ) from None
    return _checked_text(text, name=name)


def _checked_text(text, *, name):
    """Text that is no binary in disguise (control characters) and not empty."""
    if len(_CONTROL_RE.findall(text)) > max(2, len(text) // 100):
        raise ArticleError(f"{name} is a binary file, not a plain-text article.")
    if not text.strip():
        raise ArticleError(f"{name} is empty.")
    return text


def clean_text(text):
    """One spelling of whitespace: "\\n" line ends, plain spaces, no invisible characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = "".join(
        " " if char in "\t\f\v" or unicodedata.category(char) == "Zs" else char
        for char in text
        if char in "\n\t\f\v" or unicodedata.category(char) != "Cc"
    )
    return "\n".join(line.rstrip() for line in text.split("\n"))


def fingerprint(text):
    """The same article, however its whitespace was copied, has the same fingerprint."""
    lines = (" ".join(line.split()) for line in clean_text(text).split("\n"))
    normal = unicodedata.normalize("NFC", "\n".join(line for line in lines if line))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
