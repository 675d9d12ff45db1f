"""JavaScript/TypeScript injection rules: untrusted data reaching a dangerous API (taint)."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, RuleSpec, Severity
from blastshield.scan.registry import declare
from blastshield.scan.rules.js_misc import PROTO_POLLUTION

_JS = "javascript"

COMMAND = declare(
    "BS-JS-078",
    78,
    Severity.CRITICAL,
    Confidence.HIGH,
    "OS command built from untrusted data and run through a shell",
    "use execFile/spawn with an argument array and no shell; never build a command string from input",
    _JS,
)
CODE = declare(
    "BS-JS-095",
    95,
    Severity.CRITICAL,
    Confidence.HIGH,
    "untrusted data evaluated as code (eval, new Function, vm, setTimeout with a string)",
    "do not evaluate data: parse it (JSON.parse), look it up in a table, or pass a function",
    _JS,
)
REQUIRE = declare(
    "BS-JS-094-dynamic-require",
    94,
    Severity.HIGH,
    Confidence.MEDIUM,
    "module path passed to require() is computed, so other code can be loaded",
    "require modules by literal names; map allowed names to modules with a fixed table",
    _JS,
)
SQL = declare(
    "BS-JS-089",
    89,
    Severity.HIGH,
    Confidence.HIGH,
    "SQL query built by string concatenation or a template from untrusted data",
    "use placeholders (?, $1, :name) and pass the values separately to the driver",
    _JS,
)
PATH = declare(
    "BS-JS-022",
    22,
    Severity.HIGH,
    Confidence.HIGH,
    "file system path built from untrusted data (path traversal)",
    "take path.basename() of the name, or path.resolve() it and check it startsWith the base directory + sep",
    _JS,
)
REDIRECT = declare(
    "BS-JS-601",
    601,
    Severity.MEDIUM,
    Confidence.HIGH,
    "redirect to a URL taken from the request (open redirect)",
    "redirect only to relative paths or to hosts on an allow-list (compare new URL(x).host)",
    _JS,
)
XSS = declare(
    "BS-JS-079",
    79,
    Severity.HIGH,
    Confidence.HIGH,
    "untrusted data written into HTML (res.send, innerHTML, document.write, dangerouslySetInnerHTML)",
    "escape for HTML (he.encode, escape-html), sanitise markup with DOMPurify.sanitize, or use textContent",
    _JS,
)
REGEX = declare(
    "BS-JS-1333",
    1333,
    Severity.MEDIUM,
    Confidence.HIGH,
    "regular expression built from non-constant input (ReDoS, regex injection)",
    "escape the input with _.escapeRegExp / escape-string-regexp, or match with string methods",
    _JS,
)
SSRF = declare(
    "BS-JS-918",
    918,
    Severity.HIGH,
    Confidence.HIGH,
    "outgoing HTTP request to a URL controlled by the caller (server-side request forgery)",
    "build the URL from a fixed scheme and host; allow-list hosts with new URL(x).hostname",
    _JS,
)
XPATH = declare(
    "BS-JS-643",
    643,
    Severity.HIGH,
    Confidence.HIGH,
    "XPath expression built from untrusted data (XPath injection)",
    "use XPath variables (xpath.evaluate with a variable resolver) or walk the DOM and compare values",
    _JS,
)

NOSQL = declare(
    "BS-JS-943-nosql", 943, Severity.HIGH, Confidence.HIGH,
    "request data used as a MongoDB query value: an object like {\"$ne\": null} becomes an operator",
    "cast values to the expected type (String(x)), validate the body with a schema, or use mongo-sanitize",
    _JS)

BY_KIND: dict[str, RuleSpec] = {
    "cmd": COMMAND,
    "code": CODE,
    "require": REQUIRE,
    "sql": SQL,
    "path": PATH,
    "redirect": REDIRECT,
    "xss": XSS,
    "regex": REGEX,
    "ssrf": SSRF,
    "xpath": XPATH,
    "proto": PROTO_POLLUTION,
    "nosql": NOSQL,
}
