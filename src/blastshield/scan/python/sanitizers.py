"""What makes untrusted data safe, per CWE: escaping calls and checks that guard a use."""

from __future__ import annotations

import ast
import re

from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import call_name, const_str, dotted, last

ALL = frozenset({-1})
PATH = frozenset({22})
URL = frozenset({601, 918})

# Calls whose result carries no attacker-controlled text at all.
CLEAN_RESULTS = frozenset({
    "int", "float", "bool", "len", "abs", "round", "hash", "id", "ord", "isinstance", "hasattr",
    "callable", "sum", "flask.redirect", "redirect", "django.shortcuts.redirect",
    "django.http.HttpResponseRedirect", "HttpResponseRedirect", "flask.abort", "abort", "min", "max",
    "uuid.uuid4", "uuid.uuid1", "uuid.UUID", "os.path.exists",
    "os.path.isfile", "os.path.isdir", "os.path.getsize", "url_for", "flask.url_for",
    "time.time", "datetime.datetime.now", "random.randint", "secrets.token_hex",
    "secrets.token_urlsafe", "django.urls.reverse", "reverse", "decimal.Decimal",
})
CLEAN_METHODS = frozenset({
    "startswith", "endswith", "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal",
    "isidentifier", "count", "index", "find", "rfind", "exists", "is_file", "is_dir",
    "hexdigest", "digest", "fetchone_count", "__len__",
})
# str.find gives a number, but only when given the text to look for: `col.find()`, `col.find({'user': name})`
# are database queries (MongoDB) that return documents. (count() and index() give numbers either way.)
SEARCH_METHODS = frozenset({"find"})
SANITISERS: dict[str, frozenset[int]] = {
    "shlex.quote": frozenset({78}), "pipes.quote": frozenset({78}), "shlex.join": frozenset({78}),
    "html.escape": frozenset({79, 113}), "cgi.escape": frozenset({79}),
    "markupsafe.escape": frozenset({79}), "flask.escape": frozenset({79}),
    "jinja2.escape": frozenset({79}), "escape": frozenset({79}), "bleach.clean": frozenset({79}),
    "django.utils.html.escape": frozenset({79}), "conditional_escape": frozenset({79}),
    "django.utils.html.format_html": frozenset({79}), "format_html": frozenset({79}),
    "django.utils.html.strip_tags": frozenset({79}), "strip_tags": frozenset({79}),
    "xml.sax.saxutils.escape": frozenset({79, 643}), "json.dumps": frozenset({79}),
    "flask.jsonify": frozenset({79}), "jsonify": frozenset({79}),
    "flask.render_template": frozenset({79}), "render_template": frozenset({79}),
    "django.shortcuts.render": frozenset({79}), "render": frozenset({79}),
    "os.path.basename": frozenset({22}), "werkzeug.utils.secure_filename": frozenset({22, 78}),
    "secure_filename": frozenset({22, 78}), "werkzeug.secure_filename": frozenset({22, 78}),
    "re.escape": frozenset({1333, 643}),
    "ldap.filter.escape_filter_chars": frozenset({90}), "ldap3.utils.conv.escape_filter_chars":
        frozenset({90}), "escape_filter_chars": frozenset({90}), "ldap.dn.escape_dn_chars": frozenset({90}),
    "escape_rdn": frozenset({90}),
    "urllib.parse.quote": frozenset({79, 113, 117, 78}), "urllib.parse.quote_plus":
        frozenset({79, 113, 117, 78, 22}), "urllib.quote": frozenset({79, 113, 117}),
    "urllib.parse.urlencode": frozenset({79, 113, 117, 78}),
    "base64.b64encode": frozenset({79, 113, 117, 78, 89, 22}),
}
# Helpers that defuse spreadsheet formulas in CSV cells: neutralise(cell), escape_csv_cell(v), safe_cell(v)
CSV_NEUTRALISERS = lazy(r"neutrali[sz]e|(escape|sanitize|sanitise|safe|defang)_?(csv|cell|formula)",
                              re.I)
CSV_WORDS = ("neutral", "csv", "cell", "formula")  # every CSV_NEUTRALISERS match holds one of them


def _csv_word(method: str) -> bool:
    """Cheap test before the pattern (most names fail it); non-ASCII names go to the pattern, whose
    case folding also matches letters such as the dotless i."""
    low = method.lower()
    return not method.isascii() or any(word in low for word in CSV_WORDS)


HTML_ESCAPERS = frozenset({"escape", "html_escape", "escape_html", "htmlescape", "escapeHTML", "escape_xml",
                           "quoteattr", "escape_attr", "xhtml_escape"})
# Checks named like validators: a call to one in an if-test is taken as an allow-list check.
VALIDATOR_PREFIXES = ("is_safe", "is_valid", "valid", "validate", "allowed", "is_allowed", "check_",
                      "sanitize", "sanitise", "url_has_allowed", "safe_join", "is_local", "whitelist",
                      "allowlist", "verify")


