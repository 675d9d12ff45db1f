"""Host checks that can be bypassed: substring tests, bare suffix tests and unescaped host regexes."""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, const_str, dotted
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

DOMAIN = lazy(r"^(https?://)?([a-z0-9-]+\.)+[a-z]{2,}/?$", re.I)
URLISH = lazy(r"url|uri|host|netloc|domain|target|redirect|next|origin|referr?er|link|site", re.I)
# A regex that names a host with an unescaped dot before a label: "www.example.com" matches "wwwXexample.com".
LOOSE_HOST_REGEX = lazy(r"[a-z0-9)](?<!\\)\.(?![*+?{])[a-z0-9-]+\\?\.(com|org|net|io|edu|gov)\b", re.I)
REGEX_CALLS = frozenset({"re.compile", "re.match", "re.search", "re.fullmatch"})


def _urlish(node: ast.AST) -> bool:
    text = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    if isinstance(node, ast.Call):
        text = dotted(node.func)
    return bool(text and URLISH.search(text))


def _host_string(node: ast.AST) -> bool:
    """urlparse(u).netloc, parsed.hostname: the host part of a parsed URL, a string (not a collection)."""
    return isinstance(node, ast.Attribute) and node.attr in ("netloc", "hostname")


def _leading_text(node: ast.expr) -> str | None:
    """The constant text a string expression starts with ('.' + domain -> '.'), None if unknown."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _leading_text(node.left)
    if isinstance(node, ast.JoinedStr) and node.values:
        return const_str(node.values[0])
    return const_str(node)


def host_check_findings(index: FileIndex, path: str) -> list[Finding]:
    out: list[Finding] = []
    aliases = index.aliases
    for node in [*index.nodes(ast.Compare), *index.nodes(ast.Call)]:
        membership = isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(
            node.ops[0], (ast.In, ast.NotIn))
        if membership and isinstance(node, ast.Compare):
            text = const_str(node.left)
            if text and DOMAIN.match(text) and _urlish(node.comparators[0]):
                out.append(finding(R.INCOMPLETE_HOST_CHECK, path, node.lineno,
                                   f"'{text}' in a URL is true for https://{text}.evil.example and "
                                   f"https://evil.example/?{text} — the check can be bypassed"))
            elif text is None and _host_string(node.comparators[0]):
                # allowed.netloc in target.netloc: a substring of the host, not the host
                out.append(finding(R.INCOMPLETE_HOST_CHECK, path, node.lineno,
                                   "a host tested with 'in' against a parsed URL's host is a substring "
                                   "test: 'example.com' is in 'example.com.evil.example' and "
                                   "'evil-example.com'"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = call_name(node, aliases)
            if node.func.attr == "endswith" and node.args and _urlish(node.func.value):
                suffix = _leading_text(node.args[0])
                if suffix is None or (suffix and not suffix.startswith(".") and DOMAIN.match(suffix)):
                    out.append(finding(R.INCOMPLETE_HOST_CHECK, path, node.lineno,
                                       "host checked with endswith() without a leading dot: "
                                       "'evil-example.com' ends with 'example.com'"))
            elif name in REGEX_CALLS and node.args:
                pattern = const_str(node.args[0])
                if pattern and LOOSE_HOST_REGEX.search(pattern):
                    out.append(finding(R.INCOMPLETE_HOST_CHECK, path, node.lineno,
                                       "host regular expression with an unescaped '.': it also matches "
                                       "other hosts"))
    return out
