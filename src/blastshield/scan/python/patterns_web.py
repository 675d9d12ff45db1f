"""Web-handler rules that look at a whole handler: sensitive actions without authentication."""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.python.names import FileIndex, dotted
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

ROUTE_METHODS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route"})
SENSITIVE = re.compile(r"(^|[/_-])(admin|delete|remove|destroy|settings|change_?(password|email)|"
                       r"reset_?password|update_?(password|email|user|account|role)|users?/\w*(edit|delete)|"
                       r"account|billing|payment|transfer|promote|grant|config|secret)", re.I)
AUTH_WORDS = re.compile(r"login|logged|auth|permission|require|jwt|token|session|current_user|is_staff|"
                        r"is_superuser|is_admin|check_user|verify|protected|roles?_required|admin_required",
                        re.I)


def _route_path(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS:
            first = d.args[0] if d.args else None
            return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return None


def _leaked_errors(fn: ast.FunctionDef | ast.AsyncFunctionDef, path: str) -> list[Finding]:
    """Exception details (a traceback, the exception text) sent back to the client from a handler."""
    out: list[Finding] = []
    for handler in (n for n in ast.walk(fn) if isinstance(n, ast.ExceptHandler)):
        for ret in (n for n in ast.walk(handler) if isinstance(n, ast.Return) and n.value is not None):
            assert ret.value is not None
            calls = {dotted(c.func) or "" for c in ast.walk(ret.value) if isinstance(c, ast.Call)}
            if any(c.startswith("traceback.format") for c in calls):
                out.append(finding(R.ERROR_DETAILS, path, ret.lineno, f"{fn.name}() returns a stack trace to "
                                   "the client — it reveals code paths, file names and data"))
            elif handler.name and any(isinstance(n, ast.Name) and n.id == handler.name
                                      for n in ast.walk(ret.value)):
                out.append(finding(R.ERROR_DETAILS, path, ret.lineno, f"{fn.name}() returns the exception's "
                                   "text to the client — it may reveal internals", confidence=Confidence.LOW))
    return out


def web_findings(index: FileIndex, path: str) -> list[Finding]:
    out: list[Finding] = []
    for fn in index.functions():
        route = _route_path(fn)
        if route is not None and any(isinstance(node, ast.ExceptHandler) for stmt in fn.body
                                     for node in ast.walk(stmt)):
            out.extend(_leaked_errors(fn, path))
        if route is None or not (SENSITIVE.search(route) or SENSITIVE.search(fn.name)):
            continue
        decorators = " ".join(dotted(d.func if isinstance(d, ast.Call) else d) or ""
                              for d in fn.decorator_list)
        if AUTH_WORDS.search(decorators):
            continue
        body_names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} | {
            n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
        if any(AUTH_WORDS.search(n) for n in body_names) or any(
                isinstance(a, ast.arg) and AUTH_WORDS.search(a.arg) for a in fn.args.args):
            continue
        out.append(finding(R.MISSING_AUTH, path, fn.lineno,
                           f"handler {fn.name}() for '{route or fn.name}' changes or reveals sensitive data "
                           "but checks no login, session or permission", end_line=fn.lineno))
    return out
