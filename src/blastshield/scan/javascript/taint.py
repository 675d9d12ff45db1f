"""Taint tracking over one file: expressions → abstract values, sinks → hits.

Each function is analysed once, with its parameters as (medium-confidence) sources; its
summary records which parameters reach its return value and which reach sinks, so a call
elsewhere in the file that passes request data upgrades those hits to high confidence.
Statements are handled by ``flow.Walker``; this module holds the expression side.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from blastshield.scan.finding import Confidence
from blastshield.scan.javascript import sinks, sources
from blastshield.scan.javascript.parse import (
    Node,
    dotted,
    literal_text,
    string_value,
    text,
    unwrap,
)
from blastshield.scan.javascript.values import (
    CONST,
    FUNC,
    NONE,
    PARAM,
    REQOBJ,
    REQUEST,
    UNKNOWN,
    UNKNOWN_VALUE,
    Taint,
    join_all,
    literal_shapes,
)

_CONFIDENCE = {REQUEST: Confidence.HIGH, PARAM: Confidence.MEDIUM}
_CONSTANT_GLOBALS = frozenset(
    {
        "undefined",
        "NaN",
        "Infinity",
        "__dirname",
        "__filename",
        "Math",
        "JSON",
        "Object",
        "Array",
        "String",
        "Number",
        "Date",
        "Promise",
        "console",
        "path",
        "fs",
        "os",
        "url",
        "util",
        "crypto",
        "child_process",
        "http",
        "https",
        "Buffer",
    }
)


@dataclass(slots=True)
class Hit:
    kind: str
    what: str
    node: Node
    confidence: Confidence
    origin: str
    via_line: int = 0


@dataclass(slots=True)
class Summary:
    returns: Taint = NONE
    param_sinks: list[tuple[sinks.Sink, Node, frozenset[int]]] = field(default_factory=list)


class Expressions(abc.ABC):
    """Evaluates expressions in an environment; the statement walker subclasses it."""

    def __init__(self, bindings: dict[str, str], hits: list[Hit]) -> None:
        self.bindings = bindings
        self.hits = hits
        self.env: dict[str, Taint] = {}
        self.derived: dict[str, set[str]] = {}
        self.param_sinks: list[tuple[sinks.Sink, Node, frozenset[int]]] = []

    # hooks the walker provides
    @abc.abstractmethod
    def function_value(self, node: Node, callback_arg: Taint | None) -> Taint:
        """Provided by the statement walker."""

    @abc.abstractmethod
    def summary_for(self, name: str) -> Summary | None:
        """Provided by the statement walker."""

    @abc.abstractmethod
    def call_value(self, node: Node) -> Taint:
        """Provided by the statement walker."""

    @abc.abstractmethod
    def new_value(self, node: Node) -> Taint:
        """Provided by the statement walker."""

    # ---- expressions -------------------------------------------------------------------
    def expr(self, node: Node | None) -> Taint:
        node = unwrap(node)
        if node is None:
            return NONE
        kind = node.type
        if kind == "identifier":
            return self._identifier(node)
        if kind in ("this", "super"):
            return Taint(UNKNOWN, origin=kind)
        if kind in ("string", "number", "true", "false", "null", "undefined", "regex"):
            return (
                Taint(shapes=literal_shapes(string_value(node) or "", string_value(node)))
                if kind == "string"
                else NONE
            )
        if kind == "template_string":
            parts = [
                self.expr(c.named_children[0] if c.named_children else None)
                for c in node.named_children
                if c.type == "template_substitution"
            ]
            return self._built_string(node, parts)
        if kind == "binary_expression":
            return self._binary(node)
        if kind in ("unary_expression", "update_expression"):
            for child in node.named_children:
                self.expr(child)
            return NONE
        if kind == "ternary_expression":
            self.expr(node.child_by_field_name("condition"))
            return self.expr(node.child_by_field_name("consequence")).join(
                self.expr(node.child_by_field_name("alternative"))
            )
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            return self._assignment(node)
        if kind == "member_expression":
            return self._member(node)
        if kind == "subscript_expression":
            self.expr(node.child_by_field_name("index"))
            return self.expr(node.child_by_field_name("object")).plain()
        if kind == "call_expression":
            return self.call_value(node)
        if kind == "new_expression":
            return self.new_value(node)
        if kind in ("await_expression", "yield_expression", "spread_element", "jsx_expression"):
            return join_all([self.expr(c) for c in node.named_children])
        if kind == "object":
            return self._object(node)
        if kind == "array":
            return join_all([self.expr(c) for c in node.named_children]).plain()
        if kind in ("arrow_function", "function_expression", "function", "generator_function"):
            return self.function_value(node, None)
        if kind in ("jsx_element", "jsx_self_closing_element", "jsx_fragment", "jsx_opening_element"):
            self._jsx(node)
            return NONE
        if kind == "sequence_expression":
            values = [self.expr(c) for c in node.named_children]
            return values[-1] if values else NONE
        if kind == "class":
            self.visit_children(node)
            return NONE
        for child in node.named_children:
            self.expr(child)
        return UNKNOWN_VALUE

    def visit_children(self, node: Node) -> None:
        for child in node.named_children:
            self.expr(child)

    def _identifier(self, node: Node) -> Taint:
        name = text(node)
        if name in self.env:
            return self.env[name]
        found = sources.global_source(name)
        if found is not None:
            return found
        if name in self.bindings or name in _CONSTANT_GLOBALS or _config_constant(name):
            return NONE
        return Taint(UNKNOWN, origin=name)

    def _built_string(self, node: Node, parts: list[Taint]) -> Taint:
        literal, prefix = literal_text(node)
        value = join_all(parts)
        shapes = literal_shapes(literal, prefix)
        return (
            Taint(
                value.level,
                value.params,
                value.safe | {"nosql"},  # a string cannot carry a query operator
                (value.shapes - {REQOBJ, FUNC}) | shapes,
                value.origin,
            )
            if value.level or value.params or shapes
            else NONE
        )

    def _binary(self, node: Node) -> Taint:
        op = text(node.child_by_field_name("operator"))
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        if op == "+":
            return self._built_string(node, [left, right])
        if op in ("&&", "||", "??"):
            return left.join(right)
        return NONE

    def _member(self, node: Node) -> Taint:
        name = dotted(node)
        found = sources.global_source(name) if name else None
        if found is not None:
            return found
        obj = self.expr(node.child_by_field_name("object"))
        prop = text(node.child_by_field_name("property"))
        if prop == "length":
            return NONE
        if REQOBJ in obj.shapes:
            return sources.member_of_request(obj, prop, name or prop)
        return obj.plain()

    def _assignment(self, node: Node) -> Taint:
        left = unwrap(node.child_by_field_name("left"))
        value = self.expr(node.child_by_field_name("right"))
        if node.type == "augmented_assignment_expression" and left is not None:
            value = value.join(self.expr(left))
        if left is None:
            return value
        if left.type == "member_expression":
            sink = sinks.assignment_sink(dotted(left) or text(left.child_by_field_name("property")))
            if sink is not None:
                self.check(sink, value, node)
        self.assign(left, value, node.child_by_field_name("right"))
        return value

    def assign(self, target: Node | None, value: Taint, source: Node | None) -> None:
        """Bind a pattern (identifier, destructuring) or update an object's taint."""
        target = unwrap(target)
        if target is None:
            return
        kind = target.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            name = text(target)
            self.env[name] = value
            self.derived[name] = _identifiers(source) if source is not None else set()
        elif kind in ("object_pattern", "array_pattern"):
            for child in target.named_children:
                if child.type == "pair_pattern":
                    self.assign(child.child_by_field_name("value"), self._element(value, child), None)
                elif child.type in ("assignment_pattern", "object_assignment_pattern"):
                    self.assign(
                        child.child_by_field_name("left"),
                        self._element(value, child).join(self.expr(child.child_by_field_name("right"))),
                        None,
                    )
                elif child.type == "rest_pattern":
                    self.assign(
                        child.named_children[0] if child.named_children else None, value.plain(), None
                    )
                else:
                    self.assign(child, self._element(value, child), None)
        elif kind in ("assignment_pattern", "object_assignment_pattern"):
            self.assign(
                target.child_by_field_name("left"),
                value.join(self.expr(target.child_by_field_name("right"))),
                None,
            )
        elif kind in ("member_expression", "subscript_expression"):
            if kind == "subscript_expression":
                self._computed_path(target)
            base: Node | None = target
            while base is not None and base.type in ("member_expression", "subscript_expression"):
                base = unwrap(base.child_by_field_name("object"))
            if base is not None and base.type == "identifier" and value.level > CONST:
                name = text(base)
                self.env[name] = self.env.get(name, NONE).join(value.plain())

    def _computed_path(self, target: Node) -> None:
        """``obj[a][b] = v`` with both keys from the caller: ``a = '__proto__'`` pollutes every object."""
        outer = self.expr(target.child_by_field_name("index"))
        inner_node = unwrap(target.child_by_field_name("object"))
        if inner_node is None or inner_node.type != "subscript_expression":
            return
        inner = self.expr(inner_node.child_by_field_name("index"))
        level = min(outer.level_for("proto"), inner.level_for("proto"))
        if level >= PARAM:
            key = inner if inner.level <= outer.level else outer
            self.check(sinks.Sink("proto", "a computed property path obj[a][b]", ()), key, target)

    def _element(self, value: Taint, pattern: Node) -> Taint:
        if REQOBJ in value.shapes:
            key = pattern.child_by_field_name("key") if pattern.type == "pair_pattern" else pattern
            return sources.member_of_request(value, text(key), text(key))
        return value.plain()

    def _object(self, node: Node) -> Taint:
        values: list[Taint] = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                if key is not None and key.type == "computed_property_name":
                    self.expr(key)
                value_node = child.child_by_field_name("value")
                if text(key) in ("dangerouslySetInnerHTML", "'dangerouslySetInnerHTML'"):
                    self._inner_html(value_node, child)
                values.append(self.expr(value_node))
            elif child.type == "shorthand_property_identifier":
                values.append(self._identifier(child))
            elif child.type in ("spread_element", "method_definition"):
                values.append(self.expr(child) if child.type == "spread_element" else NONE)
                if child.type == "method_definition":
                    self.function_value(child, None)
        return join_all(values).plain()

    def _jsx(self, node: Node) -> None:
        for child in node.named_children:
            if child.type == "jsx_attribute":
                parts = child.named_children
                if parts and text(parts[0]) == "dangerouslySetInnerHTML" and len(parts) > 1:
                    value = parts[1].named_children[0] if parts[1].named_children else None
                    self._inner_html(value, child)
                    continue
                for part in parts[1:]:
                    self.expr(part)
            elif child.type in (
                "jsx_opening_element",
                "jsx_element",
                "jsx_self_closing_element",
                "jsx_expression",
            ):
                self._jsx(child) if child.type != "jsx_expression" else self.expr(child)

    def _inner_html(self, value_node: Node | None, where: Node) -> None:
        value_node = unwrap(value_node)
        html: Taint = self.expr(value_node)
        if value_node is not None and value_node.type == "object":
            for pair in value_node.named_children:
                if pair.type == "pair" and text(pair.child_by_field_name("key")) == "__html":
                    html = self.expr(pair.child_by_field_name("value"))
        self.check(sinks.Sink(sinks.XSS, "dangerouslySetInnerHTML", (), Confidence.MEDIUM), html, where)

    # ---- calls ---------------------------------------------------------------------------
    def check(self, sink: sinks.Sink, value: Taint, node: Node) -> None:
        """Record a hit when ``value`` reaching ``sink`` is a problem."""
        if FUNC in value.shapes and value.level == CONST:
            return
        if sink.needs_sql_shape and "sql" not in value.shapes:
            return
        if sink.kind == sinks.SSRF and "fixed_host" in value.shapes:
            return
        level = value.level_for(sink.kind)
        params = value.params_for(sink.kind)
        if params:
            self.param_sinks.append((sink, node, params))
        confidence = _CONFIDENCE.get(level) or (sink.unknown if level == UNKNOWN else None)
        if sink.kind == "nosql" and level < REQUEST:
            confidence = None  # only JSON/query-string data can smuggle in an operator object
        if confidence is not None:
            self.hits.append(Hit(sink.kind, sink.what, node, confidence, value.origin))


def _config_constant(name: str) -> bool:
    """``UPLOAD_DIR``, ``DEPS_FOLDER``: an ALL_CAPS name is configuration, not input."""
    return len(name) > 1 and name.isupper() and any(c.isalpha() for c in name)


def _identifiers(node: Node) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            names.add(text(current))
        elif current.type not in ("arrow_function", "function_expression"):
            stack.extend(current.named_children)
    return names
