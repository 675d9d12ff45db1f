"""Pattern rules that need no data flow: one walk over the tree, each node type to its checks."""

from __future__ import annotations

import re

from blastshield.scan.finding import Confidence, Finding, RuleSpec
from blastshield.scan.javascript.credentials import hard_coded_credential
from blastshield.scan.javascript.crypto_checks import CryptoChecks
from blastshield.scan.javascript.file_modes import FS_MODULES, FileModeChecks
from blastshield.scan.javascript.naming import STRONG_SECRET_WORDS, has_word
from blastshield.scan.javascript.parse import (
    Node,
    NodeIndex,
    call_args,
    dotted,
    line,
    qualified_name,
    string_value,
    text,
    unwrap,
)
from blastshield.scan.javascript.pollution import MERGE_FUNCTIONS, PollutionChecks
from blastshield.scan.javascript.redos import nested_quantifier
from blastshield.scan.registry import finding
from blastshield.scan.rules import js_crypto, js_misc

_BUFFER_IO = re.compile(r"^(read|write)(U?Int(8|16|32)|Float|Double|BigU?Int64|U?IntLE|U?IntBE)(LE|BE)?$")
_LOCAL_HOSTS = re.compile(
    r"^(https?|wss?)://(localhost|127\.|0\.0\.0\.0|\[::1\]|[^/]*\.local\b|"
    r"[^/]*example\.(com|org|net)|[^/]*\.test\b|[^/]*\.invalid\b)"
)
_PATTERN_TYPES = (
    "call_expression",
    "new_expression",
    "binary_expression",
    "pair",
    "variable_declarator",
    "assignment_expression",
    "public_field_definition",
    "field_definition",
    "for_in_statement",
    "regex",
)


