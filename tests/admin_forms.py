"""What the admin's story change page posts, for tests that work in it as a moderator does."""

from trivia.models import Anecdote


def change_form_data(story, **changes):
    """The change page's form for ``story`` as it now is, with only ``changes`` changed."""
    story = Anecdote.objects.get(pk=story.pk)
    citations = list(story.citations.order_by("pk"))
    data = {
        "loaded_version": story.version,
        "title": story.title_id or "",
        "text": story.text,
        "people": [person.pk for person in story.people.all()],
        "tags": ", ".join(sorted(tag.name for tag in story.tags.all())),
        "accuracy": story.accuracy,
        "accuracy_note": story.accuracy_note,
        "citations-TOTAL_FORMS": len(citations),
        "citations-INITIAL_FORMS": len(citations),
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
    }
    for index, citation in enumerate(citations):
        data |= {
            f"citations-{index}-id": citation.pk,
            f"citations-{index}-anecdote": story.pk,
            f"citations-{index}-source": citation.source_id,
            f"citations-{index}-locator": citation.locator,
            f"citations-{index}-quote": citation.quote,
        }
    if story.is_spoiler:
        data["is_spoiler"] = "on"
    return data | changes
