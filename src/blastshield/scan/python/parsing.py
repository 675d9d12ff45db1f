"""Parsing with tolerance for what agents and diffs produce: indented fragments and Python 2 idioms.

The repairs never add or remove lines before code that is kept, so every line number in a
finding is the line in the original text. A file that still does not parse is an error.
"""

from __future__ import annotations

import ast
import re
import textwrap

from blastshield.errors import ScanError

MAX_HEAD, MAX_TAIL = 8, 24  # lines blanked at the start / cut at the end of a fragment: bounded work
MAX_REPAIR_LINES = 400  # larger files are taken as files, not fragments: no repair attempts
PY2_PRINT = re.compile(r"^(\s*)print\s+(?![\s(=])(.+?)\s*$", re.M)
PY2_EXCEPT = re.compile(r"^(\s*except\s+[\w.]+)\s*,\s*(\w+)\s*:", re.M)
PY2_RAISE = re.compile(r"^(\s*raise\s+[\w.]+)\s*,\s*(.+)$", re.M)
PY2_OCTAL = re.compile(r"(?<![\w.])0([0-7]+)(?![\w.])")


def _try(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _py2(text: str) -> str:
    text = PY2_PRINT.sub(lambda m: f"{m.group(1)}print({m.group(2).rstrip(',')})", text)
    text = PY2_EXCEPT.sub(r"\1 as \2:", text)
    text = PY2_RAISE.sub(r"\1(\2)", text)
    return PY2_OCTAL.sub(r"0o\1", text)


def parse(path: str, source: bytes) -> ast.Module:
    """The module, or ScanError('<path>: cannot parse as Python 3 (line N)')."""
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        first_error = exc.lineno or 1
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ScanError(f"{path}: cannot parse as Python 3 (line 1: {type(exc).__name__})") from None
    text = source.decode("utf-8", errors="replace").replace("\r\n", "\n").expandtabs(8)
    lines = text.split("\n")
    if len(lines) <= MAX_REPAIR_LINES:
        for fix in (lambda t: t, _py2):
            fixed = fix(text).split("\n")
            # A fragment cut out of a larger file: blank a few head lines (so line numbers stay),
            # dedent, and cut an unfinished tail.
            for head in range(min(MAX_HEAD, len(fixed) // 2) + 1):
                body = textwrap.dedent("\n".join([""] * head + fixed[head:])).split("\n")
                for tail in range(min(MAX_TAIL, len(body) // 2) + 1):
                    tree = _try("\n".join(body[:len(body) - tail]))
                    if tree is not None:
                        return tree
    raise ScanError(f"{path}: cannot parse as Python 3 (line {first_error})")
