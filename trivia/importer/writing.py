"""Writing an article's stories to the moderation queue (``import_article``), all or nothing.

Each story goes through ``services.submit_story``, pending, citing one ``Source`` for the
article, with the title its heading names (``trivia.matching.titles``) and the people its text
names (``trivia.matching.people``) for the moderator to review. The source keeps the article's
fingerprint: the same article imported again creates nothing. At most ``MAX_STORIES`` (1,000)
stories per article: a bigger one is refused rather than half imported.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from .. import services
from ..matching.people import PersonIndex
from ..matching.titles import TitleIndex
from ..models import Citation, Source, Title
from .reading import ArticleError, fingerprint
from .splitting import Article, split_article

MAX_STORIES = 1_000


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
    stories are written. Each story gets the people its text names
    (``trivia.matching.people``), for the moderator to review with the rest.
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
                services.submit_story(
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
