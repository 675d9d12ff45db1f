"""Scan results for people: one block per finding, then errors and a one-line summary."""

from __future__ import annotations

from collections import Counter

from blastshield.scan.finding import Severity
from blastshield.scan.options import ScanResult

_COLORS = {Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m",
           Severity.LOW: "\033[36m"}
_DIM, _RESET = "\033[2m", "\033[0m"


def render_text(result: ScanResult, *, fail_on: Severity, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    for f in result.findings:
        where = f"{f.path}:{f.line}" + (f"-{f.end_line}" if f.end_line > f.line else "")
        label = paint(f.severity.value.upper(), _COLORS[f.severity])
        lines.append(f"{where}: {label} {f.rule_id} (CWE-{f.cwe}, {f.confidence.value} confidence)")
        lines.append(f"    {f.message}")
        lines.append(paint(f"    fix: {f.fix}", _DIM))
    if result.errors:
        if lines:
            lines.append("")
        lines.append(f"{len(result.errors)} error(s):")
        for e in result.errors:  # analyzers often start their message with the path already
            named = bool(e.path) and e.error.startswith(f"{e.path}:")
            lines.append(f"  {e.error}" if named else f"  {e.path or 'scan'}: {e.error}")
    counts = Counter(f.severity for f in result.findings)
    by_severity = ", ".join(f"{counts[s]} {s.value}" for s in reversed(Severity) if counts[s])
    failing = len(result.failing(fail_on))
    summary = [f"{len(result.findings)} finding(s)" + (f" ({by_severity})" if by_severity else ""),
               f"{result.files} file(s) scanned"]
    for count, word in ((result.suppressed, "suppressed"), (result.baselined, "baselined"),
                        (len(result.skipped), "skipped"),
                        (result.below_threshold, "below the thresholds")):
        if count:
            summary.append(f"{count} {word}")
    verdict = f"{failing} at or above {fail_on.value}" if failing else f"none at or above {fail_on.value}"
    if lines:
        lines.append("")
    lines.append("; ".join(summary) + f"; {verdict}")
    return "\n".join(lines) + "\n"
