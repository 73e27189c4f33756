"""Rate limits count per address and per user, in the shared cache."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from trivia.ratelimit import client_address, ratelimit


@ratelimit("demo")
def demo_view(request):
    return HttpResponse("ok")


def post(address="10.0.0.1", forwarded=None, user=None):
    from django.contrib.auth.models import AnonymousUser

    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().post("/demo/", **extra)
    request.user = user or AnonymousUser()
    return demo_view(request)


@pytest.mark.django_db
def test_the_request_over_the_limit_gets_a_friendly_429(settings):
    settings.RATE_LIMITS = {"demo": (2, 60)}
    assert [post().status_code for _ in range(3)] == [200, 200, 429]
    limited = post()
    assert limited["Retry-After"] == "60"
    assert b"Too many" in limited.content


@pytest.mark.django_db
def test_another_address_has_its_own_count(settings):
    settings.RATE_LIMITS = {"demo": (1, 60)}
    assert post("10.0.0.1").status_code == 200
    assert post("10.0.0.2").status_code == 200
    assert post("10.0.0.1").status_code == 429


def test_forwarded_address_is_trusted_only_behind_a_configured_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "1.2.3.4"
