"""What a condition proves about variables: allow-list, equality, anchored-regex and
containment checks.

``facts(cond)`` returns two lists of ``(variable, kinds)``: what holds when the condition is
true, and what holds when it is false. ``kinds`` are the sink kinds the variable is then
safe for (``{"all"}`` for an allow-list or equality check).
"""

from __future__ import annotations

from collections.abc import Callable

from blastshield.scan.javascript.parse import Node, call_args, dotted, string_value, text, unwrap
from blastshield.scan.javascript.sinks import PATH, REDIRECT, SSRF
from blastshield.scan.javascript.values import ALL

Fact = tuple[str, frozenset[str]]
Facts = tuple[list[Fact], list[Fact]]

_EVERYTHING = frozenset({ALL})
_HOST = frozenset({SSRF, REDIRECT})
_HOST_PROPS = frozenset({"hostname", "host", "origin"})
_VALIDATOR_PREFIXES = (
    "isValid",
    "isSafe",
    "isAllowed",
    "validate",
    "isWhitelisted",
    "isAllowlisted",
    "isPermitted",
    "isInteger",
    "isSafeInteger",
    "isFinite",
    "isUUID",
    "isAlphanumeric",
    "isNumeric",
    "isInt",
    "isEmail",
    "isMongoId",
    "isURL",
)


def facts(cond: Node | None, is_constant: Callable[[Node], bool]) -> Facts:
    """Facts from ``cond``; ``is_constant`` tells whether an expression is a constant (an allow-list)."""
    cond = unwrap(cond)
    if cond is None:
        return [], []
    if cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
        true_facts, false_facts = facts(cond.child_by_field_name("argument"), is_constant)
        return false_facts, true_facts
    if cond.type == "binary_expression":
        op = text(cond.child_by_field_name("operator"))
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if op == "&&":
            return facts(left, is_constant)[0] + facts(right, is_constant)[0], []
        if op == "||":
            return [], facts(left, is_constant)[1] + facts(right, is_constant)[1]
        if op in ("===", "==", "!==", "!="):
            proved = _equality(left, right, is_constant) + _equality(right, left, is_constant)
            proved += _index_of(left, right, op, is_constant) + _index_of(right, left, op, is_constant)
            return (proved, []) if op in ("===", "==") else ([], proved)
        if op in (">=", ">") and _is_index_of(left) and text(right) in ("0", "-1"):
            return _membership(unwrap(left), is_constant), []
        if op == "in":
            return _subject(left, _EVERYTHING), []
        return [], []
    if cond.type == "call_expression":
        return _call_facts(cond, is_constant), []
    return [], []


def _subject(node: Node | None, kinds: frozenset[str]) -> list[Fact]:
    """The variable a check is about: ``x`` or, for ``u.hostname``, ``u`` (host kinds only)."""
    node = unwrap(node)
    if node is None:
        return []
    if node.type == "identifier":
        return [(text(node), kinds)]
    if node.type == "member_expression":
        prop = text(node.child_by_field_name("property"))
        base = dotted(node.child_by_field_name("object"))
        if prop in _HOST_PROPS and base and "." not in base:
            return [(base, _HOST)]
        if base and "." not in base and prop not in ("length",):
            return [(base, kinds)] if kinds == _HOST else []
    return []


def _equality(subject: Node | None, other: Node | None, is_constant: Callable[[Node], bool]) -> list[Fact]:
    subject, other = unwrap(subject), unwrap(other)
    if subject is None or other is None:
        return []
    if subject.type == "unary_expression" and text(subject.child_by_field_name("operator")) == "typeof":
        if string_value(other) in ("number", "boolean"):
            return _subject(subject.child_by_field_name("argument"), _EVERYTHING)
        return []
    if text(other) in ("null", "undefined") or (other.type == "call_expression" and _is_index_of(other)):
        return []
    if subject.type == "member_expression":
        prop = text(subject.child_by_field_name("property"))
        return _subject(subject, _HOST) if prop in _HOST_PROPS else []
    return _subject(subject, _EVERYTHING) if is_constant(other) else []


