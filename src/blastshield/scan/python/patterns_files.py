"""File-system misuse visible at one call: archive members extracted one by one without a path check,
permission modes written in decimal, and secrets left readable by other users.

(World-writable modes and ``extractall`` are in patterns.py; these need the enclosing function.)
"""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, dotted, kwarg, last
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

M = Confidence.MEDIUM
Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
MODE_CALLS = {"os.chmod": 1, "os.fchmod": 1, "os.lchmod": 1, "os.open": 2, "os.mkdir": 1, "os.makedirs": 1}
# Modes some code writes in decimal on purpose (420 == 0o644): not typos.
DECIMAL_MODES = frozenset({256, 288, 292, 320, 365, 384, 416, 420, 432, 436, 438, 448, 456, 488, 493, 504,
                           505, 509, 511})
SECRET_WORDS = lazy(r"secret|passw|credential|private|token|(^|[_./-])keys?($|[_./-])|\.pem$|\.key$|"
                          r"id_rsa|id_ed25519|shadow|\.env$|api_?key", re.I)
PATH_CHECKS = lazy(r"realpath|abspath|commonpath|commonprefix|is_relative_to|isabs|normpath|"
                         r"startswith|resolve|safe|valid|check", re.I)


def _scopes(index: FileIndex) -> list[tuple[Scope, list[ast.Call]]]:
    """Each function with the calls directly inside it (not in nested functions); the module last."""
    out: list[tuple[Scope, list[ast.Call]]] = []
    inside: set[int] = set()
    for fn in index.functions():
        calls: list[ast.Call] = []
        stack: list[ast.AST] = list(fn.body)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Call) and id(node) not in inside:
                calls.append(node)
                inside.add(id(node))
            stack.extend(ast.iter_child_nodes(node))
        out.append((fn, calls))
    out.append((index.tree, [c for c in index.nodes(ast.Call) if id(c) not in inside]))
    return out


def _words(node: ast.AST) -> list[str]:
    out: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n.id)
        elif isinstance(n, ast.Attribute):
            out.append(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 80:
            out.append(n.value)
    return out


def _checks_members(scope: Scope) -> bool:
    """The function looks at member names before extracting ('..' in name, isabs, realpath ...)."""
    for n in ast.walk(scope):
        if isinstance(n, ast.Constant) and n.value == "..":
            return True
        if isinstance(n, ast.Attribute) and PATH_CHECKS.search(n.attr):
            return True
        if isinstance(n, ast.Name) and PATH_CHECKS.search(n.id):
            return True
    return False


def _zip_names(index: FileIndex) -> set[str]:
    """Names bound to a zipfile.ZipFile (its extract() checks member names itself)."""
    out: set[str] = set()
    pairs: list[tuple[ast.expr, ast.expr | None]] = [(a.value, t) for a in index.nodes(ast.Assign)
                                                     for t in a.targets]
    pairs += [(w.context_expr, w.optional_vars) for w in index.nodes(ast.withitem)]
    for value, target in pairs:
        called = call_name(value, index.aliases).lower() if isinstance(value, ast.Call) else ""
        if target is not None and "zip" in called:
            out.add((dotted(target) or "").lower())
    return out


class FileChecks:
    def __init__(self, index: FileIndex, path: str) -> None:
        self.index, self.path = index, path
        self.tar = "tarfile" in index.aliases.values() or "tarfile" in index.aliases
        self.zips = _zip_names(index)
        self.out: list[Finding] = []

    def run(self) -> list[Finding]:
        for scope, calls in _scopes(self.index):
            context = scope.name if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else ""
            checked: bool | None = None
            for call in calls:
                name = call_name(call, self.index.aliases)
                attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
                method = last(name) if name else attr
                if name in MODE_CALLS:
                    self.mode(call, name, context)
                elif method == "extract" and self.tar and isinstance(call.func, ast.Attribute) and call.args:
                    receiver = (dotted(call.func.value) or "").lower()
                    if "zip" in receiver or receiver in self.zips or kwarg(call, "filter") is not None:
                        continue
                    if checked is None:
                        checked = _checks_members(scope)
                    if not checked:
                        text = (f"{dotted(call.func)}() extracts a member without checking its name: '../x' "
                                "or an absolute path writes outside the target folder")
                        self.out.append(finding(R.ARCHIVE_EXTRACT, self.path, call.lineno, text,
                                                confidence=M))
        return self.out

    def mode(self, call: ast.Call, name: str, context: str) -> None:
        index = MODE_CALLS[name]
        node = kwarg(call, "mode") or (call.args[index] if index < len(call.args) else None)
        if not isinstance(node, ast.Constant) or type(node.value) is not int:
            return
        mode = node.value
        digits = str(mode)
        if 100 <= mode <= 7777 and set(digits) <= set("01234567") and mode not in DECIMAL_MODES:
            self.out.append(finding(R.FILE_MODE, self.path, call.lineno, f"{name}() mode {digits} is decimal "
                                    f"(that is {oct(mode)}), not the octal 0o{digits} it looks like — the "
                                    "permissions are not the ones intended", confidence=M))
            return
        target = call.args[0] if call.args else None
        words = [context, *(_words(target) if target is not None else [])]
        if mode & 0o004 and name != "os.mkdir" and name != "os.makedirs" and any(
                SECRET_WORDS.search(w) for w in words if w):
            text = (f"{name}() with mode {oct(mode & 0o7777)} leaves a secret readable by every local user — "
                    "use 0o600")
            self.out.append(finding(R.FILE_MODE, self.path, call.lineno, text, confidence=M))


def file_findings(index: FileIndex, path: str) -> list[Finding]:
    if not any(call_name(c, index.aliases) in MODE_CALLS or (
            isinstance(c.func, ast.Attribute) and c.func.attr == "extract") for c in index.nodes(ast.Call)):
        return []
    return FileChecks(index, path).run()
