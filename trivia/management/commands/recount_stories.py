"""Count every title's and every tag's published stories again (trivia.counters).

    python manage.py recount_stories            # count and store
    python manage.py recount_stories --dry-run  # say which counts are wrong, write nothing

The services and the tag receivers keep the counts in step by themselves; run this after
loading rows around the ORM (a bulk import, a restore from another site's dump) or to repair
counts a bug left wrong. It runs in one transaction; run it while no one is moderating.
"""

from django.core.management.base import BaseCommand

from trivia import counters, publication
from trivia.models import TagStoryCount, TitleStoryCount


def wrong_counts():
    """(titles, tags) whose stored count differs from their published stories'."""
    titles, tags = counters.published_counts()
    stored_titles = dict(TitleStoryCount.objects.values_list("title", "value"))
    stored_tags = dict(TagStoryCount.objects.values_list("tag", "value"))
    return (
        sum(titles.get(k, 0) != stored_titles.get(k, 0) for k in {*titles, *stored_titles}),
        sum(tags.get(k, 0) != stored_tags.get(k, 0) for k in {*tags, *stored_tags}),
    )


class Command(BaseCommand):
    help = "Count the published stories of every title and tag again."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compare only; write nothing.")

    def handle(self, *args, dry_run=False, **options):
        titles, tags = wrong_counts()
        if dry_run:
            self.stdout.write(f"{titles} title counts and {tags} tag counts are wrong.")
            return
        counted_titles, counted_tags = counters.recount()
        publication.stamp_everything()  # the pages showed the wrong counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Counted the published stories of {counted_titles} titles and {counted_tags} "
                f"tags ({titles} title counts and {tags} tag counts were wrong)."
            )
        )
