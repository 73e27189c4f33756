"""Import a listicle article (plain text, an HTML page or an address) as pending stories.

    python manage.py import_article article.txt --source-url https://… --publisher "Site"
    python manage.py import_article page.html --dry-run          # the split, nothing written
    python manage.py import_article https://site.example/article --dry-run --json
    curl -s https://site.example/article | python manage.py import_article - --json

A page is read by its structure and fills the source (address, site, author, date) where it
gives them; an option overrides what the page says. The article is split into stories (see
``trivia.importer.splitting`` for the rules), each heading matched to a title by name or alias
(``trivia.matching.titles``); every story arrives pending, citing one source for the article,
with an "imported" event. Importing the same article again creates nothing. With ``--json``
stdout holds the JSON alone, for a pipe; the summary goes to stderr.
"""

import datetime
import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from trivia.importer.reading import MAX_PAGE_BYTES, ArticleError, load_article
from trivia.importer.writing import import_article

# Below this many stories the import is quick enough not to need a progress line.
PROGRESS_FROM = 50


class Command(BaseCommand):
    help = (
        "Split an article (a text or HTML file, an http(s) address, or - for standard input) "
        "into stories and queue them for moderation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            help="The article: a UTF-8 text file (at most 1 MB), an HTML file (at most 2 MB), "
            "an http:// or https:// address to fetch, or - to read standard input.",
        )
        parser.add_argument(
            "--source-title",
            default="",
            help="The article's title (default: the page's headline, or the first line).",
        )
        parser.add_argument(
            "--source-url", default="", help="The article's address (default: the page's)."
        )
        parser.add_argument(
            "--publisher", default="", help="The site or publisher (default: the page's)."
        )
        parser.add_argument("--author", default="", help="The author (default: the page's).")
        parser.add_argument(
            "--date", default="", help="The date published, YYYY-MM-DD (default: the page's)."
        )
        parser.add_argument(
            "--user", default="", help="Username recorded as importing the stories (optional)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the split; write nothing.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the stories as one JSON list on stdout (heading, title, proposed_title, "
            "text, people, duplicates, notes…); the summary goes to stderr.",
        )

    def handle(self, *args, source, dry_run, **options):
        url = options["source_url"].strip()
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                raise CommandError(f"--source-url is not a valid address: {url}") from None
            if len(url) > 500:
                raise CommandError("--source-url is longer than 500 characters.")
        date = self.parse_date(options["date"].strip())
        user = self.find_user(options["user"].strip())
        name = "Standard input" if source == "-" else source
        try:
            if source == "-":
                article = load_article(sys.stdin.buffer.read(MAX_PAGE_BYTES + 1), name=name)
            elif "://" in source:
                article = load_article(source)
            else:
                article = load_article(Path(source))
            result = import_article(
                article.text,
                user=user,
                source_title=options["source_title"].strip() or article.title,
                source_url=url or article.url,
                publisher=options["publisher"].strip() or article.site_name,
                author=options["author"].strip() or article.author,
                date=date or article.date,
                cited_names=article.cited_names,
                dry_run=dry_run,
                progress=self.progress,
                name=name,
            )
        except ArticleError as error:
            raise CommandError(str(error)) from None

        # With --json, stdout holds the JSON alone; everything for people goes to stderr.
        say = self.stderr if options["json"] else self.stdout
        if options["json"]:
            self.stdout.write(self.as_json(result.article.stories))
        elif dry_run:
            self.show_split(result.article)
        counts = result.article.counts
        summary = (
            f"{counts['stories']} stories: {counts['matched']} matched a title, "
            f"{counts['unmatched']} with an unmatched heading, "
            f"{counts['no heading']} without a heading."
        )
        earlier = result.source if result.already_imported else None
        if earlier:
            when = f"{earlier.created_at:%Y-%m-%d}"
            say.write(
                self.style.WARNING(
                    f"This article was already imported on {when} as source #{earlier.pk} "
                    f"“{earlier}”: nothing was created."
                )
            )
        if dry_run:
            say.write(f"Dry run, nothing written. {summary}")
        elif not earlier:
            say.write(
                self.style.SUCCESS(
                    f"Imported “{result.source}” as source #{result.source.pk}. {summary} "
                    "They are in the moderation queue."
                )
            )

    def parse_date(self, text):
        try:
            return datetime.date.fromisoformat(text) if text else None
        except ValueError:
            raise CommandError(f"--date is not a date such as 2024-05-31: {text}") from None

    def find_user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named “{username}”.") from None

    def progress(self, done, total):
        if total >= PROGRESS_FROM and (done % 25 == 0 or done == total):
            self.stderr.write(f"Importing stories: {done}/{total}", ending="\n")

    def as_json(self, stories):
        # Readable accents where the terminal takes UTF-8; \u escapes (the same JSON) elsewhere.
        utf8 = "utf" in (getattr(self.stdout, "encoding", None) or "").lower()
        return json.dumps([story.as_json() for story in stories], ensure_ascii=not utf8, indent=2)

    def show_split(self, article):
        self.stdout.write(f"Article: {article.title or '(no title line)'}")
        if article.intro:
            self.stdout.write(f"Intro (not imported): {len(article.intro)} paragraph(s)")
        for number, story in enumerate(article.stories, start=1):
            heading = story.heading or "(no heading)"
            title = f" → {story.title.name} [{story.title.slug}]" if story.title else ""
            excerpt = " ".join(story.text.split())
            excerpt = excerpt[:100] + ("…" if len(excerpt) > 100 else "")
            self.stdout.write(f"{number:3}. {heading}{title}\n     {excerpt}")
