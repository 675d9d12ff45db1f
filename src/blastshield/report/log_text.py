"""Text rendering of audit records and verify reports (colour only when asked: a TTY)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from blastshield.audit.events import Record
from blastshield.audit.verify import VerifyReport

_COLOURS = {"allow": "32", "ask": "33", "deny": "31", "bad": "1;31", "ok": "1;32", "dim": "2", "head": "1"}


def _paint(text: str, style: str, colour: bool) -> str:
    code = _COLOURS.get(style)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _short_time(value: str) -> str:
    return value[:19].replace("T", " ") if value else ""


def decision_text(body: dict[str, Any]) -> str:
    """``deny``, or ``deny→allow`` when the mode (shadow, learn) let it through."""
    decision = str(body.get("decision") or "")
    applied = str(body.get("applied") or "")
    if applied and decision and applied != decision:
        return f"{decision}→{applied}"
    return decision or applied


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def short_rule(rule: str) -> str:
    """``/abs/path/.blastshield/policy.toml [files].deny[2] '~/.ssh/**'`` → ``policy.toml [files]…``."""
    head, sep, rest = rule.partition(" ")
    if head.startswith("/") and sep:
        return f"{head.rsplit('/', 1)[-1]} {rest}"
    return rule


def _summary(body: dict[str, Any]) -> str:
    action = _one_line(body.get("action") or "")
    outcome = body.get("outcome") or {}
    if not action and isinstance(outcome, dict) and outcome:
        keys = ("success", "exit_code", "duration_ms", "error")
        parts = [f"{k}={outcome[k]}" for k in keys if k in outcome]
        action = " ".join(parts)
    if not action:
        extra = body.get("extra") or {}
        if isinstance(extra, dict) and extra:
            action = _one_line(json.dumps(extra, sort_keys=True))
    return action


_COLUMNS = (("SEQ", 5), ("TIME (UTC)", 19), ("HOST", 11), ("EVENT", 17), ("TOOL", 10), ("DECISION", 10))


def render_table(records: Iterable[Record], *, colour: bool = False, width: int = 0) -> list[str]:
    """One header line and one line per record: seq, time, host, event, tool, decision, rule/action.

    ``width`` > 0 cuts each line to fit (a terminal); 0 keeps whole lines (pipes, files).
    """
    header = " ".join(name.ljust(size) for name, size in _COLUMNS) + " ACTION / RULE"
    lines = [_paint(header, "head", colour)]
    for record in records:
        body = record.body
        decision = decision_text(body)
        cells = [str(record.seq), _short_time(record.time), str(body.get("host", "")), record.event,
                 str(body.get("tool", "")), decision]
        fixed = " ".join(cell[:size].ljust(size) for cell, (_, size) in zip(cells, _COLUMNS, strict=True))
        rule = short_rule(_one_line(body.get("rule") or ""))
        action = _summary(body)
        shown_rule = rule if rule and str(body.get("decision")) in ("ask", "deny") else ""
        room = max(20, width - len(fixed) - 1)
        if width and shown_rule and len(action) + len(shown_rule) + 4 > room:
            keep = room - len(shown_rule) - 4  # the rule is what a reader looks for: cut the action first
            action = action[: keep - 1] + "…" if keep >= 16 else action
        rest = f"{action}  ← {shown_rule}" if action and shown_rule else (action or shown_rule)
        if width and len(rest) > room:
            rest = rest[: room - 1] + "…"
        if colour and decision:
            verdict = str(body.get("applied") or body.get("decision"))
            fixed = fixed.replace(decision.ljust(10), _paint(decision.ljust(10), verdict, True), 1)
        lines.append(f"{fixed} {rest}".rstrip())
    return lines


def render_record(record: Record, *, colour: bool = False) -> list[str]:
    """Every field of one record, one per line."""
    body = record.body
    lines = [_paint(f"record {record.seq}  {record.hash}", "head", colour)]
    order = ("time", "event", "host", "session_id", "prompt_id", "tool_use_id", "tool", "action", "decision",
             "applied", "mode", "rule", "reason", "latency_ms", "policy_hash", "pre", "prev", "log_id")
    for key in order:
        value = body.get(key)
        if value in (None, "", [], {}):
            continue
        text = decision_text(body) if key == "decision" else str(value)
        if key == "applied":
            continue
        style = str(body.get("applied") or value) if key == "decision" else ""
        lines.append(f"  {key:<12} {_paint(text, style, colour) if style else text}")
    for effect in body.get("effects") or []:
        if isinstance(effect, dict):
            parts = [str(effect.get(k, "")) for k in ("decision", "kind", "target")]
            rule = effect.get("rule") or effect.get("reason") or ""
            text = " ".join(p for p in parts if p) + (f"  ({rule})" if rule else "")
            lines.append(f"  effect       {text}")
    for key in ("outcome", "extra"):
        value = body.get(key)
        if isinstance(value, dict):
            for name in sorted(value):
                lines.append(f"  {key}.{name:<{max(1, 11 - len(key))}} {json.dumps(value[name])}")
    return lines


def render_verify(report: VerifyReport, *, colour: bool = False) -> list[str]:
    """A verdict line first, then the problems (first bad record named) and warnings."""
    lines: list[str] = []
    if report.ok:
        text = (f" {report.location}: {report.records} records chain correctly;"
                f" {report.checkpoints} signed checkpoint(s) verify"
                f" (last at record {report.last_checkpoint})")
        if report.anchored:
            text += f"; anchored at record {report.anchored}"
        lines.append(_paint("OK", "ok", colour) + text)
    else:
        first = report.first_bad
        where = f"first bad record: {first}" if first is not None else "the log as a whole"
        lines.append(_paint("TAMPERED", "bad", colour) + f" {report.location}: {where}; "
                     f"{len(report.problems)} problem(s) in {report.records} records")
        for problem in report.problems:
            lines.append(f"  - {problem.what}")
    for warning in report.warnings:
        lines.append(_paint(f"  note: {warning}", "dim", colour))
    return lines
