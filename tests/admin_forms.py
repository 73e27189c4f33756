"""What the admin's change pages post, for tests that work in them as a moderator does."""

from trivia.models import Anecdote


def management_form(prefix, total, initial=0):
    """An inline formset's management form: ``total`` forms, the first ``initial`` of them
    existing rows."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def title_form(title, **fields):
    """The title admin's change form as posted, with no aliases."""
    return {
        "name": title.name,
        "slug": title.slug,
        "kind": title.kind,
        "year": title.year or "",
        "end_year": "",
        "original_title": "",
        "synopsis": "",
        **management_form("aliases", 0),
        "_save": "Save",
        **fields,
    }


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
        **management_form("citations", len(citations), len(citations)),
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
