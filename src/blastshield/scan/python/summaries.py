"""Per-file function summaries and the driver that runs taint flow over a whole file.

A summary says, for one function of the file, which parameters reach its return value
and which reach a sink inside it. Summaries are computed twice over the file (so a helper
of a helper is followed) and then every function is analysed once more with its real
inputs: route parameters and request objects as sources, other parameters as unknown.
"""

from __future__ import annotations

import ast

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.python import sinks
from blastshield.scan.python.exprs import ExprFlow
from blastshield.scan.python.flow import FileInfo, FunctionFlow, Hit
from blastshield.scan.python.hits import SinkHit
from blastshield.scan.python.names import FileIndex
from blastshield.scan.python.sources import REQUEST_NAMES
from blastshield.scan.python.values import EMPTY, PARAM, SOURCE, Origin, Val, const, source
from blastshield.scan.registry import finding

ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route", "websocket",
                              "view_config", "expose", "head", "options"})
SUMMARY_ROUNDS = 2
# Parameters a framework passes to handlers and hooks that are not request data (Django middleware's
# process_response(request, response), exception hooks, view functions given to process_view).
FRAMEWORK_OBJECTS = frozenset({"response", "resp", "exception", "exc", "view_func", "view_args",
                               "view_kwargs", "spider", "context", "template", "get_response"})
Func = ast.FunctionDef | ast.AsyncFunctionDef


class Summary:
    __slots__ = ("offset", "params", "returned", "sinks")

    def __init__(self, params: list[str], offset: int, returned: Val = EMPTY) -> None:
        self.params = params
        self.offset = offset  # 1 for methods called as self.m(...)
        self.returned = returned
        self.sinks: list[tuple[int, frozenset[int], SinkHit, int, str]] = []


def _params(fn: Func) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]


def is_route(fn: Func) -> bool:
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            return True
        if isinstance(target, ast.Name) and target.id in ("route", "api_view", "require_http_methods",
                                                          "require_GET", "require_POST", "csrf_exempt"):
            return True
    params = _params(fn)
    rest = params[1:] if params and params[0] in ("self", "cls") else params
    return bool(rest) and rest[0] == "request"


