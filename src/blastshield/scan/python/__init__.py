"""Python security analysis: taint tracking plus pattern rules over the standard ``ast``.

``analyze(path, source)`` is the only entry point the engine calls.
"""

from __future__ import annotations

import ast

from blastshield.errors import ScanError
from blastshield.scan.finding import Finding
from blastshield.scan.python.patterns import pattern_findings
from blastshield.scan.python.summaries import FileAnalysis


def parse(path: str, source: bytes) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise ScanError(f"{path}: cannot parse as Python 3 (line {exc.lineno or 1})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ScanError(f"{path}: cannot parse as Python 3 (line 1: {type(exc).__name__})") from None


def analyze(path: str, source: bytes) -> list[Finding]:
    """Every finding in one Python file, sorted by line; raises ScanError when it does not parse."""
    tree = parse(path, source)
    try:
        found = FileAnalysis(tree, path).run() + pattern_findings(tree, path)
    except RecursionError:
        raise ScanError(f"{path}: too deeply nested to analyse (line 1)") from None
    return sorted(found, key=lambda f: (f.line, f.rule_id))
