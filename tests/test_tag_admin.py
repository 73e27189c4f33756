"""Tags in the admin, as a moderator works with them: rename, re-slug, delete, and nothing else."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from tests.factories import make_anecdote, make_moderator, make_staff
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:taggit_tag_changelist"


@pytest.fixture
def moderator_client(db):
    client = Client()
    client.force_login(make_moderator())
    return client


@pytest.fixture
def heist_story(db):
    story = make_anecdote(tags=["heists"], text="The vault door weighed a ton.", state="published")
    return Anecdote.objects.get(pk=story.pk)


def change_url(tag):
    return reverse("admin:taggit_tag_change", args=[tag.pk])


def test_the_tag_list_shows_each_tags_published_stories(moderator_client, heist_story):
    make_anecdote(tags=["heists"])  # pending: not counted
    html = moderator_client.get(reverse(CHANGELIST)).text
    assert "Published stories" in html
    assert '<td class="field-published_stories">1</td>' in html


def test_there_is_no_merge_page_nor_merge_action(moderator_client, heist_story):
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")
    html = moderator_client.get(reverse(CHANGELIST)).text
    assert "Merge selected tags" not in html
    tag = Tag.objects.get(name="heists")
    response = moderator_client.post(
        reverse(CHANGELIST),
        {"action": "render_tag_form", "index": "0", ACTION_CHECKBOX_NAME: [tag.pk]},
    )
    assert response.status_code == 200  # the list again, not a merge page
    assert "selected_tag_ids" not in moderator_client.session
    assert moderator_client.get("/admin/taggit/tag/merge-tags/", follow=True).status_code == 200


def test_staff_without_the_tag_permission_cannot_reach_the_tags(heist_story):
    client = Client()
    client.force_login(make_staff())
    assert client.get(reverse(CHANGELIST)).status_code == 403
    tag = Tag.objects.get(name="heists")
    response = client.post(change_url(tag), {"name": "planted", "slug": "planted"})
    assert response.status_code == 403
    assert not Tag.objects.filter(name="planted").exists()


@pytest.mark.parametrize("bad_name", ["heists\x07", "two\nlines", "tab\there"])
def test_a_name_with_a_control_character_is_refused(moderator_client, heist_story, bad_name):
    tag = Tag.objects.get(name="heists")
    response = moderator_client.post(change_url(tag), {"name": bad_name, "slug": "heists"})
    assert response.status_code == 200
    assert "invisible control character" in response.text
    assert Tag.objects.get(pk=tag.pk).name == "heists"


def test_a_renamed_tag_shows_and_is_searched_by_its_new_name_at_once(moderator_client, heist_story):
    reader = Client()
    assert "heists" in reader.get("/tags/heists/").text  # cached for anonymous readers
    tag = Tag.objects.get(name="heists")
    response = moderator_client.post(change_url(tag), {"name": "Bank jobs", "slug": "bank-jobs"})
    assert response.status_code == 302
    assert reader.get("/tags/heists/").status_code == 404
    assert "Bank jobs" in reader.get("/tags/bank-jobs/").text
    assert "weighed a ton" in reader.get("/search/", {"q": "bank jobs"}).text
    assert "weighed a ton" not in reader.get("/search/", {"q": "heists"}).text


def test_a_deleted_tag_leaves_its_stories_and_their_search_entries_clean(heist_story):
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("boss", "boss@example.test"))
    tag = Tag.objects.get(name="heists")
    response = admin.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Anecdote.objects.filter(pk=heist_story.pk).exists()
    reader = Client()
    assert "weighed a ton" not in reader.get("/search/", {"q": "heists"}).text
    assert "weighed a ton" in reader.get("/search/", {"q": "vault"}).text


def test_a_tag_deleted_outside_the_admin_leaves_search_too(heist_story):
    Tag.objects.get(name="heists").delete()  # a shell, a data migration
    reader = Client()
    assert "weighed a ton" not in reader.get("/search/", {"q": "heists"}).text
    assert "weighed a ton" in reader.get("/search/", {"q": "vault"}).text
