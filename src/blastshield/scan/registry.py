"""The rule registry: every rule is declared once, by ``declare`` in its family module.

Family modules live in ``blastshield.scan.rules`` and are discovered by ``all_rules``;
adding a module (or a ``declare`` call in one) is the only registration step.
"""

from __future__ import annotations

import importlib

from blastshield.scan.finding import Confidence, Finding, RuleSpec, Severity

_RULES: dict[str, RuleSpec] = {}


def declare(id: str, cwe: int, severity: Severity, confidence: Confidence, title: str,
            fix: str, language: str) -> RuleSpec:
    """Register a rule; ids are unique and stable."""
    if id in _RULES:
        raise ValueError(f"duplicate rule id {id}")
    spec = RuleSpec(id, cwe, severity, confidence, title, fix, language)
    _RULES[id] = spec
    return spec


def all_rules() -> dict[str, RuleSpec]:
    """Every declared rule, importing each family module once."""
    import pkgutil  # only SARIF output and the docs need every rule: the scan itself does not

    from blastshield.scan import rules

    for info in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"{rules.__name__}.{info.name}")
    return dict(_RULES)


def finding(spec: RuleSpec, path: str, line: int, message: str, *, end_line: int | None = None,
            column: int = 0, severity: Severity | None = None,
            confidence: Confidence | None = None) -> Finding:
    """Build a finding for ``spec``; a finding always has a location."""
    if line < 1:
        raise ValueError(f"{spec.id}: a finding needs a line >= 1")
    return Finding(spec.id, spec.cwe, severity or spec.severity, confidence or spec.confidence,
                   path, line, end_line if end_line is not None else line, message, spec.fix,
                   column)
