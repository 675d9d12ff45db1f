"""Taint flow inside one function: a single forward pass over its statements.

Branches are walked separately and merged by union; loop bodies are walked twice (enough
for values carried once around a loop, and linear in the size of the function). Calls to
the file's own functions use their summaries (see summaries.py).
"""

from __future__ import annotations

import ast

from blastshield.scan.python import sinks
from blastshield.scan.python.exprs import ExprFlow, FileInfo, Hit, SummaryHook
from blastshield.scan.python.hits import SinkHit
from blastshield.scan.python.sanitizers import always_exits, guard_cwes, test_polarity
from blastshield.scan.python.values import EMPTY, Val
from blastshield.scan.rules.python_taint import XSS

__all__ = ["FileInfo", "FunctionFlow", "Hit", "SummaryHook"]


class FunctionFlow(ExprFlow):
    """Walks one body; ``hits`` are the sinks reached, ``returned`` what it returns."""

    # ---- statements -------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            v = self.expr(s.value)
            for t in s.targets:
                self.bind(t, v, s.value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.bind(s.target, self.expr(s.value), s.value)
        elif isinstance(s, ast.AugAssign):
            old = self.expr(s.target) if isinstance(s.target, ast.Name) and s.target.id in self.env else EMPTY
            new = self.expr(s.value)
            built = isinstance(s.op, (ast.Add, ast.Mod)) and bool(new.origins)
            both = old | new
            self.bind(s.target, Val(both.origins, both.built or built, both.text), s.value)
        elif isinstance(s, ast.Expr):
            self.expr(s.value)
            if isinstance(s.value, ast.Call):
                self.guard_statement(s.value)
        elif isinstance(s, ast.Return):
            if s.value is not None:
                v = self.expr(s.value)
                self.returned = self.returned | v
                if self.route:
                    self.check_response(s.value, v, s)
                elif v.built and sinks.HTML_MARKUP.search(v.text):
                    # HTML assembled by formatting and handed back (template tags, widgets, page helpers)
                    self.record(SinkHit(XSS, v, "HTML returned by this function", building=True,
                                              external=None, weak=None), s)
        elif isinstance(s, ast.If):
            self.expr(s.test)
            self.if_stmt(s)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self.bind(s.target, self.expr(s.iter), s.iter)
            self.loop(s.body)
            self.run(s.orelse)
        elif isinstance(s, ast.While):
            self.guard(s.test)
            self.expr(s.test)
            self.loop(s.body)
            self.run(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                v = self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, v, item.context_expr)
            self.run(s.body)
        elif isinstance(s, ast.Try) or (hasattr(ast, "TryStar") and isinstance(s, ast.TryStar)):
            self.try_stmt(s)
        elif isinstance(s, ast.Assert):
            self.guard(s.test)
        elif isinstance(s, ast.Match):
            self.expr(s.subject)
            self.branches([c.body for c in s.cases])
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.env.pop(s.name, None)

    def if_stmt(self, s: ast.If) -> None:
        """A check guards the branch it leads into; after the if only when the other branch leaves."""
        marks = guard_cwes(s.test, self.info.aliases, self.hosts)
        positive = test_polarity(s.test)
        if not marks or positive is None:
            self.apply_marks(marks)  # cannot tell which branch the check protects: trust it for the rest
            self.branches([s.body, s.orelse])
            return
        start = dict(self.env)
        self.apply_marks(marks)
        checked = self.env
        outcomes: list[dict[str, Val]] = []
        pairs = ((s.body, checked if positive else start), (s.orelse, start if positive else checked))
        for body, env in pairs:
            self.env = dict(env)
            self.run(body)
            if not always_exits(body):
                outcomes.append(self.env)
        merged: dict[str, Val] = {}
        for env in outcomes or [start]:
            for k, v in env.items():
                merged[k] = merged[k] | v if k in merged else v
        self.env = merged

    def try_stmt(self, s: ast.Try | ast.stmt) -> None:
        """A handler may start after any statement of the body: it sees the union of those states."""
        seen = dict(self.env)
        for st in getattr(s, "body", []):
            self.stmt(st)
            for k, v in self.env.items():
                seen[k] = seen[k] | v if k in seen else v
        self.run(getattr(s, "orelse", []))
        outcomes = [self.env]
        for h in getattr(s, "handlers", []):
            self.env = dict(seen)
            if h.name:
                self.env[h.name] = EMPTY
            self.run(h.body)
            outcomes.append(self.env)
        merged: dict[str, Val] = {}
        for env in outcomes:
            for k, v in env.items():
                merged[k] = merged[k] | v if k in merged else v
        self.env = merged
        self.run(getattr(s, "finalbody", []))

    def loop(self, body: list[ast.stmt]) -> None:
        """Twice around the outermost loop (values carried once around it), once inside: linear."""
        self.loop_depth += 1
        for _ in range(2 if self.loop_depth == 1 else 1):
            self.branches([body, []])
        self.loop_depth -= 1

    def branches(self, bodies: list[list[ast.stmt]]) -> None:
        start = dict(self.env)
        merged: dict[str, Val] = {}
        for body in bodies:
            self.env = dict(start)
            self.run(body)
            for k, v in self.env.items():
                merged[k] = merged[k] | v if k in merged else v
        self.env = merged

    def check_response(self, node: ast.expr, v: Val, s: ast.stmt) -> None:
        """A route handler's return value is the HTML response body (Flask, Bottle)."""
        if isinstance(node, ast.Name) and node.id in self.containers:
            return  # a list or dict: serialised as JSON, not written as HTML
        if isinstance(node, (ast.Name, ast.JoinedStr, ast.BinOp, ast.Subscript, ast.Attribute)) or (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("format", "join", "get", "replace", "strip")):
            self.record(SinkHit(XSS, v, "the HTML response", external=None, weak=None), s)

