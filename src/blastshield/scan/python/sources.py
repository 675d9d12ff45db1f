"""Where untrusted data enters: web requests, argv, console, network, files, environment."""

from __future__ import annotations

import ast

from blastshield.scan.python.names import const_str, last
from blastshield.scan.python.values import Val, external, source

# Names that hold the current web request in Flask, Django, FastAPI, Starlette, Pyramid, Zope.
REQUEST_NAMES = frozenset({"request", "req", "REQUEST"})
# Attributes of a request that are not attacker-controlled data.
REQUEST_SAFE_ATTRS = frozenset({
    "method", "user", "session", "scheme", "is_secure", "is_json", "endpoint", "blueprint",
    "url_rule", "app", "is_ajax", "auth", "RESPONSE", "response", "status_code",
    # server-side configuration hung on the request (Pyramid registry, aiohttp config_dict, MoinMoin cfg)
    # and the mount point the server sets (SCRIPT_NAME)
    "registry", "config", "config_dict", "cfg", "settings", "script_root",
})
# Methods of a handler object that read request input (Tornado, webapp2, Pyramid...).
REQUEST_METHODS = frozenset({
    "get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
    "get_body_argument", "get_body_arguments", "get_cookie", "get_json_body",
})

CALL_SOURCES: dict[str, Val] = {
    "input": source("console input"),
    "raw_input": source("console input"),
    "sys.stdin.read": source("standard input"),
    "sys.stdin.readline": source("standard input"),
    "sys.stdin.readlines": source("standard input"),
    "os.getenv": external("an environment variable"),
    "os.environ.get": external("an environment variable"),
    "open": external("file contents"),
    "io.open": external("file contents"),
    "codecs.open": external("file contents"),
    "requests.get": external("an HTTP response"),
    "requests.post": external("an HTTP response"),
    "requests.request": external("an HTTP response"),
    "urllib.request.urlopen": external("an HTTP response"),
    "urllib2.urlopen": external("an HTTP response"),
    "urllib.urlopen": external("an HTTP response"),
    "httpx.get": external("an HTTP response"),
}
NETWORK_READS = frozenset({"recv", "recvfrom", "recv_into", "recvmsg"})
ATTR_SOURCES: dict[str, Val] = {
    "sys.argv": source("a command-line argument"),
    "sys.stdin": source("standard input"),
    "os.environ": external("an environment variable"),
}


def call_source(name: str, call: ast.Call) -> Val | None:
    """A call that produces untrusted data by itself (its arguments do not matter)."""
    hit = CALL_SOURCES.get(name)
    if hit is not None:
        if name in ("open", "io.open", "codecs.open") and _opened_for_writing(call):
            return None
        return hit
    method = last(name) if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    if method in NETWORK_READS:
        return source("network data")
    if method in REQUEST_METHODS:
        key = const_str(call.args[0]) if call.args else None
        return source(f"request parameter '{key}'" if key else "request data")
    return None


def _opened_for_writing(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else None
    for k in call.keywords:
        if k.arg == "mode":
            mode = k.value
    text = const_str(mode)
    return text is not None and any(c in text for c in "wax") and "+" not in text


def request_key(base: Val, key: ast.expr | None) -> Val:
    """``request.args['host']``: name the parameter in the description when we can."""
    text = const_str(key)
    if text is None or len(base.origins) != 1:
        return base
    (origin,) = base.origins
    if origin.desc.startswith("request") and origin.kind == "source" and "'" not in origin.desc:
        return Val(frozenset({type(origin)(origin.kind, f"request parameter '{text}'", origin.param,
                                           origin.safe_for)}), base.built, base.text)
    return base
