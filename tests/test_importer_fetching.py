"""Importing from an address: pages fetched from a server on a loopback port that the tests
start and stop, every refusal (private addresses before and after redirects, too many
redirects, other content types, too big, too slow, bad addresses, names that do not resolve),
and an import end to end through the command.

No test reaches beyond loopback: addresses that must be refused are refused before any
connection, which ``no_connection`` makes sure of.
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trivia.importer import fetching
from trivia.importer.reading import ArticleError, load_article
from trivia.models import Anecdote, Source

PAGE = (
    Path(__file__).parent / "data" / "listicles" / "html" / "metadata_numbered.html"
).read_bytes()
RELEASE = threading.Event()  # set when the server stops: the stalled answers end


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        route = ROUTES.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the importer hung up, as it should on a page too big or too slow

    def answer(self, body, content_type="text/html; charset=utf-8", status=200, **headers):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        headers.setdefault("Content_Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.answer(b"", status=302, Location=location)

    def endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>")
        while not RELEASE.is_set():
            self.wfile.write(b"<p>more</p>" * 10_000)

    def drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        while not RELEASE.wait(0.1):
            self.wfile.write(b"<p>")
            self.wfile.flush()

    def echo(self):
        body = f"<h1>Echo</h1><h2>Host</h2><p>{self.headers['Host']}</p>"
        body += f"<h2>Agent</h2><p>{self.headers['User-Agent']}</p>"
        self.answer(body.encode())

    def log_message(self, *args):
        pass


ROUTES = {
    "/article": lambda h: h.answer(PAGE),
    "/moved": lambda h: h.redirect("/article"),
    "/to-metadata": lambda h: h.redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-private": lambda h: h.redirect("http://10.0.0.7/article"),
    "/loop": lambda h: h.redirect("/loop"),
    "/json": lambda h: h.answer(b'{"stories": []}', "application/json"),
    "/untyped": lambda h: h.answer(PAGE, content_type=None),
    "/declared-big": lambda h: h.answer(b"", Content_Length="3000000"),
    "/endless": Handler.endless,
    "/drip": Handler.drip,
    "/stall": lambda h: RELEASE.wait(10),
    "/gone": lambda h: h.answer(b"<p>Gone</p>", status=410),
    "/latin": lambda h: h.answer(
        "<meta charset=utf-8><h1>Déjà vu</h1><h2>Amélie</h2><p>Le café.</p>".encode("cp1252"),
        "text/html; charset=windows-1252",
    ),
    "/echo": Handler.echo,
}


@pytest.fixture
def server():
    """The server's base address, on a free loopback port."""
    RELEASE.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    RELEASE.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def private_allowed(settings):
    settings.IMPORT_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def no_connection(monkeypatch, settings):
    """Private hosts refused, and any connection but one to loopback fails the test."""
    settings.IMPORT_ALLOW_PRIVATE_HOSTS = False
    connect = socket.create_connection

    def loopback_only(address, *args, **kwargs):
        assert address[0] == "127.0.0.1", f"a connection to {address[0]} was attempted"
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "create_connection", loopback_only)


def resolve_as(monkeypatch, *addresses):
    """Every name resolves to ``addresses``; returns the names asked for."""
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses
        ]

    monkeypatch.setattr(fetching.socket, "getaddrinfo", getaddrinfo)
    return asked


# --- Pages fetched --------------------------------------------------------------------------


@pytest.mark.usefixtures("private_allowed")
def test_a_page_is_fetched_and_read_by_its_structure(server):
    loaded = load_article(f"{server}/article")
    assert loaded.text.startswith("# 10 Facts About Die Hard You Probably Didn't Know\n")
    assert "## 1. Bruce Willis was the last choice" in loaded.text
    assert (loaded.url, loaded.site_name, loaded.author, str(loaded.date)) == (
        f"{server}/article",
        "CineFacts",
        "Maria Lopez",
        "2023-05-14",
    )


@pytest.mark.usefixtures("private_allowed")
def test_a_redirect_is_followed_and_the_page_keeps_its_final_address(server):
    assert load_article(f"{server}/moved").url == f"{server}/article"


@pytest.mark.usefixtures("private_allowed")
def test_the_charset_the_server_declares_wins_over_the_pages_own(server):
    assert "## Amélie\n\nLe café." in load_article(f"{server}/latin").text


