"""Parsing JavaScript/TypeScript with tree-sitter, and small helpers over its nodes.

Parsers are created lazily, once per process and grammar. ``module_bindings`` maps the
local names a file gives to imported modules (``const cp = require('child_process')``,
``import { exec } from 'child_process'``) to qualified names, so rules can tell
``child_process.exec`` from a regular expression's ``.exec``.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from blastshield.errors import ScanError

Node = tree_sitter.Node

_PARSERS: dict[str, tree_sitter.Parser] = {}

_GRAMMAR_BY_EXT = {
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}


def grammar_for(path: str) -> str:
    """The grammar name for a file name; unknown extensions fall back to JavaScript (JSX)."""
    dot = path.rfind(".")
    return _GRAMMAR_BY_EXT.get(path[dot:].lower() if dot >= 0 else "", "javascript")


def _parser(grammar: str) -> tree_sitter.Parser:
    parser = _PARSERS.get(grammar)
    if parser is None:
        if grammar == "javascript":
            import tree_sitter_javascript

            language = tree_sitter.Language(tree_sitter_javascript.language())
        else:
            import tree_sitter_typescript

            raw = (
                tree_sitter_typescript.language_tsx()
                if grammar == "tsx"
                else tree_sitter_typescript.language_typescript()
            )
            language = tree_sitter.Language(raw)
        parser = tree_sitter.Parser(language)
        _PARSERS[grammar] = parser
    return parser


# Snippets often start inside an object literal, a class body or a function (an edit, a
# fragment pasted from a larger file). Prefixes on the first line keep line numbers intact.
_FRAGMENT_PREFIXES = (b"({", b"class _ {", b"function _() {", b"({ _() {")


def parse(path: str, source: bytes) -> tree_sitter.Tree:
    """Parse ``source``; raise ScanError only when nothing useful could be parsed.

    A file with syntax errors is also parsed as a TSX file (for .ts) and as a fragment inside
    an object, class or function; the parse with the fewest errors wins.
    """
    grammar = grammar_for(path)
    tree = _parser(grammar).parse(source)
    root = tree.root_node
    if root.has_error and source.strip():
        errors = _error_count(root)
        grammars = (grammar, "tsx") if grammar == "typescript" else (grammar,)
        for name in grammars:
            for prefix in (b"", *_FRAGMENT_PREFIXES):
                if not prefix and name == grammar:
                    continue
                text_ = prefix + source
                other = _parser(name).parse(text_ + _closers(text_))
                count = _error_count(other.root_node)
                if count < errors:
                    tree, root, errors = other, other.root_node, count
                if errors == 0:
                    break
        useful = any(node.type in _USEFUL for node in walk(root))
        if not useful:
            raise ScanError(
                f"{path}: cannot parse as {grammar}",
                hint="check the file is JavaScript/TypeScript with a matching extension",
            )
    return tree


_USEFUL = frozenset(
    {
        "call_expression",
        "new_expression",
        "assignment_expression",
        "variable_declarator",
        "function_declaration",
        "jsx_attribute",
        "member_expression",
        "binary_expression",
        "pair",
    }
)


_PAIRS = {ord("{"): b"}", ord("("): b")", ord("["): b"]"}
_CLOSE = frozenset(b"})]")


def _closers(data: bytes) -> bytes:
    """The brackets that would close what ``data`` leaves open (strings and comments skipped)."""
    stack: list[int] = []
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c in (0x22, 0x27, 0x60):  # " ' `
            i += 1
            while i < n and data[i] != c:
                if data[i] == 0x5C:  # backslash escape
                    i += 1
                elif data[i] == 0x0A and c != 0x60:  # only template literals span lines
                    break
                i += 1
        elif c == 0x2F and i + 1 < n and data[i + 1] == 0x2F:  # //
            while i < n and data[i] != 0x0A:
                i += 1
        elif c == 0x2F and i + 1 < n and data[i + 1] == 0x2A:  # /*
            end = data.find(b"*/", i + 2)
            i = n if end < 0 else end + 1
        elif c in _PAIRS:
            stack.append(c)
        elif c in _CLOSE and stack:
            stack.pop()
        i += 1
    return b"\n" + b"".join(_PAIRS[c] for c in reversed(stack)) if stack else b""


def _error_count(root: Node) -> int:
    """How badly a parse failed: bytes inside outermost ERROR nodes, plus missing tokens.

    Only subtrees that contain an error are visited.
    """
    weight = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            weight += max(1, node.end_byte - node.start_byte)
        elif node.is_missing:
            weight += 1
        else:
            stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return weight


def walk(root: Node) -> Iterator[Node]:
    """Every node under ``root`` (pre-order), iteratively."""
    cursor = root.walk()
    visited_children = False
    while True:
        if not visited_children:
            node = cursor.node
            if node is not None:
                yield node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def line(node: Node) -> int:
    return node.start_point[0] + 1


def end_line(node: Node) -> int:
    return node.end_point[0] + 1


def unwrap(node: Node | None) -> Node | None:
    """Strip parentheses and TypeScript-only wrappers (``x as T``, ``x!``, ``<T>x``)."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
    ):
        inner = [c for c in node.named_children if not c.type.endswith("type") and c.type != "type_arguments"]
        node = inner[0] if inner else None
    return node


