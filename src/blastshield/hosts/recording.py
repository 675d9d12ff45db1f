"""Turn a hook event and its decision into flight-recorder events, and write them."""

from __future__ import annotations

from typing import Any

from blastshield.effects import Decision
from blastshield.hosts.base import HookEvent, Phase
from blastshield.policy.model import Policy
from blastshield.report.decision import effect_dict, rule_text
from blastshield.scan.finding import Finding


def audit_events(event: HookEvent, decision: Decision | None, latency_ms: float,
                 findings: tuple[Finding, ...] = ()) -> list[Any]:
    from blastshield.audit.events import AuditEvent

    extra: dict[str, object] = {"phase": event.phase.value}
    if event.phase is Phase.PROMPT:
        extra["prompt"] = event.prompt
    common: dict[str, Any] = {
        "host": event.host, "session_id": event.session_id, "prompt_id": event.prompt_id,
        "tool_use_id": event.tool_use_id, "tool": event.tool, "latency_ms": latency_ms,
    }
    action = event.action.summary if event.action is not None else ""
    if decision is not None:
        top = decision.deciding
        main = AuditEvent(
            event=event.name, **common, action=action,
            effects=tuple(effect_dict(item) for item in decision.effects),
            decision=decision.verdict.value, applied=decision.applied.value,
            rule=rule_text(top) if top is not None else "", reason=top.reason if top is not None else "",
            policy_hash=decision.policy_hash, mode=decision.mode.value, extra=extra)
    else:
        if event.written_paths:
            extra["written"] = list(event.written_paths)
        main = AuditEvent(event=event.name, **common, action=action, outcome=dict(event.outcome),
                          extra=extra)
    out = [main]
    for finding in findings:
        out.append(AuditEvent(
            event="scan.finding", host=event.host, session_id=event.session_id,
            tool_use_id=event.tool_use_id, tool=event.tool, action=finding.path,
            decision="block", rule=finding.rule_id, reason=finding.message,
            extra={"path": finding.path, "line": finding.line, "cwe": finding.cwe,
                   "severity": finding.severity.value, "confidence": finding.confidence.value}))
    return out


def record_all(policy: Policy, events: list[Any]) -> list[str]:
    """Write events; returns warnings. Raises AuditStoreError when a record could not be written."""
    from blastshield.audit.shared import forget, shared_recorder

    shared = shared_recorder(policy)  # the hook server keeps its logs open
    if shared is not None:
        from blastshield.errors import AuditStoreError

        notes: list[str] = []
        try:
            for item in events:
                shared.record(item, notes)
        except AuditStoreError:
            forget(policy, shared)
            raise
        shared.flush(notes)
        return notes
    from blastshield.audit.recorder import open_recorder

    with open_recorder(policy) as recorder:
        for item in events:
            recorder.record(item)
        return list(recorder.warnings)
