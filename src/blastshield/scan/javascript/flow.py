"""Statements and functions: walks a file in order, applying guards and function summaries."""

from __future__ import annotations

import re

from blastshield.scan.javascript import guards, sources
from blastshield.scan.javascript.calls import Calls
from blastshield.scan.javascript.parse import Node, NodeIndex, dotted, text, unwrap
from blastshield.scan.javascript.taint import Hit, Summary
from blastshield.scan.javascript.values import CONST, FUNC, NONE, PARAM, REQOBJ, REQUEST, UNKNOWN, Taint

_FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "function",
        "generator_function",
    }
)
_LOOPS = frozenset({"for_statement", "while_statement", "do_statement"})
_RESPONSE_PARAMS = frozenset(
    {"res", "response", "reply", "resp", "next", "h", "done", "cb", "callback", "rep"}
)
_ROUTER_NAME = re.compile(r"(?i)(app|router|server|fastify|api|routes?|hono|koa|instance)$")
_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "all", "use", "route", "head", "options"}
)


class Walker(Calls):
    """Walks statements; function bodies are analysed once each, with summaries."""

    def __init__(self, nodes: NodeIndex, bindings: dict[str, str], hits: list[Hit]) -> None:
        super().__init__(bindings, hits)
        self.functions: dict[str, Node] = _named_functions(nodes)
        self.summaries: dict[int, Summary] = {}
        self.in_progress: set[int] = set()
        self.returns: Taint = NONE

    def run(self, root: Node) -> None:
        self.stmt(root)
        for node in self.functions.values():  # functions never reached by the walk (e.g. unused)
            self._analyse(node, None, self.env)

    # ---- statements ----------------------------------------------------------------------
    def stmt(self, node: Node | None) -> None:
        if node is None:
            return
        kind = node.type
        if kind in (
            "program",
            "statement_block",
            "else_clause",
            "finally_clause",
            "class_body",
            "switch_body",
            "switch_case",
            "switch_default",
            "labeled_statement",
            "export_statement",
            "class_declaration",
            "abstract_class_declaration",
            "module",
            "internal_module",
        ):
            for child in node.named_children:
                if child.type not in ("identifier", "type_identifier", "comment", "decorator"):
                    self.stmt(child)
        elif kind in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    value_node = declarator.child_by_field_name("value")
                    self.assign(declarator.child_by_field_name("name"), self.expr(value_node), value_node)
        elif kind == "expression_statement":
            for child in node.named_children:
                self.expr(child)
        elif kind == "if_statement":
            self._if(node)
        elif kind == "return_statement":
            for child in node.named_children:
                self.returns = self.returns.join(self.expr(child))
        elif kind in _FUNCTION_TYPES:
            self._analyse(node, None, self.env)
        elif kind == "for_in_statement":
            self._for_in(node)
        elif kind in _LOOPS:
            for _ in range(2):
                for child in node.named_children:
                    self.stmt(child) if child.type.endswith(("statement", "block")) else self.expr(child)
        elif kind == "try_statement":
            for child in node.named_children:
                if child.type == "catch_clause":
                    param = child.child_by_field_name("parameter")
                    if param is not None:
                        self.assign(param, Taint(UNKNOWN), None)
                    self.stmt(child.child_by_field_name("body"))
                else:
                    self.stmt(child)
        elif kind == "switch_statement":
            self.expr(node.child_by_field_name("value"))
            self.stmt(node.child_by_field_name("body"))
        elif kind in (
            "comment",
            "empty_statement",
            "import_statement",
            "debugger_statement",
            "type_alias_declaration",
            "interface_declaration",
            "enum_declaration",
        ):
            return
        elif kind == "field_definition" or kind == "public_field_definition":
            value = node.child_by_field_name("value")
            if value is not None:
                self.expr(value)
        else:
            for child in node.named_children:
                if child.type.endswith(("statement", "declaration", "block", "clause")):
                    self.stmt(child)
                else:
                    self.expr(child)

    def _if(self, node: Node) -> None:
        condition = node.child_by_field_name("condition")
        self.expr(condition)
        true_facts, false_facts = guards.facts(condition, self._is_constant)
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        before = dict(self.env)
        self._apply(true_facts)
        self.stmt(consequence)
        after_true = self.env
        self.env = dict(before)
        self._apply(false_facts)
        if alternative is not None:
            self.stmt(alternative)
        if guards.exits(consequence):
            return  # only the false branch continues
        if alternative is not None and guards.exits(
            alternative.named_children[-1] if alternative.named_children else None
        ):
            self.env = after_true
            return
        for name, value in after_true.items():
            self.env[name] = self.env[name].join(value) if name in self.env else value

    def _apply(self, facts: list[guards.Fact]) -> None:
        for name, kinds in facts:
            targets = {name} | (self.derived.get(name, set()) if kinds != frozenset({"all"}) else set())
            for target in targets:
                if target in self.env:
                    self.env[target] = self.env[target].sanitised(kinds)

    def _is_constant(self, raw: Node) -> bool:
        node = unwrap(raw)
        if node is None:
            return False
        if node.type in ("array", "object", "string", "regex", "number", "template_string"):
            return self.expr(node).level == CONST and not self.expr(node).params
        if node.type in ("identifier", "member_expression"):
            name = dotted(node)
            root = name.split(".")[0]
            value = self.env.get(root)
            if value is None:
                return root.isupper() or root[:1].isupper() or name.startswith("this.")
            return value.level == CONST and not value.params
        if node.type == "call_expression":  # Object.keys(CONST), new Set(CONST)
            args = node.child_by_field_name("arguments")
            return (
                args is not None
                and all(self._is_constant(a) for a in args.named_children)
                and bool(args.named_children)
            )
        if node.type == "new_expression":
            args = node.child_by_field_name("arguments")
            return args is not None and all(self._is_constant(a) for a in args.named_children)
        return False

    def _for_in(self, node: Node) -> None:
        right = node.child_by_field_name("right")
        iterable = self.expr(right).plain()
        left = node.child_by_field_name("left")
        body = node.child_by_field_name("body")
        for _ in range(2):
            self.assign(left, iterable, right)
            self.stmt(body)
        # a loop that checks every element against an allow-list and bails out otherwise
        loop_var = text(unwrap(left)) if unwrap(left) is not None else ""
        right = unwrap(right)
        if body is not None and right is not None and right.type == "identifier":
            for child in body.named_children:
                if child.type == "if_statement" and guards.exits(child.child_by_field_name("consequence")):
                    _, false_facts = guards.facts(child.child_by_field_name("condition"), self._is_constant)
                    if any(name == loop_var and "all" in kinds for name, kinds in false_facts):
                        self._apply([(text(right), frozenset({"all"}))])

    # ---- functions -----------------------------------------------------------------------
    def function_value(self, node: Node, callback_arg: Taint | None) -> Taint:
        summary = self._analyse(node, callback_arg, self.env)
        return (
            Taint(CONST, shapes=frozenset({FUNC}))
            if summary.returns.level < UNKNOWN
            else summary.returns.join(Taint(shapes=frozenset({FUNC})))
        )

    def summary_for(self, name: str) -> Summary | None:
        node = self.functions.get(name)
        if node is None:
            return None
        return self._analyse(node, None, self.env)

    def _analyse(self, node: Node, callback_arg: Taint | None, closure: dict[str, Taint]) -> Summary:
        key = node.id
        if key in self.summaries:
            return self.summaries[key]
        if key in self.in_progress:
            return Summary(Taint(UNKNOWN))
        self.in_progress.add(key)
        saved = (self.env, self.returns, self.param_sinks, self.derived)
        self.env, self.returns, self.param_sinks, self.derived = dict(closure), NONE, [], {}
        try:
            self._bind_parameters(node, callback_arg)
            body = node.child_by_field_name("body")
            if body is not None and body.type == "statement_block":
                self.stmt(body)
            elif body is not None:
                self.returns = self.expr(body)
            summary = Summary(self.returns, self.param_sinks)
        finally:
            self.env, self.returns, self.param_sinks, self.derived = saved
            self.in_progress.discard(key)
        self.summaries[key] = summary
        return summary

    def _bind_parameters(self, node: Node, callback_arg: Taint | None) -> None:
        params_node = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        if params_node is None:
            return
        params = (
            [params_node]
            if params_node.type == "identifier"
            else [p for p in params_node.named_children if p.type not in ("comment", "this")]
        )
        is_callback = _is_callback(node)
        is_route = _is_route_handler(node)
        names = [_param_name(p) for p in params]
        web = any(n in sources.REQUEST_NAMES for n in names) or is_route
        for index, (param, name) in enumerate(zip(params, names, strict=True)):
            pattern = (
                param.child_by_field_name("pattern")
                if param.type in ("required_parameter", "optional_parameter")
                else param
            )
            if name in sources.REQUEST_NAMES or (is_route and index == 0 and name):
                value = sources.request_object(name)
            elif web and index > 0 and name in _RESPONSE_PARAMS:
                value = NONE
            elif callback_arg is not None:
                value = callback_arg if index == 0 else Taint(UNKNOWN)
            elif is_callback:
                value = Taint(UNKNOWN, origin=name)
            else:
                value = sources.parameter(index, name or " ".join(text(pattern).split())[:40])
            if (
                pattern is not None
                and pattern.type == "object_pattern"
                and not is_callback
                and any(text(c) in sources.NEXT_URL_PARAMS for c in pattern.named_children)
            ):
                value = sources.request_object("searchParams")
            decorated = _framework_decorator(param)
            if decorated is not None:
                value = decorated
            self.assign(pattern, value, None)


