"""Make the smaller WebP copies (renditions) of stored images that lack them.

    python manage.py make_renditions            # make what is missing
    python manage.py make_renditions --dry-run  # list what would be made, write nothing

A new poster or story image gets its copies from the task worker once it is stored (the title
admin, the submit form's last step: ``trivia.tasks.make_image_renditions``); this is for images
stored before that, or copies lost since, and makes them here, in this process. An image lacks
its copies when none are recorded or a recorded copy's file is gone. Pages never make copies:
until they exist, an image is shown as it is, without ``srcset``.
"""

from django.core.management.base import BaseCommand, CommandError

from trivia import images, tasks
from trivia.models import Anecdote, Title

# Below this many images the work is quick enough not to need a progress line.
PROGRESS_FROM = 50
PROGRESS_EVERY = 25


class Command(BaseCommand):
    help = "Make the missing WebP copies of titles' posters and stories' images."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the images lacking copies; write nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        missing = [
            *lacking_renditions(Title, "poster"),
            *lacking_renditions(Anecdote, "story"),
        ]
        if not missing:
            self.stdout.write("Every stored image has its copies: nothing to do.")
            return
        if dry_run:
            for item in missing:
                self.stdout.write(f"Would make the copies of {item.describe()}")
            self.stdout.write(f"{len(missing)} image(s) lack their copies; nothing was written.")
            return
        made, failed = 0, []
        for done, item in enumerate(missing, start=1):
            try:
                made += item.make()
            except (images.ImageRejected, FileNotFoundError) as error:
                failed.append(f"{item.describe()}: {error}")
            self.progress(done, len(missing))
        self.stdout.write(self.style.SUCCESS(f"Made the copies of {made} image(s)."))
        if failed:
            raise CommandError(
                f"{len(failed)} image(s) could not be read and have no copies:\n"
                + "\n".join(failed)
            )

    def progress(self, done, total):
        if total >= PROGRESS_FROM and (done % PROGRESS_EVERY == 0 or done == total):
            self.stderr.write(f"Making copies: {done}/{total}")


class Missing:
    """One stored image lacking its copies."""

    def __init__(self, row, kind):
        self.row, self.kind = row, kind
        self.name = getattr(row, tasks.IMAGES[kind][1]).name

    def describe(self):
        return f"{self.name} ({self.row._meta.verbose_name} {self.row.pk})"

    def make(self):
        """Make and record the copies (the pages showing the image are refreshed); returns 1,
        or 0 if the row's image changed meanwhile."""
        return int(tasks.make_and_record_renditions(self.kind, self.row.pk, self.name))


def lacking_renditions(model, kind):
    """The rows of ``model`` whose stored image has no recorded copies, or lost one."""
    _label, field, renditions_field = tasks.IMAGES[kind]
    rows = (
        model.objects.exclude(**{field: ""})
        .only("pk", field, renditions_field)
        .order_by("pk")
        .iterator()
    )
    for row in rows:
        if tasks.lacks_renditions(getattr(row, field), getattr(row, renditions_field)):
            yield Missing(row, kind)
