"""Prototype pollution patterns: deep merges of request data, recursive merge helpers."""

from __future__ import annotations

import re
from collections.abc import Callable

from blastshield.scan.finding import Confidence, RuleSpec
from blastshield.scan.javascript.parse import Node, dotted, text
from blastshield.scan.rules import js_misc

Emit = Callable[[RuleSpec, Node, str, Confidence | None], None]

MERGE_FUNCTIONS = frozenset(
    {
        "merge",
        "mergeWith",
        "defaultsDeep",
        "set",
        "setWith",
        "zipObjectDeep",
        "extend",
        "deepmerge",
        "deepMerge",
        "assign",
    }
)


class PollutionChecks:
    def __init__(self, emit: Emit) -> None:
        self.emit = emit

    def merge(self, node: Node, qname: str, args: list[Node]) -> None:
        sources = [a for a in args[1:] if _request_data(a)]
        if not sources:
            return
        deep = (
            not qname.endswith(("Object.assign", ".assign", "$.extend", "jQuery.extend"))
            or text(args[0]) == "true"
        )
        self.emit(
            js_misc.PROTO_POLLUTION,
            node,
            f"{qname} copies keys from request data ({text(sources[0])[:40]}); a '__proto__' key "
            "changes Object.prototype"
            if deep
            else f"{qname} copies keys from request data ({text(sources[0])[:40]}) into an object",
            Confidence.HIGH if deep else Confidence.MEDIUM,
        )

    def merge_loop(self, node: Node) -> None:
        """``for (k in src) target[k] = ... merge(target[k], src[k])``: a recursive merge with no
        __proto__/constructor guard."""
        if text(node.child_by_field_name("operator")) != "in":
            return
        key = (
            text(node.child_by_field_name("left"))
            .replace("const ", "")
            .replace("let ", "")
            .replace("var ", "")
            .strip()
        )
        body = node.child_by_field_name("body")
        if body is None or not key:
            return
        body_text = text(body)
        if (
            "__proto__" in body_text
            or "constructor" in body_text
            or "prototype" in body_text
            or "hasOwnProperty" in body_text
            or "hasOwn(" in body_text
            or "Object.keys" in body_text
        ):
            return
        function = node.parent
        while function is not None and function.type not in (
            "function_declaration",
            "function_expression",
            "arrow_function",
            "method_definition",
        ):
            function = function.parent
        name_node = function.child_by_field_name("name") if function is not None else None
        if function is None:
            return
        name = text(name_node) if name_node is not None else ""
        if (
            function.type == "arrow_function"
            and function.parent is not None
            and function.parent.type == "variable_declarator"
        ):
            name = text(function.parent.child_by_field_name("name"))
        assigns_computed = re.search(rf"\w+\[{re.escape(key)}\]\s*=[^=]", body_text) is not None
        recursive = bool(name) and re.search(rf"\b{re.escape(name)}\s*\(", body_text) is not None
        if assigns_computed and recursive:
            self.emit(
                js_misc.PROTO_POLLUTION,
                node,
                f"recursive merge '{name}' copies every key, including '__proto__' and 'constructor'",
                None,
            )


def _request_data(node: Node) -> bool:
    name = dotted(node) or text(node)
    root, _, rest = name.partition(".")
    return (
        root in ("req", "request", "ctx")
        and rest.split(".")[0] in ("body", "query", "params", "cookies", "headers", "request")
    ) or name.startswith("JSON.parse(req")