def _framework_decorator(param: Node) -> Taint | None:
    """NestJS-style parameter decorators: ``@Body() dto``, ``@Query('q') q``, ``@Req() req``."""
    for child in param.children:
        if child.type != "decorator":
            continue
        inner = child.named_children[0] if child.named_children else None
        callee = (
            inner.child_by_field_name("function")
            if inner is not None and inner.type == "call_expression"
            else inner
        )
        name = text(callee).rsplit(".", 1)[-1]
        if name in ("Req", "Request"):
            return sources.request_object(f"@{name}()")
        if name in sources.NEST_DECORATORS:
            return Taint(REQUEST, origin=f"@{name}()")
    return None


def _param_name(param: Node) -> str:
    if param.type in ("required_parameter", "optional_parameter"):
        pattern = param.child_by_field_name("pattern")
        return text(pattern) if pattern is not None and pattern.type == "identifier" else ""
    if param.type == "assignment_pattern":
        left = param.child_by_field_name("left")
        return text(left) if left is not None and left.type == "identifier" else ""
    return text(param) if param.type == "identifier" else ""


def _is_callback(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "arguments"


def _is_route_handler(node: Node) -> bool:
    """A callback given to ``app.get(path, handler)``, ``router.post(...)``, ``fastify.route(...)``."""
    parent = node.parent
    call = parent.parent if parent is not None and parent.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return False
    fn = unwrap(call.child_by_field_name("function"))
    if fn is None or fn.type != "member_expression":
        return False
    method = text(fn.child_by_field_name("property"))
    receiver = text(fn.child_by_field_name("object")).rsplit(".", 1)[-1]
    args = parent.named_children if parent is not None else []
    return (
        method in _ROUTE_METHODS
        and _ROUTER_NAME.search(receiver) is not None
        and len(args) >= 2
        and args[0].type in ("string", "template_string")
        and text(args[0])[1:2] in ("/", "*", ":")
        and node != args[0]
    )


def _named_functions(nodes: NodeIndex) -> dict[str, Node]:
    """Name → definition for functions a call in this file can name."""
    found: dict[str, Node] = {}
    for node in nodes.of(
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
        "variable_declarator",
        "pair",
        "assignment_expression",
    ):
        kind = node.type
        if kind in ("function_declaration", "generator_function_declaration", "method_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                found.setdefault(text(name), node)
        elif kind in ("variable_declarator", "pair", "assignment_expression"):
            value = unwrap(node.child_by_field_name("value") or node.child_by_field_name("right"))
            target = (
                node.child_by_field_name("name")
                or node.child_by_field_name("key")
                or node.child_by_field_name("left")
            )
            if (
                value is not None
                and value.type in ("arrow_function", "function_expression", "function")
                and target is not None
            ):
                found.setdefault(text(target).rsplit(".", 1)[-1], value)
    return found


__all__ = ["PARAM", "REQOBJ", "Walker"]