class FileAnalysis:
    def __init__(self, index: FileIndex, path: str) -> None:
        self.tree, self.path = index.tree, path
        tree = index.tree
        aliases = index.aliases
        self.funcs: dict[str, Func] = {}  # by name (the last definition wins), for summaries
        self.all_funcs = index.functions()  # every definition, for the final pass
        for node in self.all_funcs:
            self.funcs[node.name] = node
        # Only functions the file calls by name (f(...), self.f(...)) need a summary.
        self.called = {c.func.id if isinstance(c.func, ast.Name) else c.func.attr
                       for c in index.nodes(ast.Call) if isinstance(c.func, ast.Name) or (
                           isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name)
                           and c.func.value.id in ("self", "cls"))}
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                 ast.ClassDef))}
        self.info = FileInfo(aliases, _module_constants(tree), defined, set(self.funcs))
        self.summaries: dict[str, Summary] = {}
        self.uses_own: set[str] = set()  # summarised functions that call the file's own functions
        self.in_progress = ""

    def run(self) -> list[Finding]:
        last_hits: dict[str, list[Hit]] = {}
        for round_ in range(SUMMARY_ROUNDS):
            fresh: dict[str, Summary] = {}
            for name, fn in self.funcs.items():
                if name not in self.called:
                    continue
                if round_ and name not in self.uses_own:
                    fresh[name] = self.summaries[name]  # calls none of the file's functions: unchanged
                    continue
                self.in_progress = name
                fresh[name], last_hits[name] = self.summarise(fn)
            self.summaries = fresh
        hits: list[Hit] = []
        for fn in self.all_funcs:
            route = is_route(fn)
            if not route and fn.name in last_hits and self.funcs.get(fn.name) is fn:
                hits.extend(last_hits[fn.name])  # the final pass would walk it with the same inputs
                continue
            env = {}
            for i, p in enumerate(_params(fn)):
                if p in REQUEST_NAMES or p == "request":
                    env[p] = source("request data")
                elif route and p not in ("self", "cls") and p not in FRAMEWORK_OBJECTS:
                    env[p] = source(f"route parameter '{p}'")
                elif p not in ("self", "cls"):
                    env[p] = Val(frozenset({Origin(PARAM, f"parameter '{p}'", i)}))
            flow = FunctionFlow(self.info, env, self.apply, route)
            flow.run(fn.body)
            hits.extend(flow.hits)
        top = FunctionFlow(self.info, {}, self.apply)
        top.run([s for s in self.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                    ast.ClassDef))])
        hits.extend(top.hits)
        return self.findings(hits)

    def summarise(self, fn: Func) -> tuple[Summary, list[Hit]]:
        params = _params(fn)
        offset = 1 if params and params[0] in ("self", "cls") else 0
        env: dict[str, Val] = {}
        for i, p in enumerate(params):
            if p in REQUEST_NAMES:
                env[p] = source("request data")
            elif i >= offset:
                env[p] = Val(frozenset({Origin(PARAM, f"parameter '{p}'", i)}))
        flow = FunctionFlow(self.info, env, self.apply)
        flow.run(fn.body)
        summary = Summary(params, offset, flow.returned)
        seen: set[tuple[int, str, int]] = set()
        for hit in flow.hits:
            for o in hit.sink.val.live_for(hit.sink.spec.cwe):
                key = (o.param, hit.sink.spec.id, hit.line)
                if o.kind == PARAM and key not in seen:
                    seen.add(key)
                    summary.sinks.append((o.param, o.safe_for, hit.sink, hit.line, hit.via))
        return summary, flow.hits

    def apply(self, flow: ExprFlow, call: ast.Call, name: str, args: list[Val],
              kwargs: dict[str, Val]) -> Val | None:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.funcs and func.id not in self.info.aliases:
            key, method = func.id, False
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("self", "cls") and func.attr in self.funcs:
            key, method = func.attr, True
        else:
            return None
        self.uses_own.add(self.in_progress)
        summary = self.summaries.get(key)
        if summary is None:
            return None
        shift = summary.offset if method else 0

        def arg_of(index: int) -> Val:
            pos = index - shift
            if 0 <= pos < len(args) and not any(isinstance(a, ast.Starred) for a in call.args[:pos + 1]):
                return args[pos]
            return kwargs.get(summary.params[index], EMPTY) if index < len(summary.params) else EMPTY

        for index, safe, hit, line, via in summary.sinks:
            a = arg_of(index).sanitised(safe)
            if a.origins:
                val = Val(a.origins, hit.val.built or a.built, hit.val.text)
                moved = SinkHit(hit.spec, val, hit.sink, hit.building, hit.external, hit.weak)
                where = via or f" inside {key}() called at line {call.lineno}"
                flow.record(moved, call, via=where, line=line)
        out: set[Origin] = set()
        built = summary.returned.built
        for o in summary.returned.origins:
            if o.kind == PARAM:
                a = arg_of(o.param)
                out |= a.sanitised(o.safe_for).origins
                built = built or a.built
            else:
                out.add(o)
        return Val(frozenset(out), built, summary.returned.text)

    def findings(self, hits: list[Hit]) -> list[Finding]:
        best: dict[tuple[str, int], Finding] = {}
        for hit in hits:
            graded = sinks.grade(hit.sink)
            if graded is None:
                fallback = sinks.slot_finding(hit.sink)
                if fallback is not None:
                    spec, _, text = fallback
                    message = f"{text}{hit.via} (line {hit.line}) — {_lead_lower(spec.title)}"
                    f = finding(spec, self.path, hit.line, message, end_line=hit.end_line)
                    best.setdefault((f.rule_id, f.line), f)
                continue
            conf, origin = graded
            f = finding(hit.sink.spec, self.path, hit.line, _message(hit, origin, conf),
                        end_line=hit.end_line, confidence=conf)
            key = (f.rule_id, f.line)
            if key not in best or best[key].confidence.rank < conf.rank:
                best[key] = f
        return list(best.values())


def _lead_lower(title: str) -> str:
    """A rule title continuing a sentence: 'Path traversal' -> 'path traversal', 'SQL ...' unchanged."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def _message(hit: Hit, origin: Origin, conf: Confidence) -> str:
    s = hit.sink
    what = _lead_lower(s.spec.title)
    where = f"{s.sink}{hit.via} (line {hit.line})"
    if origin.kind == SOURCE or conf is Confidence.HIGH:
        return f"{origin.desc} reaches {where} — {what}"
    if s.building and s.val.built and origin.kind != "external":
        return (f"a string built by formatting {origin.desc} into it reaches {where} — "
                f"{what} if that value can come from a user")
    return f"{origin.desc} reaches {where} — {what} if it can be influenced from outside"


def _module_constants(tree: ast.Module) -> dict[str, Val]:
    counts: dict[str, int] = {}
    values: dict[str, Val] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    counts[t.id] = counts.get(t.id, 0) + 1
                    v = node.value
                    if isinstance(v, ast.Constant):
                        values[t.id] = const(v.value) if isinstance(v.value, str) else EMPTY
                    elif isinstance(v, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and all(
                            isinstance(x, ast.Constant) for x in ast.walk(v) if isinstance(x, ast.expr)
                            and x is not v and not isinstance(x, (ast.List, ast.Tuple, ast.Set, ast.Dict))):
                        values[t.id] = EMPTY
    return {k: v for k, v in values.items() if counts.get(k) == 1}