@pytest.mark.usefixtures("private_allowed")
def test_the_checked_address_is_connected_to_with_the_name_in_the_host_header(server, monkeypatch):
    port = server.rsplit(":", 1)[1]
    asked = resolve_as(monkeypatch, "127.0.0.1")
    text = load_article(f"http://articles.test:{port}/echo").text
    assert f"## Host\n\narticles.test:{port}" in text
    assert f"## Agent\n\n{fetching.USER_AGENT}" in text
    # Resolved once: the connection is made to the address checked, not to a second lookup.
    assert [host for host in asked if host != "127.0.0.1"] == ["articles.test"]


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_connection")
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.4.2",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "[::1]",
        "[fc00::1]",
        "[fe80::1]",
        "[::ffff:127.0.0.1]",
    ],
)
def test_loopback_private_link_local_and_metadata_addresses_are_refused(address):
    with pytest.raises(ArticleError, match="is a private or local address"):
        load_article(f"http://{address}/latest/meta-data/")


@pytest.mark.usefixtures("no_connection")
def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    resolve_as(monkeypatch, "93.184.216.34", "10.0.0.1")
    with pytest.raises(ArticleError, match=r"articles\.example is a private .*\(10\.0\.0\.1\)"):
        load_article("https://articles.example/list")


@pytest.mark.usefixtures("no_connection")
@pytest.mark.parametrize("route", ["/to-metadata", "/to-private"])
def test_a_redirect_to_a_private_address_is_refused(server, monkeypatch, route):
    # The test server stands in for a public one; where it redirects to is checked anew.
    public = fetching.is_public
    monkeypatch.setattr(fetching, "is_public", lambda ip: ip == "127.0.0.1" or public(ip))
    with pytest.raises(ArticleError, match="is a private or local address"):
        load_article(f"{server}{route}")


@pytest.mark.usefixtures("no_connection")
def test_the_local_server_itself_is_refused_when_private_hosts_are_not_allowed(server):
    with pytest.raises(ArticleError, match=r"127\.0\.0\.1 is a private or local address"):
        load_article(f"{server}/article")


@pytest.mark.usefixtures("private_allowed")
@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("/loop", "redirects more than 5 times"),
        ("/json", "is application/json, not a web page"),
        ("/untyped", "did not say what it is"),
        ("/declared-big", "a page may be at most 2 MB"),
        ("/endless", "a page may be at most 2 MB"),
        ("/gone", "answered 410 Gone"),
    ],
)
def test_what_is_not_a_page_to_import_is_refused(server, route, message):
    with pytest.raises(ArticleError, match=message):
        load_article(f"{server}{route}")


@pytest.mark.usefixtures("private_allowed")
@pytest.mark.parametrize("route", ["/stall", "/drip"])
def test_a_server_too_slow_is_given_up_on(server, monkeypatch, route):
    monkeypatch.setattr(fetching, "TIMEOUT", 0.5)
    start = time.monotonic()
    with pytest.raises(ArticleError, match="did not send the page within 0.5 seconds"):
        load_article(f"{server}{route}")
    assert time.monotonic() - start < 3


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ftp://example.org/list.html", "only http:// and https:// pages can be imported"),
        ("file:///etc/passwd", "only http:// and https:// pages can be imported"),
        ("http://", "is not a valid address"),
        ("http://example.org:99999/", "is not a valid address"),
        ("http://[::1/", "is not a valid address"),
    ],
)
def test_an_address_that_is_not_a_web_address_is_refused(address, message):
    with pytest.raises(ArticleError, match=message):
        fetching.fetch(address)


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching.socket, "getaddrinfo", fail)
    with pytest.raises(ArticleError, match="Cannot find the site nowhere.invalid"):
        load_article("http://nowhere.invalid/list")


# --- Through the command ------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_article", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("private_allowed")
def test_an_address_imports_end_to_end_with_its_source_from_the_page(server):
    out, err = run(f"{server}/moved", "--dry-run", "--json")
    stories = json.loads(out)
    assert [story["heading"] for story in stories][:2] == [
        "Bruce Willis was the last choice",
        "Alan Rickman's first film role",
    ]
    assert "Dry run, nothing written. 5 stories" in err
    assert not Source.objects.exists()

    run(f"{server}/article")
    source = Source.objects.get()
    assert (source.url, source.publisher, source.author, str(source.date)) == (
        f"{server}/article",
        "CineFacts",
        "Maria Lopez",
        "2023-05-14",
    )
    assert source.title == "10 Facts About Die Hard You Probably Didn't Know"
    assert Anecdote.objects.filter(citations__source=source).count() == 5


@pytest.mark.django_db
@pytest.mark.usefixtures("no_connection")
def test_a_refused_address_writes_nothing_and_says_why_in_one_line(server):
    with pytest.raises(CommandError, match="127.0.0.1 is a private or local address") as error:
        run(f"{server}/article")
    assert "\n" not in str(error.value)
    assert not Source.objects.exists() and not Anecdote.objects.exists()
