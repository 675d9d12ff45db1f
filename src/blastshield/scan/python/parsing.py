"""Parsing with tolerance for what agents and diffs produce: indented fragments and Python 2 idioms.

The repairs never add or remove lines before code that is kept, so every line number in a
finding is the line in the original text. A file that still does not parse is an error.
"""

from __future__ import annotations

import ast
import re

from blastshield.errors import ScanError
from blastshield.scan.lazyre import lazy

MAX_HEAD, MAX_TAIL = 12, 24  # lines blanked at the start / cut at the end of a fragment
MAX_ATTEMPTS = 120  # parses tried per repair pass at most: a broken file costs bounded time
MAX_REPAIR_LINES = 400  # larger files are taken as files, not fragments: no repair attempts
PY2_PRINT = lazy(r"^(\s*)print\s+(?![\s(=])(.+?)\s*$", re.M)
PY2_EXCEPT = lazy(r"^(\s*except\s+[\w.]+)\s*,\s*(\w+)\s*:", re.M)
PY2_RAISE = lazy(r"^(\s*raise\s+[\w.]+)\s*,\s*(.+)$", re.M)
# `exec code in namespace` / `exec code`: the Python 2 statement, as the call it became
PY2_EXEC = lazy(r"^(\s*)exec\s+(?![\s(=.,:])(.+?)(?:\s+in\s+(.+?))?\s*$", re.M)
PY2_OCTAL = lazy(r"(?<![\w.])0([0-7]+)(?![\w.])")


def _try(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _exec_call(m: re.Match[str]) -> str:
    namespace = f", {m.group(3)}" if m.group(3) else ""
    return f"{m.group(1)}exec({m.group(2)}{namespace})"


def _py2(text: str) -> str:
    text = PY2_PRINT.sub(lambda m: f"{m.group(1)}print({m.group(2).rstrip(',')})", text)
    text = PY2_EXCEPT.sub(r"\1 as \2:", text)
    text = PY2_RAISE.sub(r"\1(\2)", text)
    text = PY2_EXEC.sub(_exec_call, text)
    return PY2_OCTAL.sub(r"0o\1", text)


def parse(path: str, source: bytes) -> ast.Module:
    """The module, or ScanError('<path>: cannot parse as Python 3 (line N)')."""
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        first_error = exc.lineno or 1
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ScanError(f"{path}: cannot parse as Python 3 (line 1: {type(exc).__name__})") from None
    import textwrap  # only sources that do not parse as they are need the repairs

    text = source.decode("utf-8", errors="replace").replace("\r\n", "\n").expandtabs(8)
    if len(text.split("\n")) <= MAX_REPAIR_LINES and "\x00" not in text:
        for fix in (_py2, lambda t: t):
            budget = [MAX_ATTEMPTS]
            lines = fix(text).split("\n")
            # Blank head lines (a fragment that starts inside a call or docstring); blanks keep numbering.
            fallback: ast.Module | None = None
            for head in range(min(MAX_HEAD, len(lines) // 2) + 1):
                tree = _fragment(textwrap.dedent("\n".join([""] * head + lines[head:])).split("\n"), budget)
                if tree is not None and not _inside_out(tree, len(lines)):
                    return tree
                fallback = fallback or tree
            if fallback is not None:
                return fallback
    raise ScanError(f"{path}: cannot parse as Python 3 (line {first_error})")


def _inside_out(tree: ast.Module, total: int) -> bool:
    """A fragment that starts inside a docstring parses with its code as one big string: strings cover
    most lines, nothing else is there. Blanking more head lines (past the closing quotes) reads the code."""
    strings = [s for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
               and isinstance(s.value.value, str)]
    if not strings or len(strings) != len(tree.body):
        return False
    covered = sum((s.end_lineno or s.lineno) - s.lineno + 1 for s in strings)
    return covered * 2 > total


def _fragment(lines: list[str], budget: list[int]) -> ast.Module | None:
    """A piece cut out of a larger file: open the blocks it starts inside, cut an unfinished tail.

    The synthetic ``if True:`` openers are subtracted from every line number afterwards.
    """
    code = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not code:
        return None
    indent = [len(ln) - len(ln.lstrip()) for ln in code]
    first = indent[0]
    levels = sorted({i for i in indent if i < first} | ({0} if first else set()))
    openers = [" " * lv + "if True:" for lv in levels]
    for tail in range(min(MAX_TAIL, len(lines) // 2) + 1):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        kept = lines[:len(lines) - tail]
        tree = _try("\n".join(openers + kept))
        ends = [ln for ln in kept if ln.strip() and not ln.lstrip().startswith("#")][-1:]
        if tree is None and ends and ends[0].rstrip().endswith(":"):
            # cut off after a block opener (`except ValueError:`, `else:`): give it an empty body
            depth = len(ends[0]) - len(ends[0].lstrip())
            tree = _try("\n".join([*openers, *kept, " " * (depth + 4) + "pass"]))
        if tree is not None:
            if openers:
                ast.increment_lineno(tree, -len(openers))
                tree.body = [s for s in _unwrap(tree.body, len(openers))]
            return tree
    return None


def _unwrap(body: list[ast.stmt], depth: int) -> list[ast.stmt]:
    """Drop the synthetic openers so the tree holds only the fragment's own statements."""
    out: list[ast.stmt] = []
    for stmt in body:
        synthetic = isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Constant) \
            and stmt.test.value is True and stmt.lineno <= 0
        if depth and synthetic and isinstance(stmt, ast.If):
            inner = _unwrap(stmt.body, depth - 1)
            if stmt.orelse:
                # the `else:` of a block the fragment starts inside: a branch whose test we cannot see
                out.append(_branch(inner, stmt.orelse))
            else:
                out.extend(inner)
        else:
            out.append(stmt)
    return out


def _branch(body: list[ast.stmt], orelse: list[ast.stmt]) -> ast.If:
    """``if <unseen test>: body / else: orelse``, located on the fragment's own lines."""
    first, end = (body or orelse)[0], orelse[-1]
    test = ast.copy_location(ast.Name(id="__fragment_test__", ctx=ast.Load()), first)
    node = ast.copy_location(ast.If(test=test, body=body or [ast.Pass()], orelse=orelse), first)
    node.end_lineno = end.end_lineno
    return ast.fix_missing_locations(node)
