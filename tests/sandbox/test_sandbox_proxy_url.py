"""The egress proxy's split of a plain-HTTP request's absolute URL: the host it judges is the host the
bytes name. Where urllib's urlsplit would strip or guess (tabs, newlines, non-ASCII, credentials), the
proxy refuses the request."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from blastshield.sandbox.proxy import _BadRequest, parse_request, split_http_url


@pytest.mark.parametrize("url", ["http://a.test/x?y=1", "HTTP://a.test:81", "http://a.test?q", "http://[::1]:8/p",
                                 "http://a.test/p?", "http://a.test/%20x;p=1", "http://a.test:8080/a/b/c?d=e&f=g"])
def test_what_urlsplit_reads_from_a_clean_url(url: str) -> None:
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    assert split_http_url(url) == (parts.netloc, (parts.path or "/") + query)


def test_the_fragment_is_never_sent() -> None:
    assert split_http_url("http://a.test/p?q=1#frag") == ("a.test", "/p?q=1")
    assert split_http_url("http://a.test#x") == ("a.test", "/")


@pytest.mark.parametrize(("url", "why"), [
    ("https://a.test/", "CONNECT for https"),
    ("ftp://a.test/", "absolute http://"),
    ("/relative/path", "absolute http://"),
    ("http:///x", "with a host"),
    ("http://user:pw@a.test/", "credentials"),
    ("http://allowed.test\t@evil.test/", "control"),
    ("http://ev\nil.test/", "control"),
    ("http://é.test/", "non-ASCII"),
    ("http://a.test/\x7f", "control"),
])
def test_doubtful_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(_BadRequest, match=why):
        split_http_url(url)


def test_a_plain_request_is_rewritten_for_the_upstream() -> None:
    request = parse_request(b"GET http://a.test:8080/p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\n"
                            b"Proxy-Connection: keep-alive\r\nAccept: */*\r\n\r\nbody")
    assert (request.method, request.host, request.port, request.rest) == ("GET", "a.test", 8080, b"body")
    assert request.head == (b"GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nAccept: */*\r\n"
                            b"Connection: close\r\n\r\n")
    bare = parse_request(b"GET http://b.test/ HTTP/1.0\r\n\r\n")
    assert bare.head.startswith(b"GET / HTTP/1.0\r\nHost: b.test\r\n") and bare.port == 80