def sanitiser_cwes(name: str, call: ast.Call) -> frozenset[int] | None:
    """CWEs the result of ``call`` is safe for; ALL for a clean result; None if not a sanitiser."""
    if name in CLEAN_RESULTS:
        return ALL
    hit = SANITISERS.get(name)
    if hit is not None:
        return hit
    method = last(name) if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    if method in CLEAN_METHODS and not (method in SEARCH_METHODS and not _str_search(call)):
        return ALL
    named = escaper_cwes(method)
    if named is not None:  # a project's or framework's own escape(): wikiutil.escape, utils.escape_html
        return named
    if method in ("render", "render_template", "TemplateResponse"):  # autoescaping is checked on its own
        return frozenset({79})
    if method == "replace" and call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and (
                "\n" in first.value or "\r" in first.value):
            return frozenset({117, 113})
    if method == "safe_join" or name.endswith("safe_join"):
        return PATH
    return None


def _str_search(call: ast.Call) -> bool:
    """Called the way str.find is: positional arguments only, none of them a dict."""
    return bool(call.args) and not call.keywords and not any(
        isinstance(a, (ast.Dict, ast.DictComp)) for a in call.args)


def escaper_cwes(method: str) -> frozenset[int] | None:
    """What a function named like an escaper is trusted to escape (also the file's own helpers)."""
    if _csv_word(method) and CSV_NEUTRALISERS.search(method):
        return frozenset({1236})
    return frozenset({79}) if method in HTML_ESCAPERS else None


URL_HOST_PARTS = frozenset({"netloc", "hostname", "scheme"})


def _names_in(node: ast.AST) -> set[str]:
    """Names and dotted attributes a check reads. A check of ``p.name`` checks that attribute, not all of
    ``p`` (``p.path`` stays unchecked); a method call's receiver (``name.lower()``) is the value checked."""
    out: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            out.add(n.id)
            continue
        if isinstance(n, ast.Attribute):
            d = dotted(n)
            if d:
                out.add(d)
                continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            stack.append(n.func.value)
            stack.extend(n.args)
            stack.extend(k.value for k in n.keywords)
            continue
        stack.extend(ast.iter_child_nodes(n))
    return out


def guard_cwes(test: ast.expr, aliases: dict[str, str],
               hosts: frozenset[str] | set[str] = frozenset()) -> dict[str, frozenset[int]]:
    """Names an if/while/assert test checks, and the CWEs that check protects against.

    Recognised: allow-list membership (``x in ALLOWED``), containment of a resolved path
    (``realpath(p).startswith(base)``, ``commonpath``), URL host checks
    (``urlparse(u).netloc in HOSTS``), digit/identifier checks, regex full matches, and
    calls to functions named like validators. The check counts for the rest of the
    function: an approximation that trades a few missed flows for far fewer false alarms.
    (Validators called as statements, which raise on bad input, are in statement_guard_cwes.)
    """
    out: dict[str, frozenset[int]] = {}

    def mark(node: ast.AST, cwes: frozenset[int]) -> None:
        # a URL's host or scheme checked (parsed.netloc == H) checks the URL it was parsed from
        hosts_of = [n.value for n in ast.walk(node)
                    if isinstance(n, ast.Attribute) and n.attr in URL_HOST_PARTS]
        for name in _names_in(node).union(*(_names_in(h) for h in hosts_of)):
            out[name] = out.get(name, frozenset()) | cwes

    for node in ast.walk(test):
        if isinstance(node, ast.Compare):
            left, ops, rights = node.left, node.ops, node.comparators
            if any(isinstance(op, (ast.In, ast.NotIn)) for op in ops):
                right = rights[0]
                if isinstance(left, ast.Constant) and isinstance(left.value, str):
                    if ".." in left.value or "/" in left.value or "\\" in left.value:
                        mark(right, PATH)
                elif not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
                    host_check = any(isinstance(n, ast.Attribute) and n.attr in ("netloc", "hostname")
                                     for n in ast.walk(left)) or (
                        isinstance(left, ast.Name) and left.id in hosts)
                    mark(left, URL if host_check else ALL)
            elif any(isinstance(op, (ast.Eq, ast.NotEq)) for op in ops):
                for side in [left, *rights]:
                    if any(isinstance(n, ast.Attribute) and n.attr in ("netloc", "hostname", "scheme")
                           for n in ast.walk(side)) or (isinstance(side, ast.Name) and side.id in hosts):
                        mark(side, URL)
                    if isinstance(side, ast.Call) and call_name(side, aliases).endswith("commonpath"):
                        mark(side, PATH)
        elif isinstance(node, ast.Call):
            name = call_name(node, aliases)
            method = last(name) if name else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if method in ("startswith",) and isinstance(node.func, ast.Attribute):
                if not _scheme_only(node):
                    mark(node.func.value, PATH | URL)
            elif method in ("isdigit", "isalnum", "isnumeric", "isdecimal", "isidentifier", "isalpha") \
                    and isinstance(node.func, ast.Attribute):
                mark(node.func.value, ALL)
            elif method == "issubset" and isinstance(node.func, ast.Attribute):
                mark(node.func.value, ALL)  # set(x).issubset(ALLOWED_CHARS): an allow-list of characters
            elif name in ("re.match", "re.fullmatch", "re.search") or method in ("fullmatch", "match"):
                if _partial_pattern(name, node):
                    # re.match(r'^https?://', u): only a prefix is checked, the rest is anything; a prefix
                    # that names the host (r'^https://[^/]+\.example\.com') still checks where a URL goes
                    pattern = const_str(node.args[0]) or ""
                    if HOST_PATTERN.search(pattern):
                        for a in node.args[1:]:
                            mark(a, URL)
                    continue
                for a in node.args[1:] if name.startswith("re.") else node.args:
                    mark(a, ALL)
            elif method.lower().startswith(VALIDATOR_PREFIXES) or method == "is_relative_to":
                for a in node.args:
                    mark(a, PATH if method == "is_relative_to" else ALL)
                if method == "is_relative_to" and isinstance(node.func, ast.Attribute):
                    mark(node.func.value, PATH)
    return out


