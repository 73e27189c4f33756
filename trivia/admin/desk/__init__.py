"""The review desk: one waiting item at a time, shown whole, decided without going back to a
list (``/admin/desk/``, ``admin:review_desk``).

- ``items``: the one stream of waiting stories, reports and proposed corrections, its filters
  and counts, and an item named by its key ("story-12").
- ``claims``: who has which item open, so that two moderators do not read the same one.
- ``panels``: what the desk shows of an item (duplicates side by side, the contributor's record,
  suggested name corrections, the history).
- ``views``: the page, its decisions (plain form posts answered by a redirect, or by the next
  item's panel for ``static/js/desk.js``) and the in-place "Create title".
"""

from django.urls import path


def urls(site):
    """The desk's addresses, added to the admin site by ``BacklotAdminSite.get_urls``."""
    from . import views

    return [path("desk/", site.admin_view(views.desk_view), {"site": site}, name="review_desk")]
