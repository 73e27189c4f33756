"""Page furniture: what a copied web page holds besides the article, and is never a story.

**Furniture** is never part of a story, wherever it stands (the preview shows it as
furniture): sharing and social buttons, subscription and notification prompts,
"Advertisement", "Read more: …", "Related: …", "Check also: …", bylines, dates ("March 3, 2022
· 9 min read": a line of furniture joined by "·" or "|" is furniture), tags and categories,
cookie and comment-form text, navigation, copyright lines, separators, bare addresses, calls to
"let us know in the comments", and credits: image credits ("Photo: …", "Photo Credit:
Netflix.", "Image: …/Getty", "Credit: …", "Courtesy of …", "via someone", "@someone", a photo
agency's name in a short line) and "Source: …" lines (a source line names where the story came
from; it is not a story). A trailing "(via …)" is removed from a story. Some furniture ends
the article: "Leave a reply", "Comments are closed.", "12 comments", "Related posts", "You may
also like", "About the author", "Conclusion", "Sources"... Nothing after it is a story.

A credit (``is_credit``) also tells the split where an image stood: the line above it is the
image's caption, and a paragraph after it may start a story whose heading was the image. A
caption may end with its credit ("Eleven in the lab. Photo: Netflix"); a credit label may stand
alone with its credit on the next line ("Photo Credit:" then "Netflix.").
"""

import re

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
    r"(?:©|\(c\)|copyright\b).{0,200}|.{0,200}all rights reserved\.?",
    # Bylines, dates, labels.
    r"(?:written|posted|published|updated|last updated|edited|reviewed|fact[- ]checked)"
    r"\s*(?:by|on|:)\s*\S.{0,80}|author\s*:.{0,80}",
    r"(?:filed|posted) (?:under|in)\b.{0,100}",
    rf"(?:first |last )?(?:published|posted|updated)(?: on)?\s+(?:{_MONTH}|\d)[\w ,.:/-]{{2,40}}",
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
# Image credits and sources: furniture, and a sign that an image (or a story's end) stood there.
# A source line is where the story came from, not a story.
_CREDIT_LABEL = (
    r"(?:image|images|photo|photos|photograph|picture|pic|pics|credits?|image credit|"
    r"photo credit|picture credit|image source|photo source|featured image|cover image|"
    r"header image|source|sources|via|screenshot|gif|courtesy(?: of)?|h/t|hat tip)"
)
_CREDIT = [
    rf"{_CREDIT_LABEL}\s*(?::|by\b|via\b|courtesy\b|-|–|—|/)\s*\S.{{0,150}}",
    r"(?:photo|image|picture|gif|video|still)s? (?:by|via|courtesy of)\b.{0,120}",
    r"[(\[](?:via|source|photo|image|picture|credit|credits|courtesy)\b.{0,150}[)\]]",
    r"courtesy(?: of)? \S.{0,80}",
    # "via user123", "via u/someone", "@someone", "behind the scenes @someone".
    r"via (?:u/)?[\w.@-]+(?: [\w.@-]+){0,2}",
    r"(?:[\w'’,. -]{1,60}\s)?(?:(?:via|by|from)\s+)?@[\w.]{2,30}",
]
_CREDIT_RE = re.compile("|".join(f"(?:{p})" for p in _CREDIT), re.IGNORECASE)
# A label whose credit is on the next line: "Photo Credit:" then "Netflix."
_CREDIT_ALONE_RE = re.compile(rf"{_CREDIT_LABEL}\s*:?", re.IGNORECASE)
# A caption that ends with its credit: "Eleven in the lab. Photo Credit: Netflix."
_CAPTION_CREDIT_RE = re.compile(
    r".{3,200}?(?:[.!?)]\s+|\s[|–—-]\s*|\s)"
    r"(?:[(\[]\s*)?(?:photo|image|picture|pic)s?(?: credits?)?\s*(?::|by\b)\s*[^.:]{2,60}\.?[)\]]?",
    re.IGNORECASE,
)
_FURNITURE_RE = re.compile(
    "|".join(f"(?:{p})" for p in [*_FURNITURE, *_CREDIT, _CREDIT_ALONE_RE.pattern]), re.IGNORECASE
)

# Furniture found anywhere in a line, but only in a short one (a story may mention Netflix
# subscribers; a 15-word line asking you to subscribe is furniture).
_SHORT_FURNITURE_RE = re.compile(
    r"(?:^|[,.!:]\s*)subscribe\b|\bsubscribe (?:now|today|here|for free|to (?:our|my|this)|"
    r"and (?:get|never|stay))\b|\bsubscribe\W*$|\b(?:our|free|weekly|daily) newsletter\b|"
    r"^newsletter\b|\bsign up\b.*\b(?:free|newsletter|updates|inbox)\b|"
    r"\bnotifications?\b|\bdirectly (?:on|to) (?:your|you) (?:device|inbox|phone)\b",
    re.IGNORECASE,
)
# A photo agency, in a short line: a credit ("Kevin Winter/Getty Images").
_AGENCY_RE = re.compile(
    r"\b(?:getty images|shutterstock|wireimage|filmmagic|alamy|unsplash|giphy|"
    r"everett collection|rex features|rex/shutterstock|ap photo|reuters)\b|/\s*getty\b",
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
    r"comments? (?:are|is|have been) (?:now )?(?:closed|disabled|off|turned off)|"
    r"(?:show|view|load|read|see) (?:all )?(?:\d+ )?comments?|be the first to comment|"
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


_PARTS_RE = re.compile(r"\s+[·|•]\s+")


def ends_article(line):
    """Furniture after which nothing is a story: the comments, related links, the author box."""
    return bool(_END_RE.fullmatch(line.strip()))


def is_furniture(line):
    """Page furniture: not part of the article's content (see the module docstring)."""
    line = line.strip()
    if _FURNITURE_RE.fullmatch(line) or _END_RE.fullmatch(line) or _BYLINE_RE.fullmatch(line):
        return True
    words = len(line.split())
    if words <= 25 and (_SHORT_FURNITURE_RE.search(line) or _AGENCY_RE.search(line)):
        return True
    parts = _PARTS_RE.split(line)  # "March 3, 2022 · 9 min read"
    if len(parts) > 1 and all(part and is_furniture(part) for part in parts):
        return True
    return words <= 40 and bool(_CALL_TO_ACTION_RE.search(line))


def is_credit(line):
    """An image credit or a source line, alone ("Photo Credit: Netflix.", "@someone") or closing
    a caption ("Eleven in the lab. Photo: Netflix"): an image, or a story's end, stood there."""
    line = line.strip()
    if len(line.split()) > 30:
        return False
    return bool(
        _CREDIT_RE.fullmatch(line)
        or _CREDIT_ALONE_RE.fullmatch(line)
        or _CAPTION_CREDIT_RE.fullmatch(line)
        or _AGENCY_RE.search(line)
    )


def is_credit_label(line):
    """ "Photo Credit:" alone: the credit itself is on the next line."""
    return bool(_CREDIT_ALONE_RE.fullmatch(line.strip()))


def strip_trailing_credit(text):
    """ "… the final cut. (via Reddit)" → "… the final cut." """
    return re.sub(
        r"\s*[(\[](?:via|source|h/t|hat tip|credit)\b[^)\]]{0,150}[)\]]\W?$",
        "",
        text,
        flags=re.IGNORECASE,
    )
