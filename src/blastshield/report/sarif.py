"""Scan results as SARIF 2.1.0, the subset GitHub code scanning reads.

One SARIF rule (reportingDescriptor) per rule id that has results, with short and full
descriptions, help text, ``helpUri`` to the rule's docs page and GitHub's
``properties.security-severity`` / ``tags`` (``security``, ``external/cwe/cwe-N``).
Results carry a relative ``physicalLocation`` (uriBaseId %SRCROOT%) and the finding's
fingerprint in ``partialFingerprints``. No source snippets: a snippet could hold a secret.
"""

from __future__ import annotations

import json

from blastshield import __version__
from blastshield.report import rule_docs_url
from blastshield.scan.finding import Confidence, Finding, RuleSpec, Severity
from blastshield.scan.options import ScanResult

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy honours this name
if TYPE_CHECKING:
    from typing import Any

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (0.1-3.9).
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0"}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note"}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def _rule_descriptor(rule_id: str, spec: RuleSpec | None, sample: Finding) -> dict[str, Any]:
    title = spec.title if spec else sample.message
    fix = spec.fix if spec else sample.fix
    severity = spec.severity if spec else sample.severity
    confidence = spec.confidence if spec else sample.confidence
    cwe = spec.cwe if spec else sample.cwe
    return {
        "id": rule_id,
        "name": rule_id.replace("-", ""),
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title} (CWE-{cwe}). Fix: {fix}"},
        "help": {"text": f"{title}\n\nFix: {fix}\n\nDetails: {rule_docs_url(rule_id)}",
                 "markdown": f"**{title}** (CWE-{cwe})\n\nFix: {fix}\n\n[Rule documentation]"
                             f"({rule_docs_url(rule_id)})"},
        "helpUri": rule_docs_url(rule_id),
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": ["security", f"external/cwe/cwe-{cwe}"],
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": PRECISION[confidence],
            "problem.severity": "error" if LEVEL[severity] == "error" else "warning",
        },
    }


def _result(f: Finding, index: int) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": f.line, "endLine": max(f.line, f.end_line)}
    if f.column > 0:
        region["startColumn"] = f.column
    artifact: dict[str, str] = {"uri": f.path}
    if not f.path.startswith("/"):
        artifact["uriBaseId"] = "%SRCROOT%"
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message}. Fix: {f.fix}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact,
            "region": region,
        }}],
        "properties": {"severity": f.severity.value, "confidence": f.confidence.value,
                       "security-severity": SECURITY_SEVERITY[f.severity]},
    }
    if f.fingerprint:
        result["partialFingerprints"] = {"blastshield/v1": f.fingerprint}
    return result


def sarif_document(result: ScanResult, rules: dict[str, RuleSpec]) -> dict[str, Any]:
    """The SARIF log for ``result``; ``rules`` supplies each rule's descriptor text."""
    order: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    for f in result.findings:
        if f.rule_id not in order:
            order[f.rule_id] = len(descriptors)
            descriptors.append(_rule_descriptor(f.rule_id, rules.get(f.rule_id), f))
    notifications = [{"level": "error", "message": {"text": e.error},
                      **({"locations": [{"physicalLocation": {"artifactLocation": {"uri": e.path}}}]}
                         if e.path else {})}
                     for e in result.errors]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "blastshield",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": rule_docs_url("index").rsplit("/", 1)[0],
                "rules": descriptors,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory the scan ran in"}}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": [_result(f, order[f.rule_id]) for f in result.findings],
            "columnKind": "unicodeCodePoints",
        }],
    }


def render_sarif(result: ScanResult, rules: dict[str, RuleSpec]) -> str:
    return json.dumps(sarif_document(result, rules), indent=2, ensure_ascii=False) + "\n"
