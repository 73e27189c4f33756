"""Writing an article's stories to the moderation queue (``import_article``), all or nothing.

The split stories are named (``naming``: title or proposed title, people, corrections) and
compared with the published ones (``repeats``), and a story longer than a contributor's may be
is marked; a dry run stops there, so that ``--json`` and the admin's preview show all of it.
Then each story goes through ``services.submit_story``, pending, citing one ``Source`` for the
article, with its possible repeats kept on it for the queue. The source keeps the article's
fingerprints: the same article imported again, even with small differences, creates nothing
(``repeats.find_imported``). At most ``MAX_STORIES`` (1,000) stories per article: a bigger one
is refused rather than half imported.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from .. import services
from ..forms.fields import STORY_MAX_CHARS
from ..matching.people import PersonIndex
from ..matching.titles import TitleIndex, name_and_year
from ..models import Citation, Source, Title
from .naming import name_stories
from .reading import ArticleError, fingerprint
from .repeats import find_imported, flag_repeats, sketch, story_anchor
from .splitting import Article, regroup, split_article

MAX_STORIES = 1_000


@dataclass
class ImportResult:
    article: Article
    source: Source | None
    created: bool  # False: a dry run, or the article was imported before

    @property
    def already_imported(self):
        return self.source is not None and not self.created


def mark_long_stories(stories):
    """Note each story longer than a contributor's may be: it cannot be approved until a
    moderator shortens it (``services.approve_story``)."""
    for story in stories:
        if len(story.text) > STORY_MAX_CHARS:
            story.notes.append(
                f"Longer than a contributor's story may be ({len(story.text):,} of "
                f"{STORY_MAX_CHARS:,} characters): shorten it before approving."
            )


def import_article(
    text,
    *,
    user=None,
    source_title="",
    source_url="",
    publisher="",
    author="",
    date=None,
    dry_run=False,
    index=None,
    people_index=None,
    progress: Callable[[int, int], None] | None = None,
    name="The article",
    cited_names=(),
    roles=None,
):
    """Split ``text``, name and compare its stories, and unless ``dry_run``, queue them citing
    one new source.

    All or nothing: one transaction. An article imported before (``repeats.find_imported``)
    creates nothing; the result names the earlier source. ``progress(done, total)`` is called
    as stories are written. ``cited_names`` are the names an HTML page set in italics or
    ``<cite>`` (``naming``); ``roles``, one per paragraph, what a moderator made of each in
    the preview (``splitting.regroup``), instead of the split's own.
    """
    index = index if index is not None else TitleIndex.from_db()
    article = split_article(text, index=index)
    if roles is not None:
        try:
            article = regroup(article, roles, index=index)
        except ValueError as error:
            raise ArticleError(
                f"The roles set in the preview do not fit this article ({error}); start the "
                "import again."
            ) from None
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
    people_index = people_index if people_index is not None else PersonIndex.from_db()
    name_stories(article, titles=index, people=people_index, cited_names=cited_names)
    flag_repeats(article.stories)
    mark_long_stories(article.stories)
    earlier = find_imported(text)
    if dry_run or earlier:
        return ImportResult(article=article, source=earlier, created=False)

    titles = Title.objects.in_bulk({story.title.pk for story in article.stories if story.title})
    try:
        with transaction.atomic():
            source = Source.objects.create(
                kind=Source.Kind.ARTICLE,
                title=(source_title or article.title)[:300],
                url=source_url,
                publisher=publisher[:200],
                author=author[:200],
                date=date,
                import_fingerprint=fingerprint(text),
                import_sketch=sketch(text),
            )
            total = len(article.stories)
            written = {}  # story_anchor(number) → the story written for it
            for done, story in enumerate(article.stories, start=1):
                proposed, year = name_and_year(story.proposed_title or "")
                anecdote = services.submit_story(
                    contributor=user,
                    text=story.text,
                    title=titles.get(story.title.pk) if story.title else None,
                    proposed_title=proposed[:200],
                    proposed_title_year=year,
                    citations=[Citation(source=source)],
                    people=[person.pk for person in story.people],
                    imported=True,
                )
                written[story_anchor(done)] = anecdote
                repeated = [d["id"] or written[d["url"]].pk for d in story.duplicates]
                if repeated:
                    anecdote.possible_duplicate_of.set(repeated)
                if progress:
                    progress(done, total)
    except IntegrityError:
        # Someone imported the same article a moment ago.
        earlier = find_imported(text)
        if earlier is None:
            raise
        return ImportResult(article=article, source=earlier, created=False)
    return ImportResult(article=article, source=source, created=True)
