"""Make the smaller WebP copies (renditions) of stored images that lack them.

    python manage.py make_renditions            # make what is missing
    python manage.py make_renditions --dry-run  # list what would be made, write nothing

A new poster or story image gets its copies when it is stored (the title admin, the submit
form's last step); this is for images stored before that, or copies lost since. An image lacks
its copies when none are recorded or a recorded copy's file is gone. Pages never make copies:
until this has run, an image without them is shown as it is, without ``srcset``.
"""

from django.core.management.base import BaseCommand, CommandError

from trivia import images
from trivia.models import Anecdote, Title
from trivia.caching.pages import bump_generation

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
            *lacking_renditions(Title, "poster", "poster_renditions"),
            *lacking_renditions(Anecdote, "image", "image_renditions"),
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
        if made:
            bump_generation()  # cached pages still point at the originals
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
    """One stored image lacking its copies, and how to record them on its row."""

    def __init__(self, row, field, renditions_field):
        self.row, self.field, self.renditions_field = row, field, renditions_field

    def describe(self):
        kind = self.row._meta.verbose_name
        return f"{getattr(self.row, self.field).name} ({kind} {self.row.pk})"

    def make(self):
        """Make and record the copies; returns 1, or 0 if the row's image changed meanwhile."""
        image = getattr(self.row, self.field)
        renditions = images.make_renditions(image)
        # Derived data, not content: no story version or moderation event is involved. The
        # image in the condition keeps an image replaced meanwhile from getting these copies.
        recorded = (
            type(self.row)
            .objects.filter(pk=self.row.pk, **{self.field: image.name})
            .update(**{self.renditions_field: renditions})
        )
        if not recorded:
            images.delete_files(image.storage, images.rendition_names(renditions))
        return recorded


def lacking_renditions(model, field, renditions_field):
    """The rows of ``model`` whose stored image has no recorded copies, or lost one."""
    rows = (
        model.objects.exclude(**{field: ""})
        .only("pk", field, renditions_field)
        .order_by("pk")
        .iterator()
    )
    for row in rows:
        image = getattr(row, field)
        names = images.rendition_names(getattr(row, renditions_field))
        if not names or not all(image.storage.exists(name) for name in names):
            yield Missing(row, field, renditions_field)
