"""Regular-expression literals that can backtrack catastrophically: nested unbounded quantifiers.

A group repeated without bound (``*``, ``+``, ``{n,}``) that itself contains an unbounded
repetition — ``(a+)+``, ``(\\w+\\s?)*``, ``(?:\\.[a-z]{2,})*`` — has star height 2 (the
safe-regex check): on an input that almost matches, ``re`` tries exponentially or polynomially
many ways to split it. The pattern is read with the standard library's own regex parser, so
escapes, classes and flags are understood exactly. It over-approximates (a delimiter inside the
group can make the match linear) and does not see overlaps between neighbouring quantifiers.
Patterns are literals at the call or in a name the file binds once to a literal.
"""

from __future__ import annotations

import ast
import warnings

from blastshield.scan.finding import Finding
from blastshield.scan.python.names import FileIndex, call_name, const_str
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from typing import Any

with warnings.catch_warnings():  # the modules behind `re`, deprecated only as public names
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

REGEX_CALLS = frozenset({"re.compile", "re.match", "re.search", "re.fullmatch", "re.findall", "re.finditer",
                         "re.sub", "re.subn", "re.split"})
MAX_PATTERN = 2000  # longer literals are data, not hand-written patterns


REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)  # (?:...)*+ never backtracks (3.11+)


def nested_quantifier(pattern: str) -> bool:
    """Whether ``pattern`` repeats, without bound, something that already repeats without bound."""
    if len(pattern) > MAX_PATTERN:
        return False
    try:
        parsed = sre_parse.parse(pattern)
    except (sre_constants.error, ValueError, OverflowError, RecursionError):
        return False
    return _nested(parsed.data, inside=False)


def _nested(items: list[tuple[Any, Any]], inside: bool) -> bool:
    """``inside``: these items are repeated without bound by an enclosing backtracking repeat."""
    for op, arg in items:
        if op in REPEATS or (POSSESSIVE is not None and op == POSSESSIVE):
            _, high, sub = arg
            unbounded = high == sre_constants.MAXREPEAT and op in REPEATS
            found = (unbounded and inside) or _nested(sub.data, inside or unbounded)
        elif op == sre_constants.SUBPATTERN:
            found = _nested(arg[-1].data, inside)
        elif op == sre_constants.BRANCH:
            found = any(_nested(alt.data, inside) for alt in arg[1])
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found = _nested(arg[1].data, inside)
        else:
            found = False
        if found:
            return True
    return False


def _literal_names(index: FileIndex) -> dict[str, str]:
    """Names the file binds exactly once, to a string literal (PATTERN = r'...')."""
    seen: dict[str, list[str | None]] = {}
    for node in index.nodes(ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name):
                seen.setdefault(t.id, []).append(const_str(node.value))
    return {k: v[0] for k, v in seen.items() if len(v) == 1 and v[0] is not None}


def redos_findings(index: FileIndex, path: str) -> list[Finding]:
    out: list[Finding] = []
    names: dict[str, str] | None = None
    for call in index.nodes(ast.Call):
        if not call.args or call_name(call, index.aliases) not in REGEX_CALLS:
            continue
        first = call.args[0]
        pattern = const_str(first)
        if pattern is None and isinstance(first, ast.Name):
            names = _literal_names(index) if names is None else names
            pattern = names.get(first.id)
        if pattern is not None and nested_quantifier(pattern):
            out.append(finding(R.REDOS_PATTERN, path, call.lineno,
                               "regular expression repeats a group that itself repeats without bound: an "
                               "almost-matching input makes re backtrack for seconds to hours (ReDoS)",
                               end_line=call.end_lineno or call.lineno))
    return out