# a regex that spells a host after the scheme: '://' then, further on, an escaped dot and a domain label
HOST_PATTERN = lazy(r"://.*\\\.[a-z0-9-]+", re.I)


SCHEME_ONLY = lazy(r"^([a-z][\w+.-]*:(//)?|https?)$", re.I)


def _scheme_only(call: ast.Call) -> bool:
    """u.startswith('https://') (or a tuple of schemes): the scheme is checked, the host is anything."""
    first = call.args[0] if call.args else None
    prefixes = first.elts if isinstance(first, (ast.Tuple, ast.List)) else [first] if first else []
    texts = [const_str(p) for p in prefixes]
    return bool(texts) and all(t is not None and SCHEME_ONLY.match(t) for t in texts)


def _partial_pattern(name: str, call: ast.Call) -> bool:
    """A literal pattern given to re.match/re.search that does not reach the end of the text ($, \\Z):
    it checks a prefix (or a piece), not the whole value."""
    if name not in ("re.match", "re.search") or not call.args:
        return False
    pattern = call.args[0]
    if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
        return False
    text = pattern.value.rstrip()
    anchored_end = text.endswith("$") or text.endswith("\\Z") or text.endswith("\\z")
    anchored_start = name == "re.match" or text.startswith(("^", "\\A"))
    return not (anchored_end and anchored_start)


def statement_guard_cwes(call: ast.Call, aliases: dict[str, str]) -> dict[str, frozenset[int]]:
    """Names checked by a validator called as a statement (``validate_key(name)``, ``check_path(p)``):
    such a call raises on bad input, so its arguments are checked for the rest of the function."""
    name = call_name(call, aliases)
    method = last(name) if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    lowered = method.lower()
    if not (lowered.startswith(("validate", "check_", "verify", "ensure_", "assert_valid", "sanitize",
                                "sanitise")) or lowered.endswith(("_validate", "_validator"))):
        return {}
    out: dict[str, frozenset[int]] = {}
    for a in [*call.args, *[k.value for k in call.keywords]]:
        for n in _names_in(a):
            out[n] = ALL
    return out


EXIT_CALLS = frozenset({"abort", "exit", "quit", "_exit", "fail", "bad_request", "not_found", "forbidden",
                        "HTTPException", "PermissionDenied", "Http404", "SuspiciousOperation"})


def test_polarity(test: ast.expr) -> bool | None:
    """True when the test holds for checked data (``x in ALLOWED``), False when it holds for unchecked
    data (``x not in ALLOWED``, ``not valid(x)``), None when a test mixes both."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = test_polarity(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = {test_polarity(v) for v in test.values}
        if len(parts) != 1 or None in parts:
            return None
        (only,) = parts
        # `a and b` of checks is a check; `not a or not b` is its negation; others are unclear
        return only if (isinstance(test.op, ast.And) == bool(only)) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return not isinstance(test.ops[0], (ast.NotIn, ast.NotEq, ast.IsNot))
    return True


def always_exits(body: list[ast.stmt]) -> bool:
    """The block never falls through: it returns, raises, breaks, continues or aborts."""
    if not body:
        return False
    tail = body[-1]
    if isinstance(tail, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(tail, ast.Expr) and isinstance(tail.value, ast.Call):
        func = tail.value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in EXIT_CALLS
    if isinstance(tail, ast.If):
        return always_exits(tail.body) and always_exits(tail.orelse)
    return False
