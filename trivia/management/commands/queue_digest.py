"""Email the moderators what waits for them: stories, corrections and reports, and for how long.

    python manage.py queue_digest            # queue the digest for the task worker (daily, cron)
    python manage.py queue_digest --now      # send it from this process, now
    python manage.py queue_digest --dry-run  # print the digest, send nothing

Nothing waiting means no email at all: a digest that says "nothing" teaches people to ignore it.
The worker works the digest out again when it runs it, and retries a mail server that does not
answer (``trivia.tasks.send_queue_digest``).
"""

from django.core.management.base import BaseCommand, CommandError

from trivia import notifications, tasks


class Command(BaseCommand):
    help = "Email every moderator a summary of the stories, corrections and reports that wait."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print it; send nothing.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send from this process instead of queuing it for the task worker.",
        )

    def handle(self, *args, dry_run=False, now=False, **options):
        digest = notifications.queue_digest()
        if digest is None:
            self.stdout.write("Nothing waits for the moderators: no digest sent.")
            return
        count = len(digest.recipients)
        if dry_run:
            self.stdout.write(
                f"Would send to {count} moderators:\n{digest.subject}\n\n{digest.body}"
            )
            return
        if now:
            try:
                outcome = tasks.send_queue_digest.call()
            except tasks.GaveUp as error:
                raise CommandError(str(error)) from None
            if isinstance(outcome, dict):  # the mail server did not answer: the worker retries
                self.stdout.write(
                    self.style.WARNING(
                        f"Digest not sent ({outcome['error']}); queued again for the task "
                        f"worker as task {outcome['retried_as']}."
                    )
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"Digest {outcome}: {digest.subject}"))
            return
        result = tasks.send_queue_digest.enqueue()
        self.stdout.write(
            self.style.SUCCESS(
                f"Digest for {count} moderators queued (task {result.id}): {digest.subject}"
            )
        )
