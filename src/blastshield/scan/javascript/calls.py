"""Calls and constructors: sinks, sanitisers, request-object methods and same-file summaries."""

from __future__ import annotations

from blastshield.scan.finding import Confidence
from blastshield.scan.javascript import sanitisers, sinks, sources
from blastshield.scan.javascript.parse import (
    Node,
    call_args,
    dotted,
    line,
    qualified_name,
    string_value,
    text,
    unwrap,
)
from blastshield.scan.javascript.taint import Expressions, Hit, Summary
from blastshield.scan.javascript.values import (
    CONST,
    FUNC,
    NONE,
    REQOBJ,
    REQUEST,
    UNKNOWN,
    UNKNOWN_VALUE,
    Taint,
    join_all,
)

_ARRAY_CALLBACK_METHODS = frozenset(
    {"map", "forEach", "filter", "find", "some", "every", "flatMap", "reduce", "findIndex", "sort", "then"}
)
_NUMERIC_METHODS = frozenset(
    {
        "indexOf",
        "lastIndexOf",
        "findIndex",
        "charCodeAt",
        "codePointAt",
        "localeCompare",
        "includes",
        "startsWith",
        "endsWith",
        "test",
        "has",
        "some",
        "every",
        "isArray",
        "getTime",
        "valueOf",
        "hasOwnProperty",
    }
)
# Calls whose result is constant when their inputs are (path.join of literals, process.cwd()).
_PURE_ROOTS = frozenset(
    {
        "path",
        "node:path",
        "url",
        "util",
        "os",
        "node:os",
        "Math",
        "JSON",
        "String",
        "Number",
        "Object",
        "Array",
        "process",
    }
)
_TRUSTED_CALLS = frozenset({"process.cwd", "os.tmpdir", "os.homedir", "node:os.tmpdir", "os.hostname"})


