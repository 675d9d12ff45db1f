"""Python security analysis: taint tracking plus pattern rules over the standard ``ast``.

``analyze(path, source)`` is the only entry point the engine calls.
"""

from __future__ import annotations

from blastshield.errors import ScanError
from blastshield.scan.finding import Finding
from blastshield.scan.python.names import FileIndex
from blastshield.scan.python.parsing import parse
from blastshield.scan.python.patterns import pattern_findings
from blastshield.scan.python.summaries import FileAnalysis


def analyze(path: str, source: bytes) -> list[Finding]:
    """Every finding in one Python file, sorted by line; raises ScanError when it does not parse."""
    index = FileIndex(parse(path, source))
    try:
        found = FileAnalysis(index, path).run() + pattern_findings(index, path, source)
    except RecursionError:
        raise ScanError(f"{path}: too deeply nested to analyse (line 1)") from None
    return sorted(found, key=lambda f: (f.line, f.rule_id))
