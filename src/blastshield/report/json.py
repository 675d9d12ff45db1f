"""Scan results as the versioned JSON document of DESIGN.md (``scan --format json``).

Fields of version 1 are never removed or renamed; new fields may be added.
"""

from __future__ import annotations

import json as _json

from blastshield.report import rule_docs_url
from blastshield.scan.finding import Finding
from blastshield.scan.options import ScanErrorEntry, ScanResult

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy honours this name
if TYPE_CHECKING:
    from typing import Any

JSON_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id, "cwe": f.cwe, "severity": f.severity.value,
        "confidence": f.confidence.value, "path": f.path, "line": f.line, "end_line": f.end_line,
        "message": f.message, "fix": f.fix, "column": f.column, "fingerprint": f.fingerprint,
        "docs": rule_docs_url(f.rule_id),
    }


def _entry(e: ScanErrorEntry, key: str) -> dict[str, str]:
    return {"path": e.path, key: e.error}


def scan_document(result: ScanResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [_entry(e, "error") for e in result.errors],
        "skipped": [_entry(e, "reason") for e in result.skipped],
        "suppressed": result.suppressed,
        "baselined": result.baselined,
        "below_threshold": result.below_threshold,
        "files": result.files,
    }


def render_json(result: ScanResult) -> str:
    return _json.dumps(scan_document(result), indent=2, ensure_ascii=False) + "\n"
