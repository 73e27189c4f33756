"""What the submit form (/submit/) posts, for the tests that send stories through it."""

import uuid

KUBRICK = (
    "Kubrick made Shelley Duvall repeat the baseball bat scene 127 times, a record for a "
    "scene with dialogue."
)


def form_data(title=None, **fields):
    """What the form posts: one story about ``title`` with one web source."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "title": str(getattr(title, "pk", title or "")),
        "new_title_name": "",
        "new_title_kind": "film",
        "new_title_year": "",
        "text": KUBRICK,
        "tags": "Takes, Shelley Duvall",
        "title_q": "",
        "website": "",
        "source-TOTAL_FORMS": "3",
        "source-INITIAL_FORMS": "0",
        "source-MIN_NUM_FORMS": "0",
        "source-MAX_NUM_FORMS": "3",
        "source-0-url": "https://example.org/making-of-the-shining",
        "source-0-kind": "article",
        "source-1-kind": "article",
        "source-2-kind": "article",
    }
    data.update(fields)
    return data
