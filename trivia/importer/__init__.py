"""Importing a listicle article (plain text, copied from a web page) as pending stories.

A moderator receives articles such as the seeds: "18 small stories behind the scenes", one
paragraph per film under a heading, wrapped in page furniture. ``split_article`` turns one into
stories the way a careful reader would; ``import_article`` writes them to the moderation queue
through ``services.submit_anecdote``, citing one ``Source`` for the article.

How an article is read, in order:

1. **Lines.** The text is UTF-8 (a BOM is dropped); line endings, non-breaking and zero-width
   spaces are normalised. Each non-blank line is a unit (copied web pages put one paragraph per
   line). A hard-wrapped file (most long lines end within a few characters of the same width,
   at most 100) has its wrapped lines joined back into paragraphs. A line holding only a number
   ("1.", "#1") is joined to the line after it. Markdown marks are removed: "## Heading" and a
   line entirely in bold are headings; ``**bold**``, ``[text](url)``, "> " and bullets are
   reduced to their text.
2. **Furniture** is dropped wherever it stands: sharing and social buttons, subscription and
   notification prompts, "Advertisement", "Read more: …", "Related: …", "Check also: …", image
   credits and "Source: …" lines (a source line names where the story came from; it is not a
   story), bylines, dates, tags and categories, cookie and comment-form text, navigation,
   copyright lines, separators, bare addresses and calls to "let us know in the comments".
   A trailing "(via …)" is removed from a story. Some furniture ends the article: "Leave a
   reply", "12 comments", "Related posts", "You may also like", "About the author",
   "Conclusion", "Sources"... Nothing after it is a story.
3. **The article's title** is its first line (used as the source's title), unless that line is
   numbered or is exactly the name of a known title (then it is a heading).
4. **Headings.** A numbered line ("1. X", "1) X", "#1 X", "1 - X", "No. 1: X", "3: X") followed
   by a paragraph is a heading (a numbered line that is itself a long paragraph is a story; if it
   opens with a short "Name: " or "Name – " the name is its heading). A markdown or bold line
   is a heading. Otherwise a heading is a *short* line - at most 6 words, or at most 12 words
   mostly capitalised - that does not end like a sentence (".", "!", "?", "…"; "Monsters,
   Inc.", "Airplane!" or a trailing colon are fine) **and is followed by a paragraph**: a short
   line followed by another short line or by nothing is not a heading. No trailing punctuation
   alone never makes a heading: seed paragraphs often lack their final full stop. An article
   with no heading on a line of its own but paragraphs opening "Fight Club: …" (two or more,
   with a capitalised name or a known title) has those names as headings; elsewhere a
   paragraph opening with a known title and a colon or dash gets that title as its heading.
5. **Intro.** Everything before the first heading is the intro, not a story. When the article
   numbers its headings (two or more numbered lines), the first numbered line is the first
   heading; otherwise it is the first heading not followed by an introductory paragraph ("here
   are…", "these facts…").
6. **Stories.** The paragraph right after a heading is that heading's story. A heading repeated
   right after itself ("1. The glow", then "The glow"; or with a year added) counts once; two
   headings in a row leave the first without a story, and it is dropped. A paragraph that
   follows a story instead of a heading is a story **without a heading** (the seed's headings
   that were images), so two paragraphs under one heading are two stories, the second without
   a heading - except that a paragraph which can only continue the previous one (it opens in
   lower case or with "However", "He", "They"…, and is not set apart by a wider gap than usual)
   is appended to it, and that in an article numbered without a gap (1, 2, 3…) no heading was
   lost, so such a paragraph is a second story under the same heading. In a numbered article,
   a short line between a heading and its paragraph, or alone after a story, is an image
   caption and is dropped.

Limits: at most ``MAX_BYTES`` (1 MB) and ``MAX_STORIES`` (1,000 stories) per article; bigger
files are refused rather than half imported.
"""

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from .. import services
from ..models import Citation, Source, Title
from ..names import normalize_name
from ..people import PersonIndex

MAX_BYTES = 1_000_000
MAX_STORIES = 1_000

# --- Reading --------------------------------------------------------------------------------


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


# --- Furniture ------------------------------------------------------------------------------
# Patterns match a whole line (case-insensitive) unless noted. They are deliberately general:
# the seeds' "Spread the love" and "Check Also: …" are instances, not the list.