def string_value(node: Node | None) -> str | None:
    """The value of a string literal (or a template with no substitutions), else None."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) if c.type == "string_fragment" else _escape(c) for c in node.named_children)
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(text(c) for c in node.named_children)
    return None


def literal_text(raw: Node | None) -> tuple[str, str | None]:
    """The literal parts of a built string, and its constant prefix (None if it has none)."""
    node = unwrap(raw)
    if node is None:
        return "", None
    value = string_value(node)
    if value is not None:
        return value, value
    if node.type == "template_string":
        literal, prefix, in_prefix = [], [], True
        for child in node.named_children:
            if child.type == "template_substitution":
                in_prefix = False
            else:
                literal.append(text(child))
                if in_prefix:
                    prefix.append(text(child))
        return " ".join(literal), "".join(prefix) if prefix else None
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        left_lit, left_prefix = literal_text(node.child_by_field_name("left"))
        right_lit, _ = literal_text(node.child_by_field_name("right"))
        return f"{left_lit} {right_lit}", left_prefix
    return "", None


def _escape(node: Node) -> str:
    raw = text(node)
    return {"\\n": "\n", "\\t": "\t", "\\'": "'", '\\"': '"', "\\\\": "\\"}.get(raw, raw)


def call_args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    if args.type == "template_string":  # tagged template: tag`...`
        return [args]
    return [c for c in args.named_children if c.type != "comment"]


def dotted(node: Node | None) -> str:
    """``a.b.c`` for a member chain of identifiers, ``""`` for anything else."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type in ("identifier", "this", "property_identifier", "shorthand_property_identifier"):
        return text(node)
    if node.type == "member_expression":
        base = dotted(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return f"{base}.{text(prop)}" if base and prop is not None else ""
    if node.type == "call_expression":
        module = require_target(node)
        return module or ""
    return ""


def require_target(node: Node) -> str | None:
    """``'fs'`` for ``require('fs')``, else None."""
    if node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or text(fn) != "require":
        return None
    args = call_args(node)
    return string_value(args[0]) if len(args) == 1 else None


class NodeIndex:
    """Every node of a tree grouped by type, from one walk (the rules share it)."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.by_type: dict[str, list[Node]] = {}
        for node in walk(root):
            self.by_type.setdefault(node.type, []).append(node)

    def of(self, *types: str) -> list[Node]:
        """Nodes of the given types, in document order."""
        found = [node for kind in types for node in self.by_type.get(kind, ())]
        if len(types) > 1:
            found.sort(key=lambda node: node.start_byte)
        return found


def module_bindings(nodes: NodeIndex) -> dict[str, str]:
    """Local name → qualified name for every module import in the file."""
    bindings: dict[str, str] = {}
    for node in nodes.of("variable_declarator", "import_statement"):
        if node.type == "variable_declarator":
            value = unwrap(node.child_by_field_name("value"))
            while value is not None and value.type == "await_expression":
                value = unwrap(value.named_children[0] if value.named_children else None)
            if value is None:
                continue
            qualified = ""
            if value.type == "call_expression" and require_target(value):
                qualified = require_target(value) or ""
            elif value.type == "member_expression":
                qualified = _qualify(dotted(value), bindings)
                if "." not in qualified or qualified.split(".")[0] not in bindings.values():
                    qualified = ""
            elif value.type == "call_expression":  # require('x').verbose()
                fn = unwrap(value.child_by_field_name("function"))
                if fn is not None and fn.type == "member_expression":
                    inner = fn.child_by_field_name("object")
                    if inner is not None and require_target(inner):
                        qualified = require_target(inner) or ""
            if qualified:
                _bind_pattern(node.child_by_field_name("name"), qualified, bindings)
        elif node.type == "import_statement":
            source = string_value(node.child_by_field_name("source"))
            if source is None:
                continue
            for clause in node.named_children:
                if clause.type == "import_clause":
                    _bind_import_clause(clause, source, bindings)
    return bindings


def _qualify(name: str, bindings: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    if head in bindings:
        return bindings[head] + ("." + rest if rest else "")
    return name


def _bind_pattern(pattern: Node | None, qualified: str, bindings: dict[str, str]) -> None:
    if pattern is None:
        return
    if pattern.type == "identifier":
        bindings[text(pattern)] = qualified
    elif pattern.type == "object_pattern":
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                bindings[text(child)] = f"{qualified}.{text(child)}"
            elif child.type == "pair_pattern":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    bindings[text(value)] = f"{qualified}.{text(key)}"


def _bind_import_clause(clause: Node, source: str, bindings: dict[str, str]) -> None:
    for part in clause.named_children:
        if part.type == "identifier":  # default import
            bindings[text(part)] = source
        elif part.type == "namespace_import":
            for ident in part.named_children:
                if ident.type == "identifier":
                    bindings[text(ident)] = source
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias")
                bindings[text(alias or name)] = f"{source}.{text(name)}"


def qualified_name(node: Node | None, bindings: dict[str, str]) -> str:
    """The callee's name with module aliases resolved: ``cp.exec`` → ``child_process.exec``."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "member_expression":
        obj = unwrap(node.child_by_field_name("object"))
        prop = text(node.child_by_field_name("property"))
        if obj is not None and obj.type == "call_expression" and require_target(obj):
            return f"{require_target(obj)}.{prop}"
        if obj is not None and obj.type == "call_expression":
            base = qualified_name(obj.child_by_field_name("function"), bindings)
            return f"{base}().{prop}" if base else f"().{prop}"
        base = qualified_name(obj, bindings) if obj is not None else ""
        return f"{base}.{prop}" if base else f"?.{prop}"
    name = dotted(node)
    return _qualify(name, bindings) if name else ""
