"""Who has which item open on the desk (``ReviewClaim``).

Showing an item to a moderator claims it for ``CLAIM_MINUTES``; the other moderators' desks
pass it by meanwhile, and one who opens it anyway (``?item=story-12``) is told who is reviewing
it since when, and may still decide. A moderator holds one claim at a time: the item on their
desk. A decision or a skip releases it; an expired claim is taken over by whoever comes next.
Claims only spare moderators reading the same story twice: the services still refuse the
second of two decisions, whatever the claims say.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ...models import ReviewClaim

CLAIM_MINUTES = 10


def cutoff():
    """Claims made before this moment have expired."""
    return timezone.now() - timedelta(minutes=CLAIM_MINUTES)


def others(user):
    """The unexpired claims of other moderators, by item key: at most one per moderator."""
    claims = (
        ReviewClaim.objects.filter(claimed_at__gte=cutoff())
        .exclude(moderator=user)
        .select_related("moderator")
    )
    return {f"{claim.kind}-{claim.object_id}": claim for claim in claims}


def holder(item, user):
    """Another moderator's unexpired claim on ``item``, or None."""
    return (
        ReviewClaim.objects.filter(kind=item.kind, object_id=item.obj.pk, claimed_at__gte=cutoff())
        .exclude(moderator=user)
        .select_related("moderator")
        .first()
    )


def claim(item, user):
    """Claim ``item`` for ``user``, giving up the one they held before. False when another
    moderator holds it (claimed between the desk's choice and now)."""
    now = timezone.now()
    with transaction.atomic():
        ReviewClaim.objects.filter(moderator=user).exclude(
            kind=item.kind, object_id=item.obj.pk
        ).delete()
        taken = (
            ReviewClaim.objects.filter(kind=item.kind, object_id=item.obj.pk)
            .filter(Q(moderator=user) | Q(claimed_at__lt=cutoff()))
            .update(moderator=user, claimed_at=now)
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                ReviewClaim.objects.create(
                    kind=item.kind, object_id=item.obj.pk, moderator=user, claimed_at=now
                )
        except IntegrityError:
            return False
    return True


def release(item):
    """The item is decided: nobody is reviewing it any more."""
    ReviewClaim.objects.filter(kind=item.kind, object_id=item.obj.pk).delete()


def release_own(item, user):
    """``user`` skipped the item: their claim goes, another's stays."""
    ReviewClaim.objects.filter(kind=item.kind, object_id=item.obj.pk, moderator=user).delete()
