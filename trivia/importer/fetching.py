"""Fetching a web page for the importer (``fetch``), safely: the importer runs on the server, so
an address typed by a moderator must not reach what only the server can.

The host's name is resolved once and every address it gives is checked: a loopback, private,
link-local (the cloud metadata address 169.254.169.254 among them), shared, reserved or
multicast address is refused, unless ``IMPORT_ALLOW_PRIVATE_HOSTS`` is set (tests, a local
tool). The connection then goes to the address that was checked, the name going only in the
Host header and TLS's SNI, so the name cannot be made to resolve elsewhere in between.
Redirects are followed by hand, at most ``MAX_REDIRECTS``, each new address checked like the
first. The answer must be a 200 with an HTML content type, at most ``MAX_PAGE_BYTES`` (read in
chunks, never whole), within ``TIMEOUT`` seconds for the whole fetch. Every refusal is an
``ArticleError`` of one sentence; nothing has been written when it is raised.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

from .reading import MAX_PAGE_BYTES, ArticleError

TIMEOUT = 15  # seconds, for the whole fetch, redirects included
MAX_REDIRECTS = 5
USER_AGENT = "BacklotImporter/1.0 (reads one article a moderator asked for)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Page:
    url: str  # where the page was read, after redirects
    body: bytes
    charset: str  # as the Content-Type header declares it; "" when it does not


def fetch(url):
    """The page at ``url``, or ``ArticleError`` saying why it cannot be read."""
    deadline = time.monotonic() + TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        connection, response = _request(url, deadline)
        try:
            if response.status in _REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location").strip())
                continue
            return _read(url, response, connection.opened, deadline)
        finally:
            connection.close()
    raise ArticleError(
        f"{url} redirects more than {MAX_REDIRECTS} times; give the article's own address."
    )


def is_public(address):
    """Whether an IP address is on the public internet (not loopback, private, link-local…)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host, port):
    """Every address ``host`` resolves to, each of them checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ArticleError(f"Cannot find the site {host}: its name does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.IMPORT_ALLOW_PRIVATE_HOSTS:
        for address in addresses:
            if not is_public(address):
                raise ArticleError(
                    f"{host} is a private or local address ({address}); only pages on the "
                    "public web can be imported."
                )
    return addresses


def _request(url, deadline):
    """A connection to the checked address of ``url``'s host and its answer to a GET."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ArticleError(f"{url} is not a valid address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ArticleError(
            f"{url} is not a web address: only http:// and https:// pages can be imported."
        )
    if not parts.hostname or any(char.isspace() or ord(char) < 32 for char in url):
        raise ArticleError(f"{url} is not a valid address.")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ArticleError(f"{url} is not a valid address.") from None
    port = port or (443 if scheme == "https" else 80)
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    error = None
    for address in _addresses(host, port):
        kind = _HTTPSConnection if scheme == "https" else _HTTPConnection
        connection = kind(host, port, address=address, timeout=_remaining(deadline, host))
        try:
            connection.request(
                "GET",
                target,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml;q=0.9",
                    "Accept-Encoding": "identity",
                },
            )
            return connection, connection.getresponse()
        except TimeoutError:
            connection.close()
            raise _timed_out(host) from None
        except ssl.SSLError as failure:
            connection.close()
            reason = getattr(failure, "verify_message", None) or failure.reason or failure
            raise ArticleError(f"The secure connection to {host} failed: {reason}.") from None
        except (OSError, http.client.HTTPException) as failure:
            connection.close()
            error = failure
    reason = getattr(error, "strerror", None) or "it did not answer as a web server does"
    raise ArticleError(f"Cannot reach {host}: {reason}.")


def _read(url, response, sock, deadline):
    """The body of a 200 HTML answer, read in chunks up to the size cap, each chunk within
    the time left."""
    host = urlsplit(url).hostname
    if response.status != 200:
        raise ArticleError(f"{url} answered {response.status} {response.reason}, not the page.")
    if not response.getheader("Content-Type"):
        raise ArticleError(f"{url} did not say what it is (no Content-Type); expected a page.")
    kind = response.headers.get_content_type()
    if kind not in _HTML_TYPES:
        raise ArticleError(f"{url} is {kind}, not a web page; only HTML pages can be imported.")
    if response.getheader("Content-Encoding", "identity").lower() != "identity":
        raise ArticleError(f"{url} was sent compressed although it was asked not to be.")
    too_big = ArticleError(
        f"{url} is more than {MAX_PAGE_BYTES // 1_000_000} MB; a page may be at most "
        f"{MAX_PAGE_BYTES // 1_000_000} MB."
    )
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > MAX_PAGE_BYTES:
        raise too_big
    chunks, size = [], 0
    try:
        while True:
            sock.settimeout(_remaining(deadline, host))
            chunk = response.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_PAGE_BYTES:
                raise too_big
            chunks.append(chunk)
    except TimeoutError:
        raise _timed_out(host) from None
    except (OSError, http.client.HTTPException):
        raise ArticleError(f"{host} broke off while sending {url}.") from None
    return Page(url=url, body=b"".join(chunks), charset=response.headers.get_content_charset(""))


def _remaining(deadline, host):
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timed_out(host)
    return left


def _timed_out(host):
    return ArticleError(f"{host} did not send the page within {TIMEOUT} seconds.")


class _HTTPConnection(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = self.opened = socket.create_connection((self.address, self.port), self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host's name."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.opened = self._context.wrap_socket(sock, server_hostname=self.host)