_SOCIAL = (
    r"facebook|twitter|x|pinterest|whatsapp|linkedin|reddit|tumblr|telegram|flipboard|"
    r"messenger|e-?mail|print|share|shares|tweet|pin|pin it|copy link|sms|vk|viber|instagram|"
    r"youtube|tiktok|bluesky|google\+?|mastodon|digg|stumbleupon|buffer|skype|snapchat"
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_LINK_MARKERS = (
    r"related(?: (?:posts?|articles?|stories|story|reading|content|links?|news|videos?))?|"
    r"read (?:more|next|also|this|on)|see (?:also|more)|check (?:also|this out|out)|"
    r"also (?:read|see|check)|don'?t miss|do not miss|must read|recommended(?: for you)?|"
    r"more(?: stories| news| articles)?|trending(?: now)?|popular(?: now)?|watch(?: now)?|"
    r"video|listen|you (?:may|might|will) (?:also )?(?:like|enjoy|love)|up next|next up|"
    r"previous (?:post|article|story|page)|next (?:post|article|story|page)|"
    r"(?:also|more) on [\w .'-]{1,30}|suggested(?: reading)?|sponsored|in case you missed it|icymi"
)
_SEP = r"\s*(?::|»|›|>|→|\||-|–|—)\s*"

_FURNITURE = [
    # Sharing and social buttons, alone or in a row.
    rf"(?:(?:{_SOCIAL})(?:\s*[|·•/,]\s*|\s+|$))+",
    r"(?:spread|share) the love|sharing is caring|please share.*",
    r"share(?:\s+(?:this|the|on|via|with|to)\b.{0,60}|\W*\d*\W*)",
    r"like this:?|like loading\.*|click to (?:share|print|email).*|\(opens in new window\)",
    # Subscription, notifications, apps.
    r"(?:get|receive) (?:real[ -]?time|the latest|daily|breaking|instant) "
    r"(?:updates|news|alerts).*",
    r"(?:follow|like|join) us(?: on| at| for)?\b.{0,80}",
    r"(?:download|get|install) (?:our|the) (?:free )?app.*",
    r"(?:turn on|enable|allow) (?:push )?notifications.*",
    # Advertising.
    r"advertisements?|ads?|ad feedback|report (?:this )?ad|sponsored(?: (?:content|post|links?))?|"
    r"promoted(?: (?:content|stories))?|paid (?:content|partnership)|partner content|"
    r"(?:story|article|content|text) continues (?:below|after).*|continue reading below.*|"
    r"scroll (?:down )?to continue.*|advertisement\W+scroll.*",
    # Links to other pages.
    rf"(?:{_LINK_MARKERS}){_SEP}\S.*",
    r"(?:read|see|learn|show|load|view) more\b.{0,60}|continue reading\b.{0,60}|"
    r"keep reading\b.{0,60}|click here\b.{0,80}|tap here\b.{0,80}|full story\b.{0,40}|"
    r"view (?:all|gallery|slideshow|comments?)\b.{0,40}|open in (?:a )?new (?:tab|window)",
    r"(?:next|previous|prev|older|newer)(?: (?:page|post|article|story|slide|entry))?\W*",
    r"(?:«\s*)?(?:previous|prev)\b[\d\s]*(?:next)?\W*|[\d\s]*\bnext\W*|\d+(?:\s+\d+)+\s*»?",
    r"(?:go to )?page \d+(?: of \d+)?|\d+ of \d+|slide \d+(?: of \d+)?",
    # Comment forms.
    r"your email address will not be published\.?.*|required fields are marked.*",
    r"cancel reply|post comment|submit comment|reply|reply to this comment|log ?in to reply|"
    r"(?:name|email|e-mail|website|comment)\s*\*?:?|save my name, email.*|notify me of .*|"
    r"this site uses akismet.*|you must be logged in to post a comment.*|submit|send",
    # Credits and sources (a source line is where the story came from, not a story).
    r"(?:image|images|photo|photos|photograph|picture|pic|pics|credits?|image credit|"
    r"photo credit|image source|photo source|featured image|cover image|header image|"
    r"source|sources|via|screenshot|gif|courtesy(?: of)?|h/t|hat tip)"
    r"\s*(?::|by\b|via\b|courtesy\b|-|–|—|/)\s*\S.{0,150}",
    r"(?:photo|image|picture|gif|video|still)s? (?:by|via|courtesy of)\b.{0,120}",
    r"[(\[](?:via|source|photo|image|picture|credit|credits|courtesy)\b.{0,150}[)\]]",
    r"(?:©|\(c\)|copyright\b).{0,200}|.{0,200}all rights reserved\.?",
    # Bylines, dates, labels.
    r"(?:written|posted|published|updated|last updated|edited|reviewed|fact[- ]checked)"
    r"\s*(?:by|on|:)\s*\S.{0,80}|author\s*:.{0,80}",
    r"(?:filed|posted) (?:under|in)\b.{0,100}",
    r"(?:updated |posted |published )?\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|"
    r"years?) ago",
    # A film's credits box: not a story.
    r"(?:directed by|director|directors|starring|cast|year|released|release date|genre|runtime|"
    r"running time|rating|imdb rating|studio|writers?|screenplay|producers?|country|language|"
    r"where to (?:watch|stream)|streaming on|available on|watch it on)\s*:\s*.{1,120}",
    r"(?:tags?|tagged(?: with| as)?|categor(?:y|ies)|topics?|keywords?|labels?)\s*:.*",
    r"\d+\s*(?:min|mins|minutes?)\s+read|reading time\s*:?.{0,20}",
    r"[\d,.]+\s*[km]?\s*(?:views?|shares?|likes?|reads?|comments?)|"
    r"(?:views?|shares?|likes?)\s*:?\s*[\d,.]+\s*[km]?",
    rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?"
    rf"(?:{_MONTH})\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]"
    rf"\d{{2}}\s*(?:am|pm)?)?",
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:,?\s+\d{1,2}:\d{2}.*)?",
    r"(?:home|menu|news)\s*(?:»|›|>|/|\|).*",
    # Cookies, legal, navigation, page chrome.
    r"(?:we|this (?:web)?site|our (?:web)?site) uses? cookies.*|"
    r".{0,100}\bcookie (?:policy|settings|preferences|consent)\b.{0,100}",
    r"(?:accept|reject|allow|manage|decline)(?: all)?(?: cookies)?|got it|i agree|ok|okay|"
    r"dismiss|close|skip to (?:main )?content|back to top|scroll to top|top|menu|search|"
    r"toggle(?: navigation)?|(?:open|close) menu|loading\.*|show|hide|embed|play|"
    r"(?:play|watch) video|image|photo|video|gif|caption|expand|click to expand",
    r"privacy (?:policy|settings)|terms (?:of (?:use|service)|and conditions)|"
    r"contact us|about us|sitemap|rss",
    r"(?:table of )?contents|in this article:?|jump to(?: section)?:?|quick links:?|"
    r"show (?:table of )?contents|hide (?:table of )?contents",
    r"\W*spoilers?(?: alert| ahead| warning| below)?\W*",
    r"thanks!*|thank you!*|"
    r"(?:thanks?(?: you)? (?:so much )?for reading|that'?s (?:all|it)(?: for (?:now|today))?|"
    r"stay tuned|hope you (?:enjoyed|liked)|see you (?:next time|soon|tomorrow)|"
    r"happy (?:watching|reading|streaming))\b.{0,100}",
    # Lines with no letters or digits (separators, emoji), bare addresses, markdown images.
    r"[^\w]*",
    r"(?:https?://|www\.)\S+",
    r"!\[[^\]]*\]\([^)]*\)",
]
_FURNITURE_RE = re.compile("|".join(f"(?:{p})" for p in _FURNITURE), re.IGNORECASE)

