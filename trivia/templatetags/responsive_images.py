"""``{% story_image %}``, ``{% poster_image %}`` and ``{% poster_thumb %}``: an ``<img>`` with
its renditions, or a title's generated poster card (``trivia.posters``) when it has no poster.

Everything a page needs was recorded when the image was stored (``images.make_renditions``):
the sizes for ``width``/``height`` (so the page keeps the image's place while it loads) and
the copies for ``srcset``. Nothing here opens a file or decodes an image.
"""

from django import template

from trivia.posters import HEIGHT as CARD_HEIGHT
from trivia.posters import WIDTH as CARD_WIDTH
from trivia.posters import poster_url
from trivia.services import can_moderate

register = template.Library()

# How wide the image is shown, for the browser to choose a copy (static/css/site.css): a story
# card's text column, at most 40rem; a poster beside its title's name, smaller on phones.
STORY_SIZES = "(min-width: 46rem) 40rem, calc(100vw - 4.5rem)"
# On a list's card the image is a thumbnail, at most 18rem wide (a story's page shows it whole).
CARD_IMAGE_SIZES = "(min-width: 24rem) 18rem, calc(100vw - 4.5rem)"
POSTER_SIZES = "(min-width: 40rem) 10rem, 6rem"
# A poster beside a title's name on the A–Z list and on story cards.
THUMB_SIZES = "3rem"
# ``src``, for a browser that ignores ``srcset``: the first copy at least this wide.
STORY_FALLBACK_WIDTH = 640
POSTER_FALLBACK_WIDTH = 320


@register.inclusion_tag("includes/responsive_image.html", takes_context=True)
def story_image(context, anecdote):
    """A story's image, only where the story may be seen by whoever is looking.

    Public lists hold published stories only; a story's own page and the submission pages
    show an unpublished one to its contributor and to moderators, and so its image too.
    """
    if not anecdote.image or not _may_see(context, anecdote):
        return {}
    title = anecdote.title if anecdote.title_id else None
    about = title.name if title else anecdote.proposed_title
    return picture(
        anecdote.image,
        anecdote.image_renditions,
        alt=f"Image for the story about {about}" if about else "Image for this story",
        sizes=STORY_SIZES if context.get("full") else CARD_IMAGE_SIZES,
        fallback_width=STORY_FALLBACK_WIDTH,
        css_class="story__image",
    )


@register.inclusion_tag("includes/responsive_image.html")
def poster_image(title):
    """A title's poster (or its generated card), at the top of its page."""
    if not title.poster:
        return generated_card(title, css_class="title-header__poster", loading="eager")
    return picture(
        title.poster,
        title.poster_renditions,
        alt=f"Poster of {title.name}",
        sizes=POSTER_SIZES,
        fallback_width=POSTER_FALLBACK_WIDTH,
        css_class="title-header__poster",
        # On the first screen: lazy loading would only delay it.
        loading="eager",
    )


@register.inclusion_tag("includes/responsive_image.html")
def poster_thumb(title):
    """A small poster (or generated card) beside a title's name, in lists and story cards.
    Decorative: the name is beside it. Only for a title readers may open (the card's
    address is a 404 for the others): the callers show it for published stories' titles."""
    if not title.slug:
        return {}
    if not title.poster:
        return generated_card(title, css_class="poster-thumb")
    return picture(
        title.poster,
        title.poster_renditions,
        alt="",
        sizes=THUMB_SIZES,
        fallback_width=0,
        css_class="poster-thumb",
    )


def generated_card(title, *, css_class, loading="lazy"):
    """The partial's context for ``title``'s generated poster card (an SVG, one size). Its
    ``alt`` is empty: the card sets in type the name, years and kind the page shows beside
    it, and a screen reader would only read them twice."""
    return {
        "src": poster_url(title),
        "srcset": "",
        "width": CARD_WIDTH,
        "height": CARD_HEIGHT,
        "alt": "",
        "css_class": css_class,
        "loading": loading,
    }


def picture(image, renditions, *, alt, sizes, fallback_width, css_class, loading="lazy"):
    """The partial's context for ``image`` (a ``FieldFile``, or the submit preview's stand-in
    with a ``url`` only) and its renditions dict, possibly still empty for an older image."""
    sources = sorted((renditions or {}).get("sources", []), key=lambda source: source["width"])
    storage = getattr(image, "storage", None)
    if sources and storage is not None:
        urls = [(storage.url(source["name"]), source["width"]) for source in sources]
        src = next((url for url, width in urls if width >= fallback_width), urls[-1][0])
        srcset = ", ".join(f"{url} {width}w" for url, width in urls)
    else:
        src, srcset = image.url, ""
    return {
        "src": src,
        "srcset": srcset,
        "sizes": sizes,
        "width": (renditions or {}).get("width"),
        "height": (renditions or {}).get("height"),
        "alt": alt,
        "css_class": css_class,
        "loading": loading,
    }


def _may_see(context, anecdote):
    if anecdote.is_published:
        return True
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return False
    return anecdote.contributor_id == user.pk or can_moderate(user)
