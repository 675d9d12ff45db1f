"""The one hook flow for every host: payload → event → decision → record → reply.

Fail closed: any error on the way still produces the host's explicit deny. The caller
(cli/commands/hook.py) prints the returned reply and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from blastshield.effects import Decision, Mode, Verdict
from blastshield.errors import BlastshieldError, PayloadError, PolicyError
from blastshield.hosts.base import Feedback, HookEvent, HostAdapter, Phase
from blastshield.policy.decide import decide
from blastshield.policy.load import find_policy, load_policy
from blastshield.policy.model import Policy
from blastshield.scan.finding import Finding
from blastshield.values import FrozenValue

MAX_PAYLOAD = 8 * 1024 * 1024


class HookOutcome(FrozenValue):
    __slots__ = ("decision", "error", "event", "reply")
    reply: dict[str, Any]
    event: HookEvent | None
    decision: Decision | None
    error: str

    def __init__(self, reply: dict[str, Any], event: HookEvent | None, decision: Decision | None,
                 error: str = "") -> None:
        for slot, value in (("reply", reply), ("event", event), ("decision", decision), ("error", error)):
            object.__setattr__(self, slot, value)


def locate_policy(explicit: str | None, payload: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The policy a hook obeys: --policy (baked in by init), else the project's, else cwd's."""
    if explicit:
        return explicit
    roots = payload.get("workspace_roots")
    first_root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
    for start in (environ.get("CLAUDE_PROJECT_DIR"), environ.get("GEMINI_PROJECT_DIR"),
                  environ.get("CURSOR_PROJECT_DIR"), first_root,
                  payload.get("cwd") if isinstance(payload.get("cwd"), str) else None):
        if start:
            found = find_policy(start)
            if found:
                return found
    raise PolicyError("no .blastshield/policy.toml found for this project",
                      hint="run `blastshield init` in the repository")


def decision_reason(decision: Decision) -> str:
    """The text the host shows (to the model for deny, to the user for ask)."""
    top = decision.deciding
    if top is None:
        return "blastshield: nothing to decide"
    rule = str(top.rule) if top.rule is not None else "blastshield shell analysis"
    what = f"{top.effect.kind} {top.effect.target}"
    text = f"{top.verdict} {what}: {top.reason} [{rule}]"
    if decision.applied is not decision.verdict:
        return f"blastshield {decision.mode} mode: would {text}"
    if decision.verdict is Verdict.DENY:
        from blastshield.policy.decide import narrows

        after = "Do not read that file another way." if narrows(top) else "Do not retry it another way."
        return f"blastshield denied {what}: {top.reason} [{rule}]. {after}"
    return f"blastshield: {text}"


def run_hook(adapter: HostAdapter, raw: bytes, policy_path: str | None,
             environ: Mapping[str, str] | None = None) -> HookOutcome:
    environ = os.environ if environ is None else environ
    started = time.perf_counter()
    phase: Phase | None = None
    name = ""
    try:
        payload = _parse_payload(raw)
        name = str(payload.get("hook_event_name") or "")
        policy = load_policy(locate_policy(policy_path, payload, environ))
        event = adapter.parse(payload, policy.workspace)
        phase = event.phase
        return _handle(adapter, policy, event, started)
    except BlastshieldError as exc:
        return _failed(adapter, phase, name, exc.diagnostics())
    except Exception as exc:  # fail closed on anything unexpected
        return _failed(adapter, phase, name, f"internal error: {type(exc).__name__}: {exc}")


def _parse_payload(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_PAYLOAD:
        raise PayloadError("payload on stdin is larger than 8 MiB", hint="denied")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"stdin is not a JSON payload ({exc})", hint="denied") from exc
    if not isinstance(payload, dict):
        raise PayloadError("stdin payload must be a JSON object", hint="denied")
    return payload


def _handle(adapter: HostAdapter, policy: Policy, event: HookEvent, started: float) -> HookOutcome:
    from blastshield.hosts.recording import audit_events, record_all

    if event.phase in (Phase.PRE_TOOL, Phase.PERMISSION) and event.action is not None:
        decision = decide(policy, event.action)
        latency = (time.perf_counter() - started) * 1000
        record_error = _record(policy, audit_events(event, decision, latency), record_all)
        if record_error and decision.mode is Mode.ENFORCE:
            return _failed(adapter, event.phase, event.name, record_error)
        reply = adapter.reply(event, decision, decision_reason(decision))
        return HookOutcome(reply, event, decision)
    feedback, findings = _scan_written(policy, event) if event.phase is Phase.POST_TOOL else (None, ())
    latency = (time.perf_counter() - started) * 1000
    _record(policy, audit_events(event, None, latency, findings), record_all)
    return HookOutcome(adapter.feedback(event, feedback), event, None)


def _record(policy: Policy, events: list[Any], record_all: Callable[[Policy, list[Any]], list[str]]) -> str:
    """Write the events; returns an error line ('' on success). Warnings go to stderr."""
    try:
        for warning in record_all(policy, events):
            print(f"blastshield: audit: {warning}", file=sys.stderr)
    except BlastshieldError as exc:
        line = f"the audit log could not record this action: {exc.diagnostics()}"
        print(f"blastshield: {line}", file=sys.stderr)
        return line
    return ""


def _scan_written(policy: Policy, event: HookEvent) -> tuple[Feedback | None, tuple[Finding, ...]]:
    """Scan files the agent just wrote; findings at or above the threshold go back to it."""
    if not policy.scan.on_write or not event.written_paths:
        return None, ()
    from blastshield.hosts.write_feedback import scan_for_feedback

    try:
        return scan_for_feedback(policy, event.written_paths)
    except BlastshieldError as exc:
        print(f"blastshield: scan: {exc.diagnostics()}", file=sys.stderr)
        return None, ()


def _failed(adapter: HostAdapter, phase: Phase | None, name: str, reason: str) -> HookOutcome:
    print(f"blastshield: {reason}", file=sys.stderr)
    return HookOutcome(adapter.fail_closed(phase, name, reason), None, None, reason)