# Furniture found anywhere in a line, but only in a short one (a story may mention Netflix
# subscribers; a 15-word line asking you to subscribe is furniture).
_SHORT_FURNITURE_RE = re.compile(
    r"(?:^|[,.!:]\s*)subscribe\b|\bsubscribe (?:now|today|here|for free|to (?:our|my|this)|"
    r"and (?:get|never|stay))\b|\bsubscribe\W*$|\b(?:our|free|weekly|daily) newsletter\b|"
    r"^newsletter\b|\bsign up\b.*\b(?:free|newsletter|updates|inbox)\b|"
    r"\bnotifications?\b|\bdirectly (?:on|to) (?:your|you) (?:device|inbox|phone)\b|"
    r"\b(?:getty images|shutterstock|wireimage|filmmagic|alamy|unsplash|giphy|"
    r"everett collection|rex features|rex/shutterstock|ap photo|reuters)\b",
    re.IGNORECASE,
)
# Calls to action, in a paragraph of at most 40 words: "Let us know in the comments!"
_CALL_TO_ACTION_RE = re.compile(
    r"\blet us know\b|\btell us (?:in|below|what|which|about your)\b|\bin the comments?\b|"
    r"\bcomment below\b|\bdrop (?:us )?a comment\b|\bshare (?:this|it|these) with your\b|"
    r"\bdon'?t forget to (?:like|share|subscribe|follow)\b|\bhit the (?:like|bell)\b",
    re.IGNORECASE,
)
# Furniture after which nothing is a story: the comment section, related links, author box,
# the article's closing section, a list of sources.
_END_RE = re.compile(
    r"(?:(?:leave|post|add|write|submit) (?:a |your )?(?:reply|comment|response)s?|"
    r"(?:\d+|no|one) (?:comments?|responses?|replies|thoughts?)(?: on .*)?|"
    r"comments?(?: \(\d+\))?|discussion|join the (?:discussion|conversation)|"
    r"related(?: (?:posts?|articles?|stories|reading|content|links|news|videos?))?|"
    r"you (?:may|might|will) (?:also )?(?:like|enjoy|love|be interested in)|"
    r"(?:more|other|similar) (?:stories|articles|posts|news)(?: from .{1,40}| like this)?|"
    r"more from .{1,40}|recommended(?: for you| reading| stories| articles)?|"
    r"(?:what to )?read next|up next|trending(?: now| stories)?|popular(?: posts| now| stories)?|"
    r"most (?:read|popular|viewed)|latest(?: posts| news| stories| articles)?|"
    r"about the author|author bio|(?:post|article) navigation|sources?|references|"
    r"further reading|bibliography|(?:in )?conclusion|final (?:thoughts|words)|wrapping up|"
    r"wrap-up|summing up|to sum up|the bottom line|bottom line|tl;?dr|"
    r"[\w.@'’-]+(?: [\w.@'’-]+){0,3} says:)\W*",
    re.IGNORECASE,
)


