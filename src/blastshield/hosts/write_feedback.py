"""Write-time gate: scan what the agent just wrote and phrase findings for it to fix."""

from __future__ import annotations

import os

from blastshield.hosts.base import Feedback
from blastshield.policy.model import Policy
from blastshield.scan.finding import Finding

MAX_LISTED = 20


def scan_for_feedback(policy: Policy, paths: tuple[str, ...]) -> tuple[Feedback | None, tuple[Finding, ...]]:
    from blastshield.scan.engine import ScanOptions, scan_file
    from blastshield.scan.finding import Confidence, Severity

    severity = Severity(policy.scan.feedback_severity)
    options = ScanOptions(min_severity=severity, min_confidence=Confidence(policy.scan.min_confidence))
    lines: list[str] = []
    found: list[Finding] = []
    for path in paths:
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            continue
        with open(real, "rb") as handle:
            source = handle.read()
        result = scan_file(real, source, options)
        shown = os.path.relpath(real, policy.workspace) if real.startswith(policy.workspace) else real
        found.extend(result.findings)
        for finding in result.findings:
            if len(lines) >= MAX_LISTED:
                break
            lines.append(f"- {shown}:{finding.line} {finding.rule_id} (CWE-{finding.cwe}, "
                         f"{finding.severity}): {finding.message}. Fix: {finding.fix}")
    if not lines:
        return None, tuple(found)
    head = (f"blastshield found {len(lines)} security issue(s) in the code you just wrote. "
            "Fix them before going on:")
    return Feedback((head, *lines)), tuple(found)