def pattern_findings(path: str, nodes: NodeIndex, bindings: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    constants = _constants(nodes)
    crypto = CryptoChecks(path, bindings, constants, out)
    checks = _MiscChecks(path, bindings, out)
    for kind in _PATTERN_TYPES:
        for node in nodes.of(kind):
            if kind == "call_expression":
                qname = qualified_name(node.child_by_field_name("function"), bindings)
                crypto.call(node, qname)
                checks.call(node, qname)
            elif kind == "new_expression":
                qname = qualified_name(node.child_by_field_name("constructor"), bindings)
                crypto.new(node, qname)
                checks.new(node, qname)
            elif kind == "binary_expression":
                checks.comparison(node)
            elif kind == "pair":
                checks.pair(node)
            elif kind in (
                "variable_declarator",
                "assignment_expression",
                "public_field_definition",
                "field_definition",
            ):
                checks.binding(node)
            elif kind in ("for_in_statement",):
                checks.pollution.merge_loop(node)
            elif kind == "regex":
                checks.regex(node, text(node.child_by_field_name("pattern")))
    return out


def _constants(nodes: NodeIndex) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node in nodes.of("variable_declarator"):
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and name.type == "identifier" and value is not None:
            found[text(name)] = value
    return found


class _MiscChecks:
    def __init__(self, path: str, bindings: dict[str, str], out: list[Finding]) -> None:
        self.path, self.bindings, self.out = path, bindings, out
        self.pollution = PollutionChecks(self._emit)
        self.file_modes = FileModeChecks(self._emit)

    def call(self, node: Node, qname: str) -> None:
        method = qname.rsplit(".", 1)[-1]
        args = call_args(node)
        if method == "postMessage" and len(args) >= 2 and string_value(args[1]) == "*":
            self._emit(
                js_misc.POSTMESSAGE,
                node,
                "postMessage with target origin '*' hands the data to "
                "whatever page the window currently shows",
            )
        elif method == "addEventListener" and args and string_value(args[0]) == "message" and len(args) > 1:
            handler = unwrap(args[1])
            if (
                handler is not None
                and handler.type in ("arrow_function", "function_expression")
                and ".origin" not in text(handler)
                and "origin" not in text(handler)
            ):
                self._emit(
                    js_misc.POSTMESSAGE,
                    node,
                    "message listener acts on event.data without checking "
                    "event.origin: any page can send it messages",
                )
        elif qname in ("Buffer.allocUnsafe", "Buffer.allocUnsafeSlow"):
            self._emit(js_misc.ALLOC_UNSAFE, node, f"{qname} returns memory that still holds old data")
        elif (_BUFFER_IO.match(method) and args and text(args[-1]) == "true" and len(args) >= 2) or (
            _BUFFER_IO.match(method)
            and method.startswith("read")
            and len(args) == 1
            and text(args[0]) == "true"
        ):
            self._emit(
                js_misc.NO_ASSERT,
                node,
                f"{method}(..., true) turns off the offset check "
                "(noAssert): reads and writes past the buffer",
            )
        elif qname in (
            "fetch",
            "axios",
            "axios.get",
            "axios.post",
            "http.get",
            "http.request",
            "$.ajax",
            "$.get",
            "$.getJSON",
            "$.post",
            "jQuery.ajax",
            "got",
            "request",
        ) or (
            method == "open"
            and len(args) >= 2
            and "XMLHttpRequest" not in qname
            and string_value(args[0]) in ("GET", "POST")
        ):
            url = string_value(args[1] if method == "open" else args[0]) if args else None
            if url and url.startswith("http://") and not _LOCAL_HOSTS.match(url):
                self._emit(
                    js_misc.CLEARTEXT,
                    node,
                    "request goes over cleartext http://; anyone on the path can read or change it",
                )
        elif method in ("includes", "indexOf") and args:
            receiver = text(unwrap(node.child_by_field_name("function")).child_by_field_name("object"))  # type: ignore[union-attr]
            if receiver.endswith((".hostname", ".host", ".origin")) and string_value(args[0]) is None:
                self._emit(
                    js_misc.HOST_SUBSTRING,
                    node,
                    f"{receiver}.{method}(...) also accepts hosts like "
                    "evil-example.com or example.com.evil.net",
                )
        elif method == "endsWith" and args:
            receiver = text(unwrap(node.child_by_field_name("function")).child_by_field_name("object"))  # type: ignore[union-attr]
            arg = unwrap(args[0])
            literal = string_value(arg)
            starts_dot = (literal or "").startswith(".") or (
                arg is not None and arg.type == "template_string" and text(arg).startswith("`.")
            )
            if receiver.endswith((".hostname", ".host")) and not starts_dot:
                self._emit(
                    js_misc.HOST_SUBSTRING,
                    node,
                    f"{receiver}.endsWith(...) without a leading dot also accepts evilexample.com",
                )
        if qname.split(".")[0] in FS_MODULES:
            self.file_modes.call(node, qname, args)
        if (
            method in MERGE_FUNCTIONS
            and len(args) >= 2
            and (
                qname.split(".")[0]
                in (
                    "_",
                    "lodash",
                    "$",
                    "jQuery",
                    "deepmerge",
                    "merge",
                    "extend",
                    "Object",
                    "lodash.merge",
                    "angular",
                    "Hoek",
                    "hoek",
                )
            )
        ) or (
            qname
            in ("deepmerge", "merge", "extend", "deep-extend", "mixin-deep", "lodash.merge", "defaults-deep")
            and len(args) >= 2
        ):
            self.pollution.merge(node, qname, args)

    def new(self, node: Node, qname: str) -> None:
        args = call_args(node)
        if qname in ("RegExp", "window.RegExp") and args and string_value(args[0]) is not None:
            self.regex(node, string_value(args[0]) or "")
        if qname == "Buffer" and args:
            first = unwrap(args[0])
            if first is not None and first.type not in ("string", "array", "template_string"):
                self._emit(
                    js_misc.NEW_BUFFER,
                    node,
                    "new Buffer(x) with a non-literal argument: a number "
                    "allocates uninitialised memory of that size",
                )
            else:
                self._emit(js_misc.NEW_BUFFER, node, "new Buffer() is deprecated", Confidence.LOW)
        elif qname == "WebSocket" and args:
            url = string_value(args[0])
            if url and url.startswith("ws://") and not _LOCAL_HOSTS.match(url):
                self._emit(js_misc.CLEARTEXT, node, "WebSocket over cleartext ws://")

    def regex(self, node: Node, pattern: str) -> None:
        if nested_quantifier(pattern):
            self._emit(
                js_misc.REDOS,
                node,
                "nested unbounded quantifiers: an almost-matching input makes "
                "the regex engine backtrack for seconds to hours, blocking the event loop",
            )

    def comparison(self, node: Node) -> None:
        op = text(node.child_by_field_name("operator"))
        if op not in ("==", "===", "!=", "!=="):
            return
        left, right = unwrap(node.child_by_field_name("left")), unwrap(node.child_by_field_name("right"))
        if left is None or right is None or _trivial(left) or _trivial(right):
            return
        names = [_name_of(side) for side in (left, right)]
        if any(
            n.startswith(("location.", "window.location", "document.location"))
            or n.endswith((".length", ".type", ".kind", ".name"))
            for n in names
        ):
            return
        for name in names:
            last = name.rsplit(".", 1)[-1]
            if has_word(last, STRONG_SECRET_WORDS) or has_word(last, frozenset({"token", "hash", "nonce"})):
                self._emit(
                    js_crypto.TIMING,
                    node,
                    f"'{last}' compared with {op}: the time taken reveals how many leading characters match",
                )
                return

    def pair(self, node: Node) -> None:
        key = text(node.child_by_field_name("key")).strip("'\"")
        value = node.child_by_field_name("value")
        if key == "rejectUnauthorized" and text(value) in ("false", "0"):
            self._emit(
                js_crypto.TLS_OFF,
                node,
                "rejectUnauthorized: false accepts any certificate, so traffic can be intercepted",
            )
        elif key == "NODE_TLS_REJECT_UNAUTHORIZED" and string_value(value) == "0":
            self._emit(js_crypto.TLS_OFF, node, "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks")
        elif key in ("strictSSL", "verifySSL", "secure") and text(value) == "false" and key != "secure":
            self._emit(js_crypto.TLS_OFF, node, f"{key}: false accepts any certificate")
        else:
            self._credential(key, value, node)

    def binding(self, node: Node) -> None:
        target = (
            node.child_by_field_name("name")
            or node.child_by_field_name("left")
            or node.child_by_field_name("property")
        )
        value = node.child_by_field_name("value") or node.child_by_field_name("right")
        name = dotted(target) or text(target)
        if name.endswith("NODE_TLS_REJECT_UNAUTHORIZED") and string_value(value) in ("0", "false"):
            self._emit(
                js_crypto.TLS_OFF,
                node,
                "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for the whole process",
            )
            return
        self._credential(name.rsplit(".", 1)[-1], value, node)

    def _credential(self, name: str, value: Node | None, node: Node) -> None:
        found = hard_coded_credential(name, value)
        if found is not None:
            message, confidence = found
            self._emit(js_misc.HARDCODED_SECRET, node, message, confidence)

    def _emit(self, spec: RuleSpec, node: Node, message: str, confidence: Confidence | None = None) -> None:
        self.out.append(
            finding(spec, self.path, line(node), message, column=node.start_point[1], confidence=confidence)
        )


def _trivial(node: Node) -> bool:
    """Literals, null/undefined, typeof and numeric expressions: not a secret comparison."""
    if node.type in ("string", "number", "null", "undefined", "true", "false", "regex", "template_string"):
        return node.type != "template_string" or "${" not in text(node)
    if node.type == "identifier" and text(node) in ("undefined", "NaN"):
        return True
    if node.type == "unary_expression":
        return True
    return node.type == "member_expression" and text(node.child_by_field_name("property")) in (
        "length",
        "size",
        "type",
        "status",
        "statusCode",
    )


def _name_of(node: Node) -> str:
    name = dotted(node)
    if name:
        return name
    if node.type == "subscript_expression":
        return dotted(node.child_by_field_name("object"))
    return ""
