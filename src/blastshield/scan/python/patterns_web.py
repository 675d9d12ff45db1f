"""Web-handler rules that look at a whole handler: sensitive actions without authentication."""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, dotted
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

ROUTE_METHODS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route"})
SENSITIVE = lazy(r"(^|[/_-])(admin|delete|remove|destroy|settings|change_?(password|email)|"
                       r"reset_?password|update_?(password|email|user|account|role)|users?/\w*(edit|delete)|"
                       r"account|billing|payment|transfer|promote|grant|config|secret)", re.I)
AUTH_WORDS = lazy(r"login|logged|auth|permission|require|jwt|token|session|current_user|is_staff|"
                        r"is_superuser|is_admin|check_user|verify|protected|roles?_required|admin_required",
                        re.I)


HOOKS = frozenset({"before_request", "before_app_request"})


def _route_path(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS:
            first = d.args[0] if d.args else None
            return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return None


def _router(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The name of the app or blueprint a handler is routed on ('' when it is not a plain name)."""
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS:
            return d.func.value.id if isinstance(d.func.value, ast.Name) else ""
    return ""


def _module_names(tree: ast.Module) -> set[str]:
    """Names the module binds at its top level (assignments, imports, definitions)."""
    out: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(stmt.name)
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
            out.update(n.id for n in ast.walk(stmt)
                       if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return out


def _guarded_routers(index: FileIndex) -> set[str]:
    """Apps and blueprints whose before_request hook checks a login: it covers every handler on them."""
    out: set[str] = set()
    for fn in index.functions():
        for d in fn.decorator_list:
            target = d.func if isinstance(d, ast.Call) else d
            if (isinstance(target, ast.Attribute) and target.attr in HOOKS
                    and isinstance(target.value, ast.Name)):
                names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
                if any(AUTH_WORDS.search(n) for n in names):
                    out.add(target.value.id)
    return out


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
    dumps = any((dotted(c.func) or "").endswith("json.dumps") for c in index.nodes(ast.Call))
    guarded: set[str] | None = None
    module_names: set[str] | None = None
    handlers = bool(index.nodes(ast.ExceptHandler))  # no except clause in the file: none in a handler
    for fn in index.functions():
        route = _route_path(fn)
        if dumps:
            out.extend(_json_into_html(fn, path))
        if route is not None and handlers and any(isinstance(node, ast.ExceptHandler) for stmt in fn.body
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
        if guarded is None or module_names is None:
            guarded, module_names = _guarded_routers(index), _module_names(index.tree)
        router = _router(fn)
        if router in guarded:
            continue
        # A blueprint made elsewhere may check logins in its own before_request hook: we cannot see it.
        unseen = bool(router) and router not in module_names
        message = (f"handler {fn.name}() for '{route or fn.name}' changes or reveals sensitive data "
                   "but checks no login, session or permission")
        if unseen:
            message += f" (its router '{router}' is defined elsewhere: a hook there may check)"
        out.append(finding(R.MISSING_AUTH, path, fn.lineno, message, end_line=fn.lineno,
                           confidence=Confidence.LOW if unseen else None))
    return out


RENDER_CALLS = frozenset({"render", "render_to_response", "render_template", "TemplateResponse",
                          "render_to_string", "mark_safe", "Markup", "SafeString"})


def _raw_json(node: ast.expr, dumped: set[str]) -> bool:
    """json.dumps(x) without an HTML-safe encoder (a name bound to one counts too); booleans are harmless."""
    if isinstance(node, ast.Name):
        return node.id in dumped
    if not (isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("json.dumps") and node.args):
        return False
    if isinstance(node.args[0], (ast.Compare, ast.BoolOp, ast.Constant, ast.UnaryOp)):
        return False
    encoder = next((dotted(k.value) or "" for k in node.keywords if k.arg == "cls"), "")
    return "html" not in encoder.lower()


ESCAPING = lazy(r"escape|xss|saniti[sz]e|bleach|clean", re.I)


def _json_into_html(fn: ast.FunctionDef | ast.AsyncFunctionDef, path: str) -> list[Finding]:
    """JSON handed to a template or marked safe. A function that escapes anything itself (antixss(q),
    escape(v) before dumping) is taken to have handled it, like a type check in the upload rule."""
    if any(isinstance(n, ast.Call) and ESCAPING.search((dotted(n.func) or "").rsplit(".", 1)[-1])
           for n in ast.walk(fn)):
        return []
    dumped = {t.id for a in ast.walk(fn) if isinstance(a, ast.Assign) and _raw_json(a.value, set())
              for t in a.targets if isinstance(t, ast.Name)}
    out: list[Finding] = []
    for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
        name = (dotted(call.func) or "").rsplit(".", 1)[-1]
        if name not in RENDER_CALLS:
            continue
        given = [*call.args, *(k.value for k in call.keywords)]
        values = [v for g in given for v in (g.values if isinstance(g, ast.Dict) else [g])]
        for v in values:
            if _raw_json(v, dumped):
                text = (f"JSON from json.dumps() goes into {name}() unescaped for HTML — a value containing "
                        "'</script>' ends the script block and runs the attacker's markup")
                out.append(finding(R.JSON_IN_HTML, path, v.lineno, text))
                break
    return out
