"""Expressions for the taint flow: what value an expression has, and which sinks its calls reach.

``ExprFlow`` holds the state one function's walk needs (environment, hits, derived names) and
evaluates expressions against it; ``flow.FunctionFlow`` adds the statements.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from blastshield.scan.python import sinks
from blastshield.scan.python.hits import CallInfo, SinkHit
from blastshield.scan.python.names import BUILTINS, call_name, canonical, const_str, dotted, kwarg, last
from blastshield.scan.python.sanitizers import (
    ALL,
    escaper_cwes,
    guard_cwes,
    sanitiser_cwes,
    statement_guard_cwes,
)
from blastshield.scan.python.slots import (
    BRACE_NAME,
    BRACE_SLOT,
    PERCENT_NAME,
    PERCENT_SLOT,
    reads_locals,
    slot_sanitise,
)
from blastshield.scan.python.sources import (
    ATTR_SOURCES,
    REQUEST_NAMES,
    REQUEST_SAFE_ATTRS,
    call_source,
    request_key,
)
from blastshield.scan.python.values import (
    EMPTY,
    SLOT,
    SOURCE,
    Origin,
    Val,
    const,
    join,
    source,
    unknown,
)
from blastshield.scan.rules.python_taint import HEADER_INJECTION, OPEN_REDIRECT

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from blastshield.scan.lazyre import Regex

CONTAINER_NODES = (ast.List, ast.Dict, ast.Set, ast.Tuple, ast.ListComp, ast.DictComp, ast.SetComp)
CONTAINER_ADDS = frozenset({"append", "extend", "insert", "add", "update", "appendleft", "extendleft",
                            "setdefault"})
URL_PARTS = frozenset({"netloc", "hostname", "scheme", "path", "host", "port"})
DERIVING_CALLS = ("urlparse", "urlsplit", "realpath", "abspath", "normpath", "resolve", "Path",
                  "expanduser", "join", "unquote")


class Hit:
    __slots__ = ("end_line", "line", "sink", "via")

    def __init__(self, sink: SinkHit, line: int, end_line: int, via: str = "") -> None:
        self.sink = sink
        self.line = line
        self.end_line = end_line
        self.via = via  # " through helper() called at line 7"


class FileInfo:
    __slots__ = ("aliases", "constants", "defined", "methods")

    def __init__(self, aliases: dict[str, str], constants: dict[str, Val], defined: set[str],
                 methods: set[str] | None = None) -> None:
        self.aliases = aliases
        self.constants = constants  # module-level names bound to constant values
        self.defined = defined  # module-level functions and classes
        self.methods = set() if methods is None else methods  # every function and method name of the file


SummaryHook = Callable[["ExprFlow", ast.Call, str, list[Val], dict[str, Val]], Val | None]


class ExprFlow:
    """The state of one function's walk and the value of each expression in it."""

    def __init__(self, info: FileInfo, env: dict[str, Val], apply_summary: SummaryHook,
                 route: bool = False) -> None:
        self.info = info
        self.env = env
        self.apply_summary = apply_summary
        self.route = route
        self.hits: list[Hit] = []
        self.returned: Val = EMPTY
        self.derived: dict[str, str] = {}  # y = urlparse(x): a check on y also checks x
        self.loop_depth = 0
        self.hosts: set[str] = set()  # names bound to a parsed URL's host or scheme
        self.containers: set[str] = set()  # names bound to a list, dict or set display

    def bind(self, target: ast.expr, v: Val, value: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = v
            if isinstance(value, CONTAINER_NODES):
                self.containers.add(target.id)
            elif value is not None:
                self.containers.discard(target.id)
            if isinstance(value, ast.Call) and value.args and last(call_name(value, self.info.aliases)) \
                    in DERIVING_CALLS:
                for a in value.args:
                    base = dotted(a) if isinstance(a, (ast.Name, ast.Attribute)) else None
                    if base:
                        self.derived[target.id] = self.derived.get(base, base)
            elif isinstance(value, ast.Attribute) and value.attr in URL_PARTS and isinstance(value.value,
                                                                                           ast.Name):
                # host = parsed.netloc: a check on host checks what parsed was parsed from
                self.derived[target.id] = self.derived.get(value.value.id, value.value.id)
                self.hosts.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.bind(t.value if isinstance(t, ast.Starred) else t, v)
        elif isinstance(target, ast.Attribute):
            key = dotted(target)
            if key:
                self.env[key] = v
            if target.attr in ("headers",):
                return
        elif isinstance(target, ast.Subscript):
            base = dotted(target.value)
            if base is not None:
                self.env[base] = self.env.get(base, EMPTY) | v
            headers = isinstance(target.value, ast.Attribute) and target.value.attr == "headers"
            if headers:
                self.record(SinkHit(HEADER_INJECTION, v, "a response header",
                                          external=None, weak=None), target)
            if (const_str(target.slice) or "").lower() == "location" and (
                    headers or "resp" in (base or "").lower()):
                self.location_header(v, target)

    def location_header(self, v: Val, node: ast.AST) -> None:
        """A Location header set by hand (resp.headers['Location'] = u, headers={'Location': u}) redirects."""
        self.record(SinkHit(OPEN_REDIRECT, v, "the Location header", external=None, weak=None), node)

    def guard_statement(self, call: ast.Call) -> None:
        """``validate_name(x)`` as a statement raises on bad input: what follows only sees checked data."""
        for name, cwes in statement_guard_cwes(call, self.info.aliases).items():
            for key in {name, self.derived.get(name, name)}:
                if key in self.env:
                    self.env[key] = self.env[key].sanitised(cwes)

    def guard(self, test: ast.expr) -> None:
        self.apply_marks(guard_cwes(test, self.info.aliases, self.hosts))

    def apply_marks(self, marks: dict[str, frozenset[int]]) -> None:
        for name, cwes in marks.items():
            for key in {name, self.derived.get(name, name)}:
                if key in self.env:
                    self.env[key] = self.env[key].sanitised(cwes)
                elif "." in key and key.split(".")[0] in self.env:
                    # p.name checked: that attribute is clean from here on, the rest of p is not
                    attr = ast.parse(key, mode="eval").body
                    if isinstance(attr, ast.Attribute):
                        self.env[key] = self.attribute(attr).sanitised(cwes)

    def record(self, hit: SinkHit, node: ast.AST, via: str = "", line: int | None = None) -> None:
        if not hit.val.origins:
            return
        start = line if line is not None else getattr(node, "lineno", 1)
        end = line if line is not None else (getattr(node, "end_lineno", None) or start)
        self.hits.append(Hit(hit, start, end, via))

    # ---- expressions ------------------------------------------------------------
    def expr(self, e: ast.expr) -> Val:
        if isinstance(e, ast.Constant):
            return const(e.value) if isinstance(e.value, str) else EMPTY
        if isinstance(e, ast.Name):
            return self.name(e.id)
        if isinstance(e, ast.JoinedStr):
            return self.fstring(e)
        if isinstance(e, ast.BinOp):
            return self.binop(e)
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.Attribute):
            return self.attribute(e)
        if isinstance(e, ast.Subscript):
            base = self.expr(e.value)
            self.expr(e.slice)
            return request_key(base, e.slice) if base.origins else base
        if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
            inner = join([self.expr(x) for x in e.elts])
            return Val(inner.origins, False, inner.text)  # a container is not a formatted string
        if isinstance(e, ast.Dict):
            inner = join([self.expr(x) for x in [*e.values, *[k for k in e.keys if k is not None]]])
            return Val(inner.origins, False, inner.text)
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(e)
        if isinstance(e, ast.IfExp):
            self.expr(e.test)
            return self.expr(e.body) | self.expr(e.orelse)
        if isinstance(e, ast.BoolOp):
            return join([self.expr(x) for x in e.values])
        if isinstance(e, (ast.Compare, ast.Lambda)):
            for x in ast.iter_child_nodes(e):
                if isinstance(x, ast.expr) and not isinstance(e, ast.Lambda):
                    self.expr(x)
            return EMPTY
        if isinstance(e, ast.UnaryOp):
            v = self.expr(e.operand)
            return EMPTY if isinstance(e.op, ast.Not) else v
        if isinstance(e, (ast.Await, ast.Starred, ast.FormattedValue, ast.Yield, ast.YieldFrom)):
            return self.expr(e.value) if e.value is not None else EMPTY
        if isinstance(e, ast.NamedExpr):
            v = self.expr(e.value)
            self.bind(e.target, v)
            return v
        return EMPTY

    def name(self, ident: str) -> Val:
        if ident in self.env:
            return self.env[ident]
        if (ident in REQUEST_NAMES and ident not in self.info.aliases) or self.info.aliases.get(ident) in (
                "flask.request", "bottle.request", "starlette.requests.Request"):
            return source("request data")
        if ident in self.info.constants:
            return self.info.constants[ident]
        if ident in self.info.defined or ident in self.info.aliases or ident in BUILTINS:
            return EMPTY
        return unknown(f"'{ident}'")

    def attribute(self, e: ast.Attribute) -> Val:
        full = dotted(e)
        if full is not None:
            canon = canonical(full, self.info.aliases)
            if canon in ATTR_SOURCES:
                return ATTR_SOURCES[canon]
            if full in self.env:
                return self.env[full]
            if e.attr in REQUEST_NAMES and isinstance(e.value, ast.Name) and e.value.id in ("self", "cls"):
                return source("request data")
        base = self.expr(e.value)
        if any(o.kind == SOURCE and o.desc == "request data" for o in base.origins) \
                and e.attr in REQUEST_SAFE_ATTRS:
            return EMPTY
        if base.origins:
            return base
        inner = e.value
        while isinstance(inner, ast.Attribute):
            if inner.attr in REQUEST_SAFE_ATTRS and self.expr(inner.value).origins:
                return EMPTY  # request.registry.settings.x: inside server-side state the request carries
            inner = inner.value
        if isinstance(e.value, ast.Name) and e.value.id in ("self", "cls"):
            return unknown(f"'{full}'")
        return unknown(f"'{full}'") if full and full.split(".")[0] not in self.info.aliases else EMPTY

    def fstring(self, e: ast.JoinedStr) -> Val:
        text, built = "", False
        origins: set[Origin] = set()
        for part in e.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            elif isinstance(part, ast.FormattedValue):
                v = slot_sanitise(self.expr(part.value), text)
                origins |= v.origins
                built = built or bool(v.origins)
                text += "{}"
        return Val(frozenset(origins), built, text)

    def binop(self, e: ast.BinOp) -> Val:
        left = self.expr(e.left)
        if isinstance(e.op, ast.Mod) and reads_locals(e.right):
            return self.from_locals(left, PERCENT_NAME)
        if isinstance(e.op, ast.Mod) and (left.text or isinstance(e.left, ast.Constant)):
            pieces = e.right.elts if isinstance(e.right, ast.Tuple) else [e.right]
            slots = list(PERCENT_SLOT.finditer(left.text))
            prefixes = [left.text[:m.start()] for m in slots]
            out = Val(left.origins, left.built, left.text)
            if not prefixes and isinstance(e.left, ast.Constant):
                for p in pieces:
                    self.expr(p)
                return out  # no placeholder: nothing of the right side gets into the string
            for i, p in enumerate(pieces):
                v = slot_sanitise(self.expr(p), prefixes[i] if i < len(prefixes) else "")
                if i < len(slots) and slots[i].group(0)[-1] in "dixXoeEfFgG" and len(pieces) == len(slots):
                    v = v.sanitised(ALL | {SLOT})  # %d / %f: a number or a TypeError, never text
                out = Val(out.origins | v.origins, out.built or bool(v.origins), out.text)
            return out
        right = self.expr(e.right)
        if isinstance(e.op, ast.Add) and any(isinstance(x, (ast.List, ast.Tuple)) for x in (e.left, e.right)):
            return Val(left.origins | right.origins, False, "")  # list concatenation: an argument list
        if isinstance(e.op, ast.Add) and (left.text or right.text):
            right = slot_sanitise(right, left.text)
            return Val(left.origins | right.origins, left.built or right.built or bool(
                left.origins or right.origins), left.text + right.text)
        if isinstance(e.op, ast.Add):
            return left | right
        if isinstance(e.op, ast.Mod) and not (isinstance(e.left, ast.Constant) and not isinstance(
                e.left.value, str)):
            # template % values with a template we cannot see: a string built from both sides
            return Val(left.origins | right.origins, bool(left.origins or right.origins), left.text)
        return EMPTY  # arithmetic gives numbers

    def from_locals(self, template: Val, slot: Regex) -> Val:
        """'<b>%(name)s</b>' % locals(), '{name}'.format(**locals()): each named slot reads that local."""
        out = Val(template.origins, template.built, template.text)
        for m in slot.finditer(template.text):
            if m.group(0)[-1] in "dixXoeEfFgG" and slot is PERCENT_NAME:
                continue  # %(count)d: a number or a TypeError
            v = slot_sanitise(self.env.get(m.group(1), EMPTY), template.text[:m.start()])
            out = Val(out.origins | v.origins, out.built or bool(v.origins), out.text)
        return out

    def comprehension(self, e: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Val:
        saved = dict(self.env)
        for gen in e.generators:
            self.bind(gen.target, self.expr(gen.iter))
            for cond in gen.ifs:
                self.guard(cond)
        if isinstance(e, ast.DictComp):
            out = join([self.expr(e.key), self.expr(e.value)])
        else:
            out = self.expr(e.elt)
        self.env = saved
        return out

    def call(self, e: ast.Call) -> Val:
        name = call_name(e, self.info.aliases)
        if name in sinks.BARE_PROCESS and name not in self.info.defined and name not in self.env and (
                name != "Popen" or kwarg(e, "shell") is not None):
            name = sinks.BARE_PROCESS[name]  # a fragment without its imports, or `from os import *`
        method = e.func.attr if isinstance(e.func, ast.Attribute) else ""
        recv = self.expr(e.func.value) if isinstance(e.func, ast.Attribute) else EMPTY
        if not isinstance(e.func, (ast.Name, ast.Attribute)):
            self.expr(e.func)  # eval(code)(...), handlers[name](...): the callee's own calls are sinks too
        args = [self.expr(a) for a in e.args]
        kwargs = {k.arg: self.expr(k.value) for k in e.keywords if k.arg is not None}
        extra = [self.expr(k.value) for k in e.keywords if k.arg is None]
        if isinstance(e.func, (ast.Constant, ast.JoinedStr)):
            return EMPTY  # "... %s"(v): a literal called (a missing %) raises TypeError, it builds nothing
        first_elts = None
        if e.args and isinstance(e.args[0], (ast.List, ast.Tuple)):
            first_elts = [self.expr(x) for x in e.args[0].elts]
        receiver = (dotted(e.func.value) or "") if isinstance(e.func, ast.Attribute) else ""
        own = (isinstance(e.func, ast.Name) and e.func.id in self.info.defined) or (
            receiver in ("self", "cls") and method in self.info.methods)
        ci = CallInfo(e, name, method or last(name), receiver.lower(), args, kwargs, first_elts, own,
                            recv)
        for hit in [*sinks.check(ci), *sinks.template_links(e, ci.method, self.expr)]:
            self.record(hit, e)
        given = kwarg(e, "headers")
        if isinstance(given, ast.Dict):
            for k, hv in zip(given.keys, given.values, strict=True):
                if (const_str(k) or "").lower() == "location":
                    self.location_header(self.expr(hv), hv)
        if method in CONTAINER_ADDS and receiver and (args or kwargs) and not ci.own:
            # items.append(v): the container now holds v (keys of a dict update count too)
            held = self.env.get(receiver, EMPTY) | join([*args, *kwargs.values()])
            self.env[receiver] = Val(held.origins, False, held.text)  # a container, not a built string
        produced = call_source(name, e)
        if produced is not None:
            return produced
        if name in sinks.SHELL_CALLS or name in sinks.PROCESS_CALLS:
            return unknown("the output of a command")  # not the caller's text coming back
        summarised = self.apply_summary(self, e, name, args, kwargs)
        if summarised is not None:  # the file's own escape_html(), neutralise_cell(): trusted by name too
            named = escaper_cwes(last(name) if name else method)
            return summarised.sanitised(named) if named else summarised
        cwes = sanitiser_cwes(name, e)
        if cwes is not None and cwes == ALL:
            return EMPTY
        everything = join([recv, *args, *kwargs.values(), *extra])
        if method == "format" and isinstance(e.func, ast.Attribute) and (
                recv.text or isinstance(e.func.value, ast.Constant)):
            prefixes = [recv.text[:m.start()] for m in BRACE_SLOT.finditer(recv.text)]
            pieces = [*args, *kwargs.values()]
            out = Val(recv.origins, recv.built, recv.text)
            spread_locals = any(k.arg is None and reads_locals(k.value) for k in e.keywords)
            if extra and prefixes and not spread_locals:  # template.format(**values): any slot, any value
                pieces.extend(extra * len(prefixes))
            for i, p in enumerate(pieces):
                v = slot_sanitise(p, prefixes[i] if i < len(prefixes) else "")
                out = Val(out.origins | v.origins, out.built or bool(v.origins), out.text)
            everything = self.from_locals(out, BRACE_NAME) if spread_locals else out
        elif method == "join" and args:
            everything = Val(everything.origins, bool(args[0].origins) or everything.built, everything.text)
        elif method in ("get", "getlist", "pop", "getvalue") and recv.origins:
            everything = request_key(recv, e.args[0] if e.args else None) | join(args[1:])
        if cwes is not None:
            return everything.sanitised(cwes)
        if method not in ("join", "replace", "encode", "decode", "strip") and name != "str" and any(
                sinks.SQL_STATEMENT.search(a.text) for a in args):
            return Val(everything.origins, False, "")  # a query helper returns rows, not its statement
        if not everything.origins and name.split(".")[0] not in self.info.aliases:
            return unknown(f"the result of {name or method or 'a call'}()")
        return everything


