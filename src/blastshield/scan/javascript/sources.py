"""Where untrusted data comes from: request objects of web frameworks, the browser's URL.

Express/Fastify/Next handlers receive ``req``/``request``; Koa handlers ``ctx``. Their
user-controlled parts (query, params, body, cookies, headers, the URL) are attacker data.
"""

from __future__ import annotations

from blastshield.scan.javascript.values import PARAM, REQOBJ, REQUEST, UNKNOWN, Taint

REQUEST_NAMES = frozenset({"req", "request", "ctx", "_req", "httpRequest", "incomingRequest"})

# Properties of a request object that carry attacker data.
USER_PROPERTIES = frozenset(
    {
        "query",
        "params",
        "body",
        "cookies",
        "signedCookies",
        "headers",
        "url",
        "originalUrl",
        "path",
        "hostname",
        "host",
        "files",
        "file",
        "searchParams",
        "nextUrl",
        "rawBody",
        "payload",
        "querystring",
        "search",
        "href",
        "pathname",
        "rawHeaders",
        "fields",
        "data",
    }
)
# Properties that are themselves request objects (ctx.request, ctx.req).
NESTED_REQUESTS = frozenset({"request", "req"})
# Methods of a request object that return attacker data.
USER_METHODS = frozenset(
    {"get", "header", "param", "json", "text", "formData", "arrayBuffer", "blob", "getHeader", "cookie"}
)

# Browser globals an attacker controls through the URL or the referrer.
BROWSER_SOURCES = frozenset(
    {
        "location.search",
        "location.hash",
        "location.href",
        "location.pathname",
        "location",
        "window.location.search",
        "window.location.hash",
        "window.location.href",
        "window.location.pathname",
        "document.location.search",
        "document.location.hash",
        "document.location.href",
        "document.URL",
        "document.documentURI",
        "document.referrer",
        "window.name",
        "document.location",
    }
)

# NestJS parameter decorators that inject request data.
NEST_DECORATORS = frozenset(
    {
        "Body",
        "Query",
        "Param",
        "Headers",
        "Cookies",
        "UploadedFile",
        "UploadedFiles",
        "Ip",
        "HostParam",
        "RawBody",
        "Session",
    }
)

# Destructured parameter names that Next.js fills from the URL.
NEXT_URL_PARAMS = frozenset({"searchParams"})


def request_object(name: str) -> Taint:
    return Taint(REQUEST, shapes=frozenset({REQOBJ}), origin=name)


def member_of_request(base: Taint, prop: str, expr: str) -> Taint:
    """``req.<prop>``: attacker data, another request object, or something else."""
    if prop in NESTED_REQUESTS:
        return request_object(expr)
    if prop in USER_PROPERTIES:
        return Taint(REQUEST, origin=expr)
    return Taint(UNKNOWN, origin=expr)


def parameter(index: int, name: str) -> Taint:
    return Taint(PARAM, frozenset({index}), origin=f"parameter '{name}'")


def global_source(dotted_name: str) -> Taint | None:
    """A taint for a well-known global source, or None."""
    if dotted_name in BROWSER_SOURCES:
        return Taint(REQUEST, origin=dotted_name)
    if dotted_name == "process.argv" or dotted_name.startswith("process.argv."):
        return Taint(PARAM, origin="process.argv")
    return None
