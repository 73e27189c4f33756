"""Reading an article file: its bytes checked and decoded, its whitespace spelled one way, and
its fingerprint.

The text is UTF-8 (a BOM is dropped); an image, a PDF, a Word file, UTF-16 text or a binary is
refused with a sentence saying what it is. At most ``MAX_BYTES`` (1 MB) is read: a bigger file
is refused rather than half imported.
"""

import hashlib
import re
import unicodedata
from pathlib import Path

MAX_BYTES = 1_000_000


class ArticleError(Exception):
    """An article that cannot be imported; the message says why, in one sentence."""


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


def read_article(path):
    """The text of the article at ``path``, or ``ArticleError`` saying what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise ArticleError(f"No such file: {path}.")
    if path.is_dir():
        raise ArticleError(f"{path} is a directory, not an article file.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ArticleError(f"Cannot read {path}: {error.strerror or error}.") from error
    if len(data) > MAX_BYTES:
        size = path.stat().st_size
        shown = f"{size / 1_000_000:.1f} MB" if size > MAX_BYTES else "more than 1 MB"
        raise ArticleError(
            f"{path} is {shown}; an article may be at most {MAX_BYTES // 1_000_000} MB. "
            "Split it into smaller articles."
        )
    return decode_article(data, name=str(path))


def decode_article(data, *, name="The article"):
    """Decode an article's bytes as UTF-8, refusing binary files and other encodings."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ArticleError(f"{name} is {kind}, not a plain-text article.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{name} is UTF-16 text; save it as UTF-8 and try again.")
    if b"\x00" in data:
        raise ArticleError(f"{name} is a binary file, not a plain-text article.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ArticleError(
            f"{name} is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as UTF-8 and try again."
        ) from None
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\r\t\f"
    )
    if controls > max(2, len(text) // 100):
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
