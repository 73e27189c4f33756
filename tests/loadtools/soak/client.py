"""HTTP as a browser does it: a cookie-keeping client that records every answer as a ``Call``,
and the reading of Django's pages (a form's hidden fields, the admin's messages)."""

import html
import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .figures import Call

REQUEST_TIMEOUT = 20  # a hung request counts as an error, never as a stuck soak


@dataclass
class Answer:
    status: int
    location: str
    text: str
    call: Call


_FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_MESSAGES = re.compile(r'<ul class="messagelist">(.*?)</ul>', re.S)
_MESSAGE = re.compile(r'<li class="(\w+)">(.*?)</li>', re.S)


def hidden_fields(page, containing):
    """The hidden inputs of the page's form that contains ``containing``, as (name, value)."""
    for form in _FORM.findall(page):
        if containing in form:
            fields = []
            for tag in _INPUT.findall(form):
                attributes = dict(_ATTRIBUTE.findall(tag))
                if attributes.get("type") == "hidden" and "name" in attributes:
                    fields.append((attributes["name"], html.unescape(attributes.get("value", ""))))
            return fields
    return None


def messages_of(page):
    """The admin's messages on a page, as (level, text)."""
    block = _MESSAGES.search(page)
    if not block:
        return []
    return [(level, html.unescape(text).strip()) for level, text in _MESSAGE.findall(block[1])]


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself, so that each
    answer is recorded as it came."""

    def __init__(self, run, actor, *, address=None):
        self.run, self.actor = run, actor
        self.cookies = {}
        # Each contributor comes from an address of its own, as behind a proxy: the submit
        # limit counts per address too (TRUSTED_PROXY_COUNT=1 on the soak's server).
        self.headers = {"X-Forwarded-For": address} if address else {}

    def get(self, path, *, step, expect=200):
        return self.request("GET", path, None, step=step, expect=expect)

    def post(self, path, data, *, step, expect=302):
        return self.request("POST", path, data, step=step, expect=expect)

    def request(self, method, path, data, *, step, expect):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = self.run.clock()
        conn = http.client.HTTPConnection(self.run.host, self.run.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.run.record(
                Call(self.actor, step, start, self.run.clock(), error=type(error).__name__)
            )
            return None
        finally:
            conn.close()
        call = Call(self.actor, step, start, self.run.clock(), status=response.status)
        call.cache = response.getheader("X-Page-Cache", "")
        if response.status < 500 and response.status != expect:
            call.unexpected = f"HTTP {response.status}, expected {expect}"
        self.run.record(call)
        self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, response.getheader("Location", ""), text, call)

    def keep_cookies(self, headers):
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value


def ok(answer, status=200):
    return answer is not None and answer.status == status


SIGNED_OUT = "signed out"


def signed_out(answer):
    """A redirect to a sign-in page: the session is gone."""
    return answer is not None and answer.status == 302 and "login/" in answer.location