def _is_index_of(node: Node | None) -> bool:
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return False
    fn = unwrap(node.child_by_field_name("function"))
    return (
        fn is not None
        and fn.type == "member_expression"
        and text(fn.child_by_field_name("property")) == "indexOf"
    )


def _index_of(
    call: Node | None, other: Node | None, op: str, is_constant: Callable[[Node], bool]
) -> list[Fact]:
    """``LIST.indexOf(x) !== -1`` proves membership; ``=== -1`` proves it when false."""
    if not _is_index_of(call) or text(unwrap(other)) not in ("-1",):
        return []
    return _membership(unwrap(call), is_constant)


def _membership(call: Node | None, is_constant: Callable[[Node], bool]) -> list[Fact]:
    if call is None:
        return []
    fn = unwrap(call.child_by_field_name("function"))
    args = call_args(call)
    if fn is None or fn.type != "member_expression" or not args:
        return []
    receiver = fn.child_by_field_name("object")
    if receiver is not None and is_constant(receiver):
        return _subject(args[0], _EVERYTHING)
    return []


def _call_facts(call: Node, is_constant: Callable[[Node], bool]) -> list[Fact]:
    fn = unwrap(call.child_by_field_name("function"))
    args = call_args(call)
    if fn is None:
        return []
    name = text(fn).rsplit(".", 1)[-1]
    if fn.type == "identifier" or name.startswith(("isValid", "isSafe", "isAllowed")):
        if name.startswith(_VALIDATOR_PREFIXES) and args:
            return _subject(args[0], _EVERYTHING)
        return []
    if fn.type != "member_expression":
        return []
    receiver = unwrap(fn.child_by_field_name("object"))
    if name.startswith(_VALIDATOR_PREFIXES) and args:
        return _subject(args[0], _EVERYTHING)
    if name in ("includes", "has", "hasOwnProperty", "some") and args:
        if receiver is not None and is_constant(receiver):
            return _subject(args[0], _EVERYTHING)
        return []
    if name == "test" and args and receiver is not None and _anchored(receiver, is_constant):
        return _subject(args[0], _EVERYTHING)
    if name == "match" and args and _anchored(unwrap(args[0]), is_constant):
        return _subject(receiver, _EVERYTHING)
    if name == "startsWith" and args and receiver is not None:
        kinds = frozenset({PATH})
        prefix = string_value(args[0])
        if prefix is not None and (
            (prefix.startswith(("http://", "https://")) and prefix.count("/") >= 3)
            or (prefix.startswith("/") and not prefix.startswith("//"))
        ):
            kinds = kinds | _HOST
        return _subject(receiver, kinds) if receiver.type == "identifier" else []
    if (
        name == "endsWith"
        and args
        and receiver is not None
        and receiver.type == "member_expression"
        and text(receiver.child_by_field_name("property")) in _HOST_PROPS
    ):
        return _subject(receiver, _HOST)
    return []


def _anchored(regex: Node | None, is_constant: Callable[[Node], bool]) -> bool:
    """A regular expression literal anchored at both ends (``/^[a-z0-9]+$/``)."""
    if regex is None:
        return False
    if regex.type == "regex":
        pattern = text(regex.child_by_field_name("pattern"))
        return pattern.startswith("^") and pattern.endswith("$") and ".*" not in pattern
    return regex.type == "identifier" and is_constant(regex)


def exits(node: Node | None) -> bool:
    """Whether a statement always leaves the enclosing block (return/throw/continue/break)."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("return_statement", "throw_statement", "continue_statement", "break_statement"):
        return True
    if node.type == "statement_block":
        body = [c for c in node.named_children if c.type != "comment"]
        return bool(body) and exits(body[-1])
    if node.type == "expression_statement":
        inner = node.named_children[0] if node.named_children else None
        return (
            inner is not None
            and inner.type == "call_expression"
            and text(inner.child_by_field_name("function")) in ("process.exit", "res.end", "next")
        )
    return False
