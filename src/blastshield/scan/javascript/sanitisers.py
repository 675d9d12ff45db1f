"""Sanitisers: calls whose result is safe for some sink kinds (escapers, casts, basename)."""

from __future__ import annotations

from blastshield.scan.javascript.parse import Node, string_value, unwrap
from blastshield.scan.javascript.sinks import CMD, PATH, REDIRECT, REGEX, SQL_KIND, SSRF, XPATH, XSS

# Sanitisers: callee name (or its last segment) → the sink kinds its result is safe for.
_EVERYTHING = frozenset({"all"})
_HTML = frozenset({XSS})
SANITISERS: dict[str, frozenset[str]] = {
    "String": frozenset({"nosql"}),
    "mongo-sanitize": frozenset({"nosql"}),
    "mongoSanitize": frozenset({"nosql"}),
    "sanitize-mongo": frozenset({"nosql"}),
    "parseInt": _EVERYTHING,
    "parseFloat": _EVERYTHING,
    "Number": _EVERYTHING,
    "Boolean": _EVERYTHING,
    "Number.parseInt": _EVERYTHING,
    "Number.parseFloat": _EVERYTHING,
    "Math.floor": _EVERYTHING,
    "Math.round": _EVERYTHING,
    "Math.abs": _EVERYTHING,
    "Math.min": _EVERYTHING,
    "Math.max": _EVERYTHING,
    "Math.ceil": _EVERYTHING,
    "isNaN": _EVERYTHING,
    "Date.parse": _EVERYTHING,
    "BigInt": _EVERYTHING,
    "encodeURIComponent": frozenset({SSRF, REDIRECT, XSS, PATH, CMD}),
    "escape": frozenset({SSRF, REDIRECT, XSS, PATH}),
    "encodeURI": frozenset({XSS}),
    "escapeHtml": _HTML,
    "escapeHTML": _HTML,
    "htmlEscape": _HTML,
    "encodeHTML": _HTML,
    "escape-html": _HTML,
    "he.encode": _HTML,
    "he.escape": _HTML,
    "validator.escape": _HTML,
    "DOMPurify.sanitize": _HTML,
    "sanitizeHtml": _HTML,
    "sanitize-html": _HTML,
    "xss": _HTML,
    "filterXSS": _HTML,
    "_.escape": _HTML,
    "lodash.escape": _HTML,
    "purify.sanitize": _HTML,
    "sanitize": _HTML,
    "entities.encode": _HTML,
    "entities.encodeHTML": _HTML,
    "Handlebars.escapeExpression": _HTML,
    "textContent": _HTML,
    "_.escapeRegExp": frozenset({REGEX}),
    "escapeRegExp": frozenset({REGEX}),
    "escapeStringRegexp": frozenset({REGEX}),
    "escape-string-regexp": frozenset({REGEX}),
    "lodash.escapeRegExp": frozenset({REGEX}),
    "escapeRegex": frozenset({REGEX}),
    "path.basename": frozenset({PATH}),
    "basename": frozenset({PATH}),
    "sanitizeFilename": frozenset({PATH}),
    "sanitize-filename": frozenset({PATH}),
    "filenamify": frozenset({PATH}),
    "shellescape": frozenset({CMD}),
    "shellEscape": frozenset({CMD}),
    "quote": frozenset({CMD}),
    "shell-quote.quote": frozenset({CMD}),
    "shell-escape": frozenset({CMD}),
    "shlex.quote": frozenset({CMD}),
    "mysql.escape": frozenset({SQL_KIND}),
    "escapeId": frozenset({SQL_KIND}),
    "SqlString.escape": frozenset({SQL_KIND}),
    "sqlstring.escape": frozenset({SQL_KIND}),
    "pgFormat": frozenset({SQL_KIND}),
    "format.literal": frozenset({SQL_KIND}),
    "pg-format": frozenset({SQL_KIND}),
    "xpath.escape": frozenset({XPATH}),
}
_SANITISER_METHODS: dict[str, frozenset[str]] = {
    "escape": frozenset({SQL_KIND, XSS}),
    "escapeId": frozenset({SQL_KIND}),
    "escapeLiteral": frozenset({SQL_KIND}),
    "escapeIdentifier": frozenset({SQL_KIND}),
    "sanitize": _HTML,
    "escapeRegExp": frozenset({REGEX}),
    "basename": frozenset({PATH}),
}


def sanitiser_kinds(qname: str) -> frozenset[str] | None:
    if qname in SANITISERS:
        return SANITISERS[qname]
    method = qname.rsplit(".", 1)[-1]
    if "." in qname and method in _SANITISER_METHODS:
        return _SANITISER_METHODS[method]
    return None


def regex_escape_replace(args: list[Node]) -> bool:
    """``s.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')``: the usual hand-written RegExp escape."""
    if len(args) != 2:
        return False
    pattern, repl = unwrap(args[0]), string_value(args[1])
    return (
        pattern is not None and pattern.type == "regex" and repl is not None and "$&" in repl and "\\" in repl
    )
