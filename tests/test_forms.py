"""One way to write a form: every page draws its fields with one template, robots meet one
honeypot, and a story's tags are read by one field wherever they are typed."""

import re

import pytest

from tests.admin_forms import change_form_data
from tests.factories import (
    edit_form_data,
    make_anecdote,
    make_moderator,
    make_title,
    verified_user,
)
from trivia.forms import TagsField

pytestmark = pytest.mark.django_db

FIELD_TEMPLATE = "includes/form_field.html"
HONEYPOT = re.compile(r'<div class="honeypot" aria-hidden="true">.*?</div>', re.S)


def templates_of(response):
    assert response.status_code == 200
    return {template.name for template in response.templates}


def test_every_form_of_the_site_draws_its_fields_with_the_one_field_template(client):
    author = verified_user("drawer")
    published = make_anecdote(contributor=author, state="published")
    pending = make_anecdote(contributor=author)
    anonymous = ["/accounts/signup/", "/accounts/login/", f"/anecdotes/{published.pk}/report/"]
    for url in anonymous:
        assert FIELD_TEMPLATE in templates_of(client.get(url)), url
    client.force_login(author)
    signed_in = [
        "/submit/",
        f"/anecdotes/{published.pk}/correct/",
        f"/accounts/submissions/{published.pk}/correct/",
        f"/accounts/submissions/{pending.pk}/edit/",
        "/accounts/email/",
        "/accounts/password/change/",
    ]
    for url in signed_in:
        assert FIELD_TEMPLATE in templates_of(client.get(url)), url


def test_the_honeypot_is_the_same_on_the_report_submit_and_sign_up_forms(client):
    story = make_anecdote(state="published")
    signup = client.get("/accounts/signup/").content.decode()
    report = client.get(f"/anecdotes/{story.pk}/report/").content.decode()
    client.force_login(verified_user("author"))
    submit = client.get("/submit/").content.decode()
    drawn = [HONEYPOT.findall(page) for page in (signup, report, submit)]
    assert all(len(found) == 1 for found in drawn)
    assert drawn[0] == drawn[1] == drawn[2]
    assert 'name="website" id="id_website" value="" tabindex="-1"' in drawn[0][0]


RAW_TAGS = "  Takes ,#takes, SHELLEY   Duvall,, "
READ_TAGS = ["shelley duvall", "takes"]


def test_the_tags_field_reads_what_was_typed_into_a_list_of_distinct_lower_case_names():
    assert TagsField().clean(RAW_TAGS) == ["takes", "shelley duvall"]
    assert TagsField().prepare_value(["stunts", "practical effects"]) == (
        "practical effects, stunts"
    )
    with pytest.raises(Exception, match="at most 8 tags"):
        TagsField().clean(",".join(f"tag{number}" for number in range(9)))
    assert len(TagsField(max_tags=None).clean(",".join(f"t{n}" for n in range(20)))) == 20


def test_a_contributor_and_a_moderator_typing_the_same_tags_store_the_same_tags(client):
    author = verified_user("tagger")
    pending = make_anecdote(contributor=author, title=make_title("Heat"))
    client.force_login(author)
    response = client.post(
        f"/accounts/submissions/{pending.pk}/edit/",
        edit_form_data(pending, tags=RAW_TAGS),
    )
    assert response.status_code == 302
    assert sorted(tag.name for tag in pending.tags.all()) == READ_TAGS

    published = make_anecdote(state="published")
    client.force_login(make_moderator())
    response = client.post(
        f"/admin/trivia/anecdote/{published.pk}/change/",
        change_form_data(published, tags=RAW_TAGS),
    )
    assert response.status_code == 302
    assert sorted(tag.name for tag in published.tags.all()) == READ_TAGS
