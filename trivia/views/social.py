"""What a link to a public page shows elsewhere: Open Graph tags for social networks and
schema.org JSON-LD for search engines (rendered by templates/includes/social_meta.html)."""

from ..feeds import plain_excerpt, story_summary
from ..models import TitleKind
from .structured_data import json_ld


def _schema_type(title):
    return "TVSeries" if title.kind == TitleKind.SERIES else "Movie"


def title_social(request, title):
    """Open Graph tags and schema.org JSON-LD for a title's page: what a link to it shows on a
    social network and what a search engine knows of it."""
    url = request.build_absolute_uri(title.get_absolute_url())
    description = (
        plain_excerpt(title.synopsis, 200)
        if title.synopsis
        else f"Behind-the-scenes stories about {title.name}."
    )
    image = request.build_absolute_uri(title.poster.url) if title.poster else ""
    data = {
        "@type": _schema_type(title),
        "name": title.name,
        "url": url,
        "description": description,
    }
    if title.year:
        data["datePublished"] = str(title.year)
    if title.original_title and title.original_title != title.name:
        data["alternateName"] = title.original_title
    if image:
        data["image"] = image
    og = {
        "type": "video.tv_show" if title.kind == TitleKind.SERIES else "video.movie",
        "title": f"{title.name} ({title.years})" if title.years else title.name,
        "description": description,
        "url": url,
        "image": image,
    }
    return {"og": og, "json_ld": json_ld(data)}


def story_social(request, story):
    """Open Graph tags and JSON-LD for a published story's page. The description is
    ``story_summary``'s: a spoiler's text stays behind its button, even for machines."""
    title = story.title
    people = getattr(story, "people_list", None)
    if people is None:
        people = story.people.all()
    url = request.build_absolute_uri(story.get_absolute_url())
    description = story_summary(story)
    # A spoiler's own picture may give it away; the poster does not.
    picture = story.image if story.image and not story.is_spoiler else title.poster
    image = request.build_absolute_uri(picture.url) if picture else ""
    data = {
        "@type": "Article",
        "headline": f"A behind-the-scenes story about {title.name}",
        "description": description,
        "url": url,
        "datePublished": story.published_at.isoformat(),
        "dateModified": story.updated_at.isoformat(),
        # What it is about: its title, then the people it names (a list either way, so a
        # parser reads every story page alike).
        "about": [
            {
                "@type": _schema_type(title),
                "name": title.name,
                "url": request.build_absolute_uri(title.get_absolute_url()),
            },
            *(
                {
                    "@type": "Person",
                    "name": person.name,
                    "url": request.build_absolute_uri(person.get_absolute_url()),
                }
                for person in people
            ),
        ],
        "publisher": {"@type": "Organization", "name": "Backlot"},
    }
    if story.contributor:
        data["author"] = {"@type": "Person", "name": story.contributor.get_username()}
    if image:
        data["image"] = image
    og = {
        "type": "article",
        "title": f"A story about {title.name}",
        "description": description,
        "url": url,
        "image": image,
        "published_time": story.published_at.isoformat(),
    }
    return {"og": og, "json_ld": json_ld(data)}