# A byline: "By Jane Doe", "by John Smith | Staff writer" (but not "By the Sea").
_BYLINE_RE = re.compile(
    r"[Bb]y:?\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|di|del|la|le)){1,4}"
    r"(?:\s*(?:[|,•·–—-]|and)\s*.{0,50}[^.!?])?"
)


def is_furniture(line):
    """Page furniture: not part of the article's content (see the module docstring)."""
    line = line.strip()
    if _FURNITURE_RE.fullmatch(line) or _END_RE.fullmatch(line) or _BYLINE_RE.fullmatch(line):
        return True
    words = len(line.split())
    if words <= 25 and _SHORT_FURNITURE_RE.search(line):
        return True
    return words <= 40 and bool(_CALL_TO_ACTION_RE.search(line))


def _strip_trailing_credit(text):
    """ "… the final cut. (via Reddit)" → "… the final cut." """
    return re.sub(
        r"\s*[(\[](?:via|source|h/t|hat tip|credit)\b[^)\]]{0,150}[)\]]\W?$",
        "",
        text,
        flags=re.IGNORECASE,
    )


# --- Lines into units -------------------------------------------------------------------------

# "#1 X", "No. 1: X", "Number 1 - X" (n1); "1. X", "1) X", "1.- X" (n2); "1: X", "1 - X" (n3, which
# "300: Rise of an Empire" also looks like, so trusted only in a numbered article).
_NUMBERED_RE = re.compile(
    r"(?:#\s*|no\.?\s*|n[º°]\s*|number\s+)(?P<n1>\d{1,3})\b(?:\s*[.):\-–—]|(?=\s)|$)\s*(?P<r1>.*)"
    r"|(?P<n2>\d{1,3})[.)](?!\d)(?:\s*[-–—:](?=\s))?\s*(?P<r2>.*)"
    r"|(?P<n3>\d{1,3})(?::|\s+[-–—])\s+(?P<r3>.*)",
    re.IGNORECASE,
)
_MARKDOWN_HEADING_RE = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_BOLD_LINE_RE = re.compile(r"(\*\*|__)(?P<inner>[^*_].*?)\1\s*(?P<colon>[:.–—-]?)")
_BULLET_RE = re.compile(r"(?:[-*•·▪►▶➤✓✔]|>)\s+")

_SMALL_WORDS = frozenset(
    "a an the and or nor but of in on at to for with from by as vs via de la le les du des "
    "del von van der di da d l".split()
)
_ABBREVIATION_END_RE = re.compile(
    r"(?:\b(?:Inc|Jr|Sr|Dr|Mr|Mrs|Ms|St|Co|Bros|Vol|Pt|Ltd|vs|No|Mt|Ft|Jnr|Snr)\.|"
    r"\b(?:[A-Za-z]\.){2,})$"
)
_SENTENCE_END_RE = re.compile(r"(?:[.!?…]|\.\.\.)['\"”’)\]]*$")


def _words(text):
    return [word for word in re.split(r"\s+", text) if re.search(r"\w", word)]


def _capitalised_share(words):
    """How many of the significant words start with a capital (or are numbers)."""
    counted = [
        word
        for i, word in enumerate(words)
        if i == 0 or word.lower().strip("'\"“”‘’(") not in _SMALL_WORDS
    ]
    if not counted:
        return 0.0
    letters = [re.sub(r"^[\W_]+", "", word)[:1] for word in counted]
    return sum(1 for char in letters if char.isupper() or char.isdigit()) / len(counted)


def _sentence_breaks(text):
    """Full stops inside the line that end a sentence (not "Mr. Smith" or "L.A. Confidential")."""
    count = 0
    for match in re.finditer(r"(\S+)[.!?]\s+[A-Z\"“]", text):
        before = match.group(1)
        if re.fullmatch(
            r"(?:[A-Za-z]\.)*[A-Za-z]|Inc|Jr|Sr|Dr|Mr|Mrs|Ms|St|Co|Bros|Vol|No|vs", before
        ):
            continue
        count += 1
    return count


def looks_like_heading(text, *, numbered=False):
    """A short name-like line: a film's title rather than a sentence (rule 4 of the docstring).

    A numbered line may be longer and end with a full stop ("3. Ledger locked himself away."):
    its number already says it is a heading.
    """
    text = text.strip()
    words = _words(text)
    if not words:
        return False
    if numbered:
        return len(text) <= 150 and len(words) <= 20 and not _sentence_breaks(text)
    if len(text) > 100 or len(words) > 12 or _sentence_breaks(text):
        return False
    capitals = _capitalised_share(words)
    if text.endswith(":"):
        return capitals >= 0.6
    if _SENTENCE_END_RE.search(text) and not _ABBREVIATION_END_RE.search(text):
        # "Airplane!", "Who Framed Roger Rabbit?" – titles that end like a sentence; and a
        # name or two with a stray full stop, "Titanic."
        limit = 6 if text[-1] in "!?" else 4
        return len(words) <= limit and capitals >= 0.75
    return len(words) <= 6 or capitals >= 0.6


