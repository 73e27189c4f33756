"""Email the moderators what waits for them: stories, corrections and reports, and for how long.

    python manage.py queue_digest            # send (e.g. daily, from cron)
    python manage.py queue_digest --dry-run  # print the digest, send nothing

Nothing waiting means no email at all: a digest that says "nothing" teaches people to ignore it.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.db.models import Min
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.timesince import timesince

from trivia.models import Anecdote, Correction, Report
from trivia.roles import MODERATORS_GROUP


def waiting_work():
    """What waits, each kind with its count and the time its oldest item has waited."""
    now = timezone.now()
    kinds = [
        (("story", "stories"), "in the queue", Anecdote.objects.pending(), "submitted_at"),
        (
            ("proposed correction", "proposed corrections"),
            "",
            Correction.objects.filter(state="pending"),
            "created_at",
        ),
        (("open report", "open reports"), "", Report.objects.filter(state="open"), "created_at"),
    ]
    work = []
    for (singular, plural), where, queryset, date_field in kinds:
        summary = queryset.aggregate(oldest=Min(date_field))
        count = queryset.count()
        if count:
            waited = timesince(summary["oldest"], now, depth=2)
            label = f"{singular if count == 1 else plural} {where}".strip()
            work.append({"label": label, "count": count, "waited": waited})
    return work


class Command(BaseCommand):
    help = "Email every moderator a summary of the stories, corrections and reports that wait."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print it; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        work = waiting_work()
        if not work:
            self.stdout.write("Nothing waits for the moderators: no digest sent.")
            return
        context = {"work": work, "site_url": settings.SITE_URL}
        subject = "Backlot: " + ", ".join(f"{item['count']} {item['label']}" for item in work)
        body = render_to_string("emails/queue_digest.txt", context)
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if dry_run:
            self.stdout.write(f"Would send to {len(recipients)} moderators:\n{subject}\n\n{body}")
            return
        sent = send_mass_mail([(subject, body, None, [email]) for email in recipients])
        self.stdout.write(self.style.SUCCESS(f"Digest sent to {sent} moderators: {subject}"))