class Calls(Expressions):
    """Evaluates calls; the statement walker builds on it."""

    def call_value(self, node: Node) -> Taint:
        fn = unwrap(node.child_by_field_name("function"))
        qname = qualified_name(fn, self.bindings)
        arg_nodes = call_args(node)
        method = qname.rsplit(".", 1)[-1]
        receiver = NONE
        if fn is not None and fn.type == "member_expression":
            receiver = self.expr(fn.child_by_field_name("object"))
        callback = unwrap(arg_nodes[0]) if arg_nodes else None
        if (
            method in _ARRAY_CALLBACK_METHODS
            and callback is not None
            and callback.type in ("arrow_function", "function_expression")
        ):
            element = receiver.plain()
            results = [self.function_value(callback, element)]
            results += [self.expr(a) for a in arg_nodes[1:]]
            return element.join(join_all(results)) if method not in ("forEach", "some", "every") else NONE
        args = [self.expr(a) for a in arg_nodes]
        if qname == "require" and arg_nodes and string_value(arg_nodes[0]) is not None:
            return NONE
        if fn is not None and fn.type not in ("member_expression", "identifier"):
            self.expr(fn)
        sink = sinks.call_sink(qname, node)
        root = self.env.get(qname.split(".")[0])
        if sink is not None and root is not None and REQOBJ in root.shapes:
            sink = None  # a request object named like an HTTP client library (request.get)
        if sink is not None:
            self._check_args(sink, args, arg_nodes, node)
            really = not sink.needs_sql_shape or any("sql" in a.shapes for a in args)
            if really and sink.kind in (sinks.PATH, sinks.CMD, sinks.SQL_KIND, sinks.SSRF):
                return UNKNOWN_VALUE  # what a file, a command, a database or a server returns
        if REQOBJ in receiver.shapes and method in sources.USER_METHODS:
            return Taint(REQUEST, origin=text(fn))
        kinds = sanitisers.sanitiser_kinds(qname)
        if kinds is None and method == "replace" and sanitisers.regex_escape_replace(arg_nodes):
            kinds = frozenset({sinks.REGEX})
        if kinds is not None:
            return join_all(args).join(receiver).plain().sanitised(kinds)
        if method in _NUMERIC_METHODS or qname in ("Array.isArray", "Object.is"):
            return NONE
        summary = (
            self.summary_for(method)
            if fn is not None
            and (fn.type == "identifier" or dotted(fn).startswith("this.") or qname == f"?.{method}")
            else None
        )
        if summary is not None:
            return self._apply_summary(summary, args, node)
        combined = receiver.plain().join(join_all([a for a in args if FUNC not in a.shapes]).plain())
        if qname in _TRUSTED_CALLS or (
            not combined.level
            and not combined.params
            and (
                qname.split(".")[0] in _PURE_ROOTS
                or (
                    fn is not None
                    and fn.type == "member_expression"
                    and _is_literal(fn.child_by_field_name("object"))
                )
            )
        ):
            return combined
        if qname.startswith(("crypto.", "?.digest", "uuid")) or method in ("digest", "randomUUID", "toFixed"):
            return NONE if combined.level < REQUEST else combined
        return combined.at_least(UNKNOWN) if combined.level or combined.params else UNKNOWN_VALUE

    def new_value(self, node: Node) -> Taint:
        ctor = node.child_by_field_name("constructor")
        qname = qualified_name(ctor, self.bindings)
        arg_nodes = call_args(node)
        args = [self.expr(a) for a in arg_nodes]
        sink = sinks.new_sink(qname)
        if sink is not None:
            self._check_args(sink, args, arg_nodes, node)
        combined = join_all(args).plain()
        if qname in ("Date", "Set", "Map", "Error", "TypeError", "Promise"):
            return combined if qname in ("Set", "Map") else NONE
        return combined.at_least(UNKNOWN) if combined.level or combined.params else UNKNOWN_VALUE

    def _apply_summary(self, summary: Summary, args: list[Taint], call: Node) -> Taint:
        for sink, sink_node, params in summary.param_sinks:
            for index in params:
                if index < len(args) and args[index].level_for(sink.kind) == REQUEST:
                    self.hits.append(
                        Hit(
                            sink.kind,
                            sink.what,
                            sink_node,
                            Confidence.HIGH,
                            args[index].origin,
                            via_line=line(call),
                        )
                    )
                elif index < len(args) and args[index].params_for(sink.kind):
                    self.param_sinks.append((sink, sink_node, args[index].params_for(sink.kind)))
        ret = summary.returns
        result = NONE
        for index in ret.params:
            if index < len(args):
                result = result.join(args[index].plain())
        if ret.safe:
            result = result.sanitised(ret.safe)
        if ret.level > CONST and not ret.params:
            result = result.join(
                Taint(ret.level, safe=ret.safe, shapes=ret.shapes - {FUNC}, origin=ret.origin)
            )
        return result.join(Taint(shapes=ret.shapes - {FUNC})) if ret.shapes - {FUNC} else result

    def _check_args(self, sink: sinks.Sink, args: list[Taint], arg_nodes: list[Node], call: Node) -> None:
        indices = sink.args or tuple(range(len(args)))
        for index in indices:
            if 0 <= index < len(args):
                value = args[index]
                options = unwrap(arg_nodes[index])
                if sink.kind == sinks.SSRF and options is not None and options.type == "object":
                    value = self._url_option(options)
                self.check(sink, value, call)

    def _url_option(self, options: Node) -> Taint:
        parts = [
            self.expr(p.child_by_field_name("value"))
            for p in options.named_children
            if p.type == "pair"
            and text(p.child_by_field_name("key")) in ("url", "uri", "host", "hostname", "baseURL")
        ]
        return join_all(parts)


def _is_literal(node: Node | None) -> bool:
    node = unwrap(node)
    return node is not None and node.type in ("string", "template_string", "array", "number", "regex")
