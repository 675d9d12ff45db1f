"""File permissions: modes that open a file or directory to other users."""

from __future__ import annotations

from collections.abc import Callable

from blastshield.scan.finding import Confidence, RuleSpec
from blastshield.scan.javascript.naming import SECRET_WORDS, has_word
from blastshield.scan.javascript.parse import Node, string_value, text, unwrap
from blastshield.scan.rules import js_misc

Emit = Callable[[RuleSpec, Node, str, Confidence | None], None]

FS_MODULES = frozenset({"fs", "node:fs", "fs/promises", "node:fs/promises", "fs-extra", "fse", "graceful-fs"})


def _mode_value(node: Node | None) -> int | None:
    """0o644, 0644, 420 or '644' → the permission bits."""
    node = unwrap(node)
    if node is None:
        return None
    raw = string_value(node) if node.type == "string" else text(node) if node.type == "number" else None
    if raw is None:
        return None
    raw = raw.replace("_", "")
    try:
        if node.type == "string" or (raw.startswith("0") and raw[1:2].isdigit()):
            return int(raw, 8)
        return int(raw, 0)
    except ValueError:
        return None


def _enclosing_function_names(node: Node) -> list[str]:
    names: list[str] = []
    current = node.parent
    while current is not None:
        if current.type in ("function_declaration", "method_definition"):
            names.append(text(current.child_by_field_name("name")))
        elif (
            current.type in ("arrow_function", "function_expression")
            and current.parent is not None
            and current.parent.type == "variable_declarator"
        ):
            names.append(text(current.parent.child_by_field_name("name")))
        current = current.parent
    return names


class FileModeChecks:
    def __init__(self, emit: Emit) -> None:
        self.emit = emit

    def call(self, node: Node, qname: str, args: list[Node]) -> None:
        """chmod/mkdir/open/writeFile with a mode that opens the file to other users."""
        method = qname.rsplit(".", 1)[-1].removesuffix("Sync")
        position = {
            "chmod": 1,
            "lchmod": 1,
            "fchmod": 1,
            "open": 2,
            "mkdir": 1,
            "writeFile": 2,
            "appendFile": 2,
            "copyFile": -1,
        }.get(method)
        if position is None or position < 0 or len(args) <= position:
            return
        mode_node = unwrap(args[position])
        if mode_node is not None and mode_node.type == "object":
            mode_node = next(
                (
                    p.child_by_field_name("value")
                    for p in mode_node.named_children
                    if p.type == "pair" and text(p.child_by_field_name("key")) == "mode"
                ),
                None,
            )
        mode = _mode_value(mode_node)
        if mode is None:
            return
        target = text(args[0]).lower()
        secret = any(
            w in target
            for w in (
                "secret",
                "key",
                "token",
                "passw",
                "private",
                "credential",
                ".pem",
                ".env",
                "id_rsa",
                "cert",
            )
        )
        secret = secret or any(has_word(n, SECRET_WORDS) for n in _enclosing_function_names(node))
        if mode & 0o002:
            self.emit(
                js_misc.PERMISSIVE_MODE,
                node,
                f"mode {oct(mode)} lets every user on the machine write this path",
                Confidence.HIGH,
            )
        elif secret and mode & 0o077:
            self.emit(
                js_misc.PERMISSIVE_MODE,
                node,
                f"mode {oct(mode)} lets other users or the group read a secret; use 0o600",
                None,
            )
