"""Markdown turned into HTML without sanitising: Python-Markdown and markdown2 pass raw HTML through."""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, kwarg
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

# Renderers that keep raw HTML by default (mistune 2+ escapes it unless told otherwise: not listed).
MARKDOWN_CALLS = frozenset({"markdown.markdown", "markdown2.markdown", "markdown.markdownFromFile"})
# The function cleans the text or the HTML itself: escape(...) before, bleach/nh3 clean(...) after.
CLEANING = lazy(r"escape|saniti[sz]e|bleach|clean|nh3|safe_?(md|markdown)|strip_?tags", re.I)
# Renderers that autoescape the variables they get: the template must opt out (|safe) to show the HTML.
AUTOESCAPING = frozenset({"render_template", "render", "render_to_response", "TemplateResponse",
                          "render_to_string"})


def _is_markdown(call: ast.Call, index: FileIndex, defined: set[str]) -> bool:
    name = call_name(call, index.aliases)
    if name in MARKDOWN_CALLS:
        return True
    # A fragment without its imports: a bare markdown(text, ...) the file does not define itself.
    return name == "markdown" and isinstance(call.func, ast.Name) and "markdown" not in defined


def markdown_findings(index: FileIndex, path: str) -> list[Finding]:
    calls = index.nodes(ast.Call)
    if not any("markdown" in (call_name(c, index.aliases) or "") for c in calls):
        return []
    defined = {f.name for f in index.functions()}
    out: list[Finding] = []
    seen: set[int] = set()
    for fn in index.functions():
        inner = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
        if any(CLEANING.search((call_name(c, index.aliases) or "").rsplit(".", 1)[-1]) for c in inner):
            continue
        renders = [c for c in inner if (call_name(c, index.aliases) or "").rsplit(".", 1)[-1] in AUTOESCAPING]
        for call in inner:
            if id(call) in seen or not _is_markdown(call, index, defined) or not call.args:
                continue
            seen.add(id(call))
            if isinstance(call.args[0], ast.Constant) or kwarg(call, "safe_mode") is not None:
                continue
            held = _held_in(fn, call)
            escaped = any((isinstance(v, ast.Name) and v.id in held) or any(n is call for n in ast.walk(v))
                          for r in renders for v in [*r.args, *(k.value for k in r.keywords)])
            out.append(finding(
                R.MARKDOWN_HTML, path, call.lineno,
                "markdown() keeps raw HTML from the text (<script>, onerror=): the HTML it returns is "
                + ("handed to an autoescaping template, safe unless the template marks it |safe"
                   if escaped else "shown as is — cross-site scripting when the text comes from users"),
                end_line=call.end_lineno, confidence=Confidence.LOW if escaped else None))
    return out


def _held_in(fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> set[str]:
    """Names a markdown result is assigned to inside the function."""
    return {t.id for a in ast.walk(fn) if isinstance(a, ast.Assign) and a.value is call
            for t in a.targets if isinstance(t, ast.Name)}