@dataclass
class _Unit:
    """One paragraph or line of the article, with what the layout says about it."""

    text: str
    gap: int = 1  # blank lines before it
    number: int | None = None
    loose_number: bool = False  # numbered as "1: X" or "1 - X", which a title can look like
    unnumbered: str = ""  # the text with its number, should the number turn out not to be one
    marked: bool = False  # a markdown heading or a line in bold
    end: bool = False  # furniture after which nothing is a story

    def heading_like(self):
        return looks_like_heading(self.text, numbered=self.number is not None)


def _wrap_width(lines):
    """The width a hard-wrapped file was wrapped at, or None if it was not wrapped.

    The width is the one most long lines end just short of, with hardly any line beyond it (a
    cookie banner or a URL may stick out).
    """
    lengths = [len(line) for line in lines]
    long_lines = [n for n in lengths if n > 30]
    if len(long_lines) < 5:
        return None
    best, best_near = None, 0
    for width in sorted({n for n in long_lines if n <= 100}):
        near = sum(1 for n in long_lines if width - 12 <= n <= width)
        beyond = sum(1 for n in lengths if n > width)
        if beyond <= max(1, len(lengths) // 10) and near > best_near:
            best, best_near = width, near
    return best if best_near >= max(3, 0.4 * len(long_lines)) else None


def _blocks(text):
    """(gap, lines) for each run of non-blank lines."""
    blocks, current, gap = [], [], 0
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        else:
            if current:
                blocks.append((gap, current))
                current, gap = [], 0
            gap += 1
    if current:
        blocks.append((gap, current))
    return blocks


def _unwrap(lines, width):
    """Join the lines of a hard-wrapped block back into paragraphs."""
    if not width:
        return lines
    joined = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        # The wrapper broke the line because the next word did not fit: a long line.
        wrapped = len(previous) + 1 + len(line.split()[0]) > width - 2 and len(previous) > 30
        starts_item = bool(_NUMBERED_RE.fullmatch(line) or _BULLET_RE.match(line))
        starts_heading = _SENTENCE_END_RE.search(previous) and looks_like_heading(line)
        if wrapped and not starts_item and not starts_heading:
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _strip_markup(text):
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\((?:https?://|/|#)[^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def _make_unit(line, gap):
    unit = _Unit(text=line, gap=gap)
    markdown = _MARKDOWN_HEADING_RE.fullmatch(line)
    if markdown:
        line, unit.marked = markdown.group(1), True
    bold = _BOLD_LINE_RE.fullmatch(line)
    if bold and "**" not in bold.group("inner") and "__" not in bold.group("inner"):
        line, unit.marked = bold.group("inner") + (bold.group("colon") or ""), True
    bullet = _BULLET_RE.match(line)
    if bullet and not unit.marked:
        line = line[bullet.end() :]
    line = unit.unnumbered = _strip_markup(line)
    numbered = _NUMBERED_RE.fullmatch(line)
    if numbered:
        which = next(n for n in ("1", "2", "3") if numbered.group("n" + n))
        unit.number = int(numbered.group("n" + which))
        unit.loose_number = which == "3"
        line = _strip_markup(numbered.group("r" + which) or "")
    unit.text = line
    if unit.marked and not looks_like_heading(line, numbered=True):
        unit.marked = False  # a whole paragraph in bold is still a paragraph
    return unit


def _units(text):
    """The article's paragraphs and lines, furniture removed, as ``_Unit``s."""
    text = clean_text(text)
    blocks = _blocks(text)
    width = _wrap_width([line for _, lines in blocks for line in lines])
    units = []
    for gap, lines in blocks:
        for index, line in enumerate(_unwrap(lines, width)):
            unit = _make_unit(line, gap if index == 0 else 0)
            if unit.number is None and is_furniture(unit.text):
                if _END_RE.fullmatch(unit.text):
                    unit.end = True
                    units.append(unit)
                continue
            if units and units[-1].number is not None and not units[-1].text:
                # "1." alone on its line numbers the line after it.
                units[-1].text, units[-1].marked = unit.text, unit.marked
                units[-1].unnumbered = f"{units[-1].unnumbered} {unit.unnumbered}"
                continue
            units.append(unit)
    units = [unit for unit in units if unit.text or unit.end]
    if sum(1 for unit in units if unit.number is not None) < 2:
        for unit in units:
            if unit.loose_number:
                unit.number, unit.text = None, unit.unnumbered
    return units


# --- Splitting ----------------------------------------------------------------------------

# What follows a title's name in a heading: "(1999)", "(James Cameron, 1997)", "(TV series)",
# ", 1999", " – 1999"; and what may precede it: "Movie: ", "Series – ".
_YEAR_SUFFIX_RE = re.compile(
    r"\s*(?:[(\[][^()\[\]]*\b(?:19|20)\d{2}\b[^()\[\]]*[)\]]|"
    r"[(\[]\s*(?:tv(?: series| show)?|film|movie|series|tv movie|miniseries)\s*[)\]]|"
    r",\s*(?:19|20)\d{2}|\s[-–—]\s*(?:19|20)\d{2})$",
    re.IGNORECASE,
)
_KIND_PREFIX_RE = re.compile(
    r"^(?:movie|film|series|tv series|tv show|show)\s*(?::|[-–—]\s)\s*", re.IGNORECASE
)
_YEAR_RE = re.compile(r"\b((?:19|20)\d{2})\b")
_CONTINUATION_RE = re.compile(
    r"(?:however|but|and|also|moreover|furthermore|in addition|additionally|besides|"
    r"nevertheless|nonetheless|still|yet|later|afterwards?|eventually|meanwhile|as a result|"
    r"because of (?:this|that)|on top of that|not only that|what'?s more|even so|in the end|"
    r"he|she|they|his|her|their|him|them)\b[\s,]",
    re.IGNORECASE,
)
_INTRO_RE = re.compile(
    r"\b(?:here (?:are|is)|here'?s|we(?:'ve| have) (?:collected|rounded|gathered|compiled|"
    r"picked|selected)|this list|these (?:facts|stories|secrets|details|things|anecdotes|"
    r"moments|movies|films)|in this (?:article|post|list)|read on|scroll down|"
    r"let'?s (?:take a look|find out|see|dive|have a look)|you (?:probably )?(?:didn'?t|don'?t|"
    r"did not|do not|never) know|behind[- ]the[- ]scenes|not (?:much|well|widely) known|"
    r"(?:little|lesser)[- ]known)\b",
    re.IGNORECASE,
)
_INLINE_SEPARATOR_RE = re.compile(r"\s*:\s+|\s+[–—-]\s+")


def clean_heading(text):
    """A heading as it should be shown: no trailing colon or dash, no surrounding quotes."""
    text = re.sub(r"^[:–—-]+\s+|\s*[:–—-]+$", "", text.strip())
    if len(text) > 2 and text[0] in "\"“‘'" and text[-1] in "\"”’'":
        text = text[1:-1].strip()
    return text


def _heading_key(text):
    """What two spellings of the same heading share: "1. The Glow" and "The glow (1980)"."""
    return normalize_name(_YEAR_SUFFIX_RE.sub("", clean_heading(text)))


@dataclass
class Story:
    """One story of an article: its heading (None when it had none), its text, its title."""

    heading: str | None
    text: str
    title: "TitleRef | None" = None

    def as_json(self):
        return {
            "heading": self.heading,
            "title": self.title.slug if self.title else None,
            "text": self.text,
        }


@dataclass
class Article:
    title: str
    intro: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)

    @property
    def counts(self):
        """What the summary reports: stories, matched, unmatched headings, no heading."""
        matched = sum(1 for story in self.stories if story.title)
        no_heading = sum(1 for story in self.stories if story.heading is None)
        return {
            "stories": len(self.stories),
            "matched": matched,
            "unmatched": len(self.stories) - matched - no_heading,
            "no heading": no_heading,
        }


def _split_inline(text, *, index=None, numbered=False):
    """ "Fight Club: Brad Pitt…" → ("Fight Club", "Brad Pitt…"), when the name is a heading.

    In a numbered paragraph a short name-like opening is taken (a known title first, else the
    first); elsewhere only a known title, since "Fun fact: …" is not a heading.
    """
    candidates = []
    for match in _INLINE_SEPARATOR_RE.finditer(text):
        head, rest = text[: match.start()].strip(), text[match.end() :].strip()
        if len(_words(head)) > 10 or len(_words(rest)) < 4:
            break
        if looks_like_heading(head):
            candidates.append((head, rest))
    for head, rest in candidates:
        if index is not None and index.match(head):
            return head, rest
    if numbered and candidates:
        return candidates[0]
    return None, text


def _inline_heading(text, index):
    """Whether a paragraph opens with a film's name: a known title, or a capitalised name."""
    head, _ = _split_inline(text, index=index, numbered=True)
    if not head:
        return False
    words = _words(head)
    return bool(index and index.match(head)) or (
        len(words) <= 8 and _capitalised_share(words) >= 0.75
    )


def _classify(units):
    """Each unit's kind: "end", "heading" (surely), "numbered story", "short" (a heading if a
    paragraph follows) or "para"."""
    kinds = []
    for unit in units:
        if unit.end:
            kinds.append("end")
        elif unit.number is not None:
            kinds.append("numbered")
        elif unit.marked:
            kinds.append("heading")
        else:
            kinds.append("short" if unit.heading_like() else "para")
    for i, unit in enumerate(units):
        if kinds[i] != "numbered":
            continue
        following = kinds[i + 1] if i + 1 < len(units) else "end"
        title_like = len(_words(unit.text)) <= 12 and not _SENTENCE_END_RE.search(unit.text)
        heading = unit.heading_like() and (following in ("para", "short") or title_like)
        kinds[i] = "heading" if heading else "numbered story"
    kinds.append("end")  # so that looking one past the last unit is safe
    return kinds


def split_article(text, index=None):
    """Split an article into its title, intro and stories (rules in the module docstring).

    ``index`` (a ``TitleIndex``) matches headings to titles; without it no title is matched.
    """
    units = _units(text)
    article = Article(title="")
    if not units:
        return article
    kinds = _classify(units)
    gaps = Counter(unit.gap for unit in units[1:])
    usual_gap = gaps.most_common(1)[0][0] if gaps else 1
    numbered_doc = sum(1 for unit in units if unit.number is not None) >= 2

    def is_repeat(i, heading):
        return kinds[i] in ("short", "heading") and _heading_key(units[i].text) == _heading_key(
            heading
        )

    def after_heading(i):
        """Where the paragraph of the heading at ``i`` should be (after a repetition)."""
        return i + 2 if is_repeat(i + 1, units[i].text) else i + 1

    # The article's title: the first line, unless it is a heading itself.
    start = 0
    first = units[0]
    known = index is not None and index.match(first.text)
    if first.number is None and kinds[0] != "end" and not known and len(first.text) <= 200:
        article.title = first.text
        start = 1

    # Where the stories begin.
    body = None
    for i in range(start, len(units)):
        if kinds[i] == "end":
            break
        if numbered_doc:
            if kinds[i] in ("heading", "numbered story"):
                body = i
                break
        elif kinds[i] == "heading" or (
            kinds[i] == "short"
            and kinds[after_heading(i)] == "para"
            and not _INTRO_RE.search(units[after_heading(i)].text)
        ):
            body = i
            break
    if body is None:
        # No heading on a line of its own: perhaps each paragraph opens with its film's name,
        # "Fight Club: Brad Pitt…". Two such paragraphs make that the article's layout.
        inline = [
            i
            for i in range(start, kinds.index("end"))
            if kinds[i] == "para" and _inline_heading(units[i].text, index)
        ]
        if len(inline) < 2:
            article.intro = [unit.text for unit in units[start:] if not unit.end]
            return article
        for i in inline:
            kinds[i] = "numbered story"
        body = inline[0]
    article.intro = [unit.text for unit in units[start:body]]

    # Numbered 1, 2, 3… (or counting down) without a gap: no item lost its number, so a second
    # paragraph belongs to the item above it rather than to a heading that was an image.
    numbers = [
        unit.number
        for unit, kind in zip(units, kinds, strict=False)
        if unit.number is not None and kind in ("heading", "numbered story")
    ]
    steps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    numbered_in_order = len(numbers) >= 2 and steps in ({1}, {-1})

    heading = None  # a heading waiting for its paragraph
    last = None  # the last story, which a continuation joins
    for i in range(body, len(units)):
        kind, unit = kinds[i], units[i]
        if kind == "end":
            break
        if heading is not None and is_repeat(i, heading):
            continue
        if kind == "heading" or (
            heading is None and kind == "short" and kinds[after_heading(i)] == "para"
        ):
            heading, last = clean_heading(unit.text), None
        elif kind == "numbered story":
            head, rest = _split_inline(unit.text, index=index, numbered=True)
            last = Story(heading=clean_heading(head) if head else None, text=rest)
            article.stories.append(last)
            heading = None
        elif heading is not None:
            if numbered_doc and kind == "short" and kinds[i + 1] == "para":
                continue  # a caption between a heading and its paragraph
            last = Story(heading=heading, text=unit.text)
            article.stories.append(last)
            heading = None
        elif numbered_doc and kind == "short":
            continue  # a caption standing alone after a story
        elif (
            last is not None
            and unit.gap <= usual_gap
            and (unit.text[:1].islower() or _CONTINUATION_RE.match(unit.text))
        ):
            last.text = f"{last.text}\n\n{unit.text}"
        else:
            head, rest = _split_inline(unit.text, index=index)
            if head:
                head = clean_heading(head)
            elif numbered_in_order and last is not None and unit.gap <= usual_gap:
                head = last.heading  # another paragraph of the same numbered item
            last = Story(heading=head, text=rest)
            article.stories.append(last)

    stories = []
    for story in article.stories:
        story.text = _strip_trailing_credit(story.text).strip()
        if story.text and not (stories and stories[-1].text == story.text):
            stories.append(story)
    article.stories = stories
    if index is not None:
        for story in stories:
            story.title = index.match(story.heading) if story.heading else None
    return article


# --- Matching headings to titles ----------------------------------------------------------

_ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18,
    "xix": 19, "xx": 20,
}  # fmt: skip


def _numeral_key(normal):
    """ "rocky iv" and "rocky 4" share a key: sequels are numbered both ways."""
    return " ".join(str(_ROMAN.get(word, word)) for word in normal.split())


@dataclass(frozen=True)
class TitleRef:
    """What matching needs to know of a title, without loading the model."""

    pk: int
    slug: str
    name: str
    year: int | None


class TitleIndex:
    """Every title's names (name, original title, aliases) in normal form, for matching.

    Built with one query (``from_db``); reuse it for every heading of an import, a form or a
    search: ``index.match("Batman: The Dark Knight")``.
    """

    def __init__(self, entries=()):
        # normal form → titles; numeral form → titles (a fallback: "Rocky 4" for "Rocky IV").
        self._exact: dict[str, set[TitleRef]] = {}
        self._numeral: dict[str, set[TitleRef]] = {}
        for ref, names in entries:
            self.add(ref, names)

    def add(self, ref, names):
        for name in names:
            normal = normalize_name(name) if name else ""
            if normal:
                self._exact.setdefault(normal, set()).add(ref)
                self._numeral.setdefault(_numeral_key(normal), set()).add(ref)

    @classmethod
    def from_db(cls):
        rows = Title.objects.values_list(
            "pk", "slug", "name", "year", "original_title", "aliases__name"
        ).order_by("pk")
        refs, names = {}, {}
        for pk, slug, name, year, original, alias in rows:
            refs.setdefault(pk, TitleRef(pk=pk, slug=slug, name=name, year=year))
            names.setdefault(pk, {name, original}).add(alias)
        return cls((refs[pk], names[pk]) for pk in refs)

    def __len__(self):
        return len({ref for refs in self._exact.values() for ref in refs})

    def match(self, heading):
        """The one title ``heading`` names, or None (unknown, or ambiguous without a year)."""
        if not heading:
            return None
        suffix = _YEAR_SUFFIX_RE.search(heading)
        year_match = _YEAR_RE.search(suffix.group()) if suffix else None
        year = int(year_match.group(1)) if year_match else None
        bare = _KIND_PREFIX_RE.sub("", _YEAR_SUFFIX_RE.sub("", clean_heading(heading)))
        bare = normalize_name(bare)
        if not bare:
            return None
        for table, key in ((self._exact, bare), (self._numeral, _numeral_key(bare))):
            candidates = table.get(key, set())
            if year is not None and len(candidates) > 1:
                candidates = {ref for ref in candidates if ref.year == year} or candidates
            if len(candidates) == 1:
                return next(iter(candidates))
            if candidates:
                return None
        return None


def match_title(heading, index):
    """The title a heading names, through its name, original title or an alias (or None)."""
    return index.match(heading)


# --- Importing ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    article: Article
    source: Source | None
    created: bool  # False: a dry run, or the article was imported before

    @property
    def already_imported(self):
        return self.source is not None and not self.created


def find_imported(text):
    """The source an identical article was imported as, if any."""
    return Source.objects.filter(import_fingerprint=fingerprint(text)).first()


def import_article(
    text,
    *,
    user=None,
    source_title="",
    source_url="",
    publisher="",
    dry_run=False,
    index=None,
    people_index=None,
    progress: Callable[[int, int], None] | None = None,
    name="The article",
):
    """Split ``text`` and, unless ``dry_run``, queue its stories citing one new source.

    All or nothing: one transaction. An article imported before (same fingerprint) creates
    nothing; the result names the earlier source. ``progress(done, total)`` is called as
    stories are written. Each story gets the people its text names (``trivia.people``), for
    the moderator to review with the rest.
    """
    index = index if index is not None else TitleIndex.from_db()
    article = split_article(text, index=index)
    if not article.stories:
        raise ArticleError(
            f"No story found in {name}: a story is a paragraph under a heading (a short line "
            "such as “1. Fight Club”), and there is none after the introduction."
        )
    if len(article.stories) > MAX_STORIES:
        raise ArticleError(
            f"{name} has {len(article.stories):,} stories; at most {MAX_STORIES:,} can be "
            "imported at once. Split it into smaller articles."
        )
    earlier = find_imported(text)
    if dry_run or earlier:
        return ImportResult(article=article, source=earlier, created=False)

    titles = Title.objects.in_bulk({story.title.pk for story in article.stories if story.title})
    people_index = people_index if people_index is not None else PersonIndex.from_db()
    try:
        with transaction.atomic():
            source = Source.objects.create(
                kind=Source.Kind.ARTICLE,
                title=(source_title or article.title)[:300],
                url=source_url,
                publisher=publisher[:200],
                import_fingerprint=fingerprint(text),
            )
            total = len(article.stories)
            for done, story in enumerate(article.stories, start=1):
                services.submit_anecdote(
                    contributor=user,
                    text=story.text,
                    title=titles.get(story.title.pk) if story.title else None,
                    proposed_title=(story.heading or "")[:200] if not story.title else "",
                    citations=[Citation(source=source)],
                    people=[person.pk for person in people_index.find(story.text)],
                    imported=True,
                )
                if progress:
                    progress(done, total)
    except IntegrityError:
        # Someone imported the same article a moment ago.
        earlier = find_imported(text)
        if earlier is None:
            raise
        return ImportResult(article=article, source=earlier, created=False)
    return ImportResult(article=article, source=source, created=True)
