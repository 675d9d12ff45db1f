"""Dotted names of call targets, with the file's import aliases resolved.

``import subprocess as sp; sp.run(...)`` and ``from os import system; system(...)`` both
give the canonical name (``subprocess.run``, ``os.system``) that the rule tables use.
"""

from __future__ import annotations

import ast
import builtins
from collections import defaultdict

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from typing import TypeVar

    N = TypeVar("N", bound=ast.AST)

BUILTINS = frozenset(dir(builtins))


class FileIndex:
    """Every node of a file grouped by type, and its imports: one walk shared by all rules."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.by_type: dict[type, list[ast.AST]] = defaultdict(list)
        stack: list[ast.AST] = [tree]  # an explicit stack: faster than ast.walk, same nodes
        while stack:
            node = stack.pop()
            self.by_type[type(node)].append(node)
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    stack.extend(v for v in value if isinstance(v, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append(value)
        self.aliases = collect_imports(self)
        self.star = [n.module for n in self.nodes(ast.ImportFrom)
                     if n.module and any(a.name == "*" for a in n.names)]

    def nodes(self, kind: type[N]) -> list[N]:
        return self.by_type.get(kind, [])  # type: ignore[return-value]

    def functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        out: list[ast.FunctionDef | ast.AsyncFunctionDef] = [*self.nodes(ast.FunctionDef)]
        out.extend(self.nodes(ast.AsyncFunctionDef))
        return sorted(out, key=lambda n: n.lineno)


def collect_imports(index: FileIndex) -> dict[str, str]:
    """Local name -> canonical dotted name, for every import anywhere in the file."""
    aliases: dict[str, str] = {}
    for node in [*index.nodes(ast.Import), *index.nodes(ast.ImportFrom)]:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # tarfile.open(...).extractall -> "tarfile.open().extractall"
        inner = dotted(node.func)
        if inner is not None:
            parts.append(inner + "()")
            return ".".join(reversed(parts))
    return None


def canonical(name: str, aliases: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    real = aliases.get(head)
    if real is None:
        return name
    return f"{real}.{rest}" if rest else real


def call_name(call: ast.Call, aliases: dict[str, str]) -> str:
    """Canonical dotted name of what ``call`` calls ('' when it is not a plain chain)."""
    name = dotted(call.func)
    return canonical(name, aliases) if name else ""


def last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def arg(call: ast.Call, index: int, name: str | None = None) -> ast.expr | None:
    """Positional argument ``index`` or keyword ``name`` (starred arguments are not followed)."""
    if name is not None:
        kw = kwarg(call, name)
        if kw is not None:
            return kw
    if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0, None)


def const_str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def dict_option(index: FileIndex, node: ast.expr, key: str) -> ast.expr | bool | None:
    """What a dict spread as **node says about ``key``: its value expression, False when a dict we can see
    (a display, dict(...), a name bound to one, either side of ``opts or {}``) lacks it, None when unknown."""
    def from_display(value: ast.expr) -> ast.expr | bool | None:
        if isinstance(value, (ast.IfExp, ast.BoolOp)):
            parts = [value.body, value.orelse] if isinstance(value, ast.IfExp) else value.values
            found = [from_display(p) for p in parts]
            return next((f for f in found if isinstance(f, ast.expr)), False if False in found else None)
        if isinstance(value, ast.Dict):
            return next((v for k, v in zip(value.keys, value.values, strict=True)
                         if isinstance(k, ast.Constant) and k.value == key), False)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
            return kwarg(value, key) or False
        return None

    if not isinstance(node, ast.Name):
        return from_display(node)
    seen: list[ast.expr | bool | None] = []
    for assign in index.nodes(ast.Assign):
        for target in assign.targets:
            if isinstance(target, ast.Name) and target.id == node.id:
                seen.append(from_display(assign.value))
            elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                  and target.value.id == node.id and isinstance(target.slice, ast.Constant)
                  and target.slice.value == key):
                seen.append(assign.value)
    return next((f for f in seen if isinstance(f, ast.expr)), False if False in seen else None)
