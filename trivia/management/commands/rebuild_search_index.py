"""Rewrite the search entries of every published story and drop the others (trivia.search).

    python manage.py rebuild_search_index            # rewrite
    python manage.py rebuild_search_index --dry-run  # say what it would do, write nothing

The services keep search in step by themselves; run this after restoring a backup, after
changing how entries are built (``trivia.search.index.build_body``), or after editing names or tags
outside the admin. It runs in one transaction: the site searches the old entries until it ends.
"""

from django.core.management.base import BaseCommand

from trivia.models import Anecdote, SearchEntry
from trivia.search.index import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index from the published stories."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; write nothing.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            published = Anecdote.objects.published()
            stale = SearchEntry.objects.exclude(anecdote__in=published).count()
            self.stdout.write(
                f"Would index {published.count()} published stories "
                f"and remove {stale} entries of stories that are not published."
            )
            return
        indexed, removed = rebuild_index(progress=self.progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt: {indexed} published stories indexed, "
                f"{removed} entries of unpublished stories removed."
            )
        )

    def progress(self, done, total):
        self.stdout.write(f"\r  {done}/{total} stories", ending="")
        if done == total:
            self.stdout.write("")
