"""The flight recorder as one self-contained HTML page.

Sessions on a timeline; every judged action with its decision and rule (denied and asked ones
highlighted); scan findings linked to the action that wrote the code; the chain verification
result; the review's findings. Filters and search run in the page; without JavaScript every row
is still there. Everything from the log is escaped: the log holds agent-controlled text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from blastshield.audit.events import Record
from blastshield.audit.verify import VerifyReport
from blastshield.learn.review import ReviewReport
from blastshield.report import rule_docs_url
from blastshield.report.html_assets import CSS, SCRIPT, content_security_policy

_OUTCOME_EVENTS = ("PostToolUse", "PostToolUseFailure", "postToolUse", "postToolUseFailure", "AfterTool")


@dataclass
class FindingRow:
    seq: int
    rule_id: str
    severity: str
    path: str
    line: int
    message: str
    action_seq: int | None = None


@dataclass
class ActionRow:
    seq: int
    time: str
    session: str
    host: str
    tool: str
    summary: str
    decision: str
    applied: str
    rule: str
    reason: str
    effects: list[dict[str, Any]]
    mode: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)
    findings: list[FindingRow] = field(default_factory=list)


@dataclass
class SessionRow:
    id: str
    host: str
    start: str
    end: str
    counts: dict[str, int]
    actions: list[ActionRow]


@dataclass
class ReportData:
    title: str
    generated: str
    log: str
    actions: list[ActionRow]
    sessions: list[SessionRow]
    findings: list[FindingRow]
    verify: VerifyReport | None
    review: ReviewReport | None


def collect(records: Iterable[Record], *, title: str, generated: str, log: str,
            verify: VerifyReport | None, review: ReviewReport | None) -> ReportData:
    """Records → the report's plain data (actions with outcomes and findings attached)."""
    actions: list[ActionRow] = []
    by_use: dict[tuple[str, str], ActionRow] = {}
    findings: list[FindingRow] = []
    for record in records:
        body = record.body
        session, use = str(body.get("session_id") or ""), str(body.get("tool_use_id") or "")
        effects = body.get("effects")
        if isinstance(effects, list) and effects and body.get("decision") and record.event != "scan.finding":
            if use and (session, use) in by_use:
                continue  # a PermissionRequest repeating its PreToolUse
            row = ActionRow(record.seq, record.time, session, str(body.get("host") or ""),
                            str(body.get("tool") or ""), str(body.get("action") or ""),
                            str(body.get("decision") or ""), str(body.get("applied") or ""),
                            str(body.get("rule") or ""), str(body.get("reason") or ""),
                            [e for e in effects if isinstance(e, dict)], str(body.get("mode") or ""))
            actions.append(row)
            if use:
                by_use[(session, use)] = row
        elif record.event in _OUTCOME_EVENTS and (session, use) in by_use:
            outcome = body.get("outcome")
            by_use[(session, use)].outcome = outcome if isinstance(outcome, dict) else {}
        elif record.event == "scan.finding":
            extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
            assert isinstance(extra, dict)
            line = extra.get("line")
            finding = FindingRow(record.seq, str(body.get("rule") or ""), str(extra.get("severity") or ""),
                                 str(extra.get("path") or body.get("action") or ""),
                                 line if isinstance(line, int) else 0, str(body.get("reason") or ""))
            owner = by_use.get((session, use))
            if owner is not None:
                finding.action_seq = owner.seq
                owner.findings.append(finding)
            findings.append(finding)
    sessions: dict[str, SessionRow] = {}
    for row in actions:
        item = sessions.setdefault(row.session, SessionRow(row.session, row.host, row.time, row.time,
                                                           {"allow": 0, "ask": 0, "deny": 0}, []))
        item.end = row.time
        item.actions.append(row)
        if row.decision in item.counts:
            item.counts[row.decision] += 1
    return ReportData(title, generated, log, actions, list(sessions.values()), findings, verify, review)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _seconds(stamp: str) -> float | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _badge(decision: str, applied: str = "", mode: str = "") -> str:
    kind = decision if decision in ("allow", "ask", "deny", "block") else "none"
    text = _e(decision or "—")
    if applied and applied != decision:
        how = f"{mode} mode" if mode else "mode"
        return (f'<span class="badge {kind}">{text}</span>'
                f' <span class="muted">→ {_e(applied)} ({_e(how)})</span>')
    return f'<span class="badge {kind}">{text}</span>'


def _short_rule(rule: str) -> str:
    head, sep, rest = rule.partition(" ")
    return f"{os.path.basename(head)} {rest}" if sep and head.startswith("/") else rule


def _time(stamp: str) -> str:
    return stamp[11:19] if len(stamp) >= 19 else stamp


def render(data: ReportData) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy())}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(data.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header>",
        f"<h1>{_e(data.title)}</h1>",
        f'<div class="muted">Generated {_e(data.generated)} from <code>{_e(data.log)}</code></div>',
        _summary(data),
        "</header><main>",
        _verify(data.verify),
        _timeline(data),
        _actions(data),
        _findings(data),
        _review(data.review),
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(data: ReportData) -> str:
    counts = {"allow": 0, "ask": 0, "deny": 0}
    for row in data.actions:
        if row.decision in counts:
            counts[row.decision] += 1
    verified = "not checked" if data.verify is None else ("intact" if data.verify.ok else "TAMPERED")
    stats = [("sessions", len(data.sessions)), ("actions", len(data.actions)), ("denied", counts["deny"]),
             ("asked", counts["ask"]), ("allowed", counts["allow"]), ("scan findings", len(data.findings)),
             ("log", verified)]
    cells = "".join(f'<div class="stat"><b>{_e(v)}</b> {_e(k)}</div>' for k, v in stats)
    return f'<div class="summary">{cells}</div>'


def _verify(report: VerifyReport | None) -> str:
    head = '<section id="verify"><h2>Log integrity</h2>'
    if report is None:
        return head + '<p class="muted">The log was not verified.</p></section>'
    facts = (f"{report.records} records, {report.checkpoints} signed checkpoint(s), last at record"
             f" {report.last_checkpoint}; head {report.head[:16]}")
    if report.ok:
        body = ('<div class="verify-ok"><b>Verified.</b> The hash chain is intact and every signed'
                f" checkpoint verifies: {_e(facts)}.")
    else:
        items = "".join(f"<li>{_e(p.what)}</li>" for p in report.problems)
        body = ('<div class="verify-bad"><b>Verification FAILED</b>'
                f' (first bad record {_e(report.first_bad)}): {_e(facts)}.<ul class="plain">{items}</ul>')
    warnings = "".join(f"<li>{_e(w)}</li>" for w in report.warnings)
    if warnings:
        body += f'<ul class="plain muted">{warnings}</ul>'
    return head + body + "</div></section>"


def _timeline(data: ReportData) -> str:
    out = ['<section id="timeline"><h2>Sessions</h2><div class="timeline">']
    stamps = [s for s in (_seconds(r.time) for r in data.actions) if s is not None]
    low, high = (min(stamps), max(stamps)) if stamps else (0.0, 0.0)
    span = high - low
    total = max(1, len(data.actions) - 1)
    index = {row.seq: i for i, row in enumerate(data.actions)}

    def where(row: ActionRow) -> float:
        moment = _seconds(row.time)
        if span > 0 and moment is not None:
            return (moment - low) / span * 100
        return index[row.seq] / total * 100

    for session in data.sessions:
        first, last = where(session.actions[0]), where(session.actions[-1])
        counts = session.counts
        label = (f'<div><code>{_e(session.id[:24] or "(no session id)")}</code><br><span class="muted">'
                 f"{_e(session.host)} · {len(session.actions)} actions · {counts['deny']} denied ·"
                 f" {counts['ask']} asked</span></div>")
        marks = [f'<span class="span" style="left:{first:.2f}%;width:{max(last - first, 0.3):.2f}%"></span>']
        for row in session.actions:
            kind = row.decision if row.decision in ("ask", "deny") else "allow"
            marks.append(f'<a class="mark {kind}" href="#a-{row.seq}" style="left:{where(row):.2f}%"'
                         f' title="{_e(f"#{row.seq} {row.decision}: {row.summary[:120]}")}"></a>')
        out.append(f'<div class="lane">{label}<div class="track">{"".join(marks)}</div></div>')
    if not data.sessions:
        out.append('<p class="muted">No actions in the log.</p>')
    out.append("</div></section>")
    return "\n".join(out)


def _actions(data: ReportData) -> str:
    options = "".join(f'<option value="{_e(s.id)}">{_e(s.id[:40] or "(no session id)")}</option>'
                      for s in data.sessions)
    controls = (
        '<div class="controls" id="controls" hidden>'
        '<button type="button" data-filter="all" aria-pressed="true">All</button>'
        '<button type="button" data-filter="deny">Denied</button>'
        '<button type="button" data-filter="ask">Asked</button>'
        '<button type="button" data-filter="allow">Allowed</button>'
        '<button type="button" data-filter="findings">With findings</button>'
        f'<select id="session" aria-label="Session"><option value="">All sessions</option>{options}</select>'
        '<input id="search" type="search" placeholder="Search actions, paths, rules…" aria-label="Search">'
        '<span id="shown" class="muted"></span></div>')
    head = ('<table id="actions"><colgroup><col class="c-seq"><col class="c-time"><col class="c-session">'
            '<col class="c-tool"><col><col class="c-decision"><col class="c-rule"></colgroup>'
            "<thead><tr><th>#</th><th>Time</th><th>Session</th><th>Tool</th><th>Action</th><th>Decision</th>"
            "<th>Rule</th></tr></thead><tbody>")
    rows = [_action_row(row) for row in data.actions]
    return ('<section id="log"><h2>Actions</h2><noscript><p class="muted">Filters need JavaScript; every'
            " action is listed below.</p></noscript>" + controls + head + "\n".join(rows)
            + "</tbody></table></section>")


def _action_row(row: ActionRow) -> str:
    effects = "".join(
        f"<tr><td>{_e(e.get('kind', ''))}</td><td class=\"mono\">{_e(e.get('target', ''))}</td>"
        f"<td>{_badge(str(e.get('decision', '')))}</td><td>{_e(_short_rule(str(e.get('rule', ''))))}"
        f"<br><span class=\"muted\">{_e(e.get('reason', ''))}</span></td></tr>" for e in row.effects)
    outcome = ""
    if row.outcome:
        text = ", ".join(f"{k}={v}" for k, v in row.outcome.items())
        outcome = f"<div><b>Outcome:</b> {_e(text)}</div>"
    found = "".join(
        f'<div class="finding" id="af-{f.seq}"><a href="#f-{f.seq}">{_e(f.rule_id)}</a> {_e(f.severity)}'
        f" {_e(f.path)}:{_e(f.line)} — {_e(f.message)}</div>" for f in row.findings)
    details = (f'<details><summary class="mono">{_e(row.summary)}</summary>'
               '<table class="effects"><colgroup><col class="e-kind"><col class="e-target">'
               '<col class="e-decision"><col></colgroup>'
               "<tr><th>Effect</th><th>Target</th><th>Decision</th><th>Rule</th></tr>"
               f"{effects}</table><div><b>Why:</b> {_e(row.reason)}</div>{outcome}</details>{found}")
    kind = row.decision if row.decision in ("allow", "ask", "deny") else "none"
    return (f'<tr class="action d-{kind}" id="a-{row.seq}" data-decision="{_e(kind)}"'
            f' data-session="{_e(row.session)}" data-findings="{len(row.findings)}">'
            f"<td>{row.seq}</td><td>{_e(_time(row.time))}</td><td class=\"mono\">{_e(row.session[:12])}</td>"
            f"<td>{_e(row.tool)}</td><td>{details}</td><td>{_badge(row.decision, row.applied, row.mode)}</td>"
            f'<td class="mono">{_e(_short_rule(row.rule))}</td></tr>')


def _findings(data: ReportData) -> str:
    out = [f'<section id="findings"><h2>Scan findings ({len(data.findings)})</h2>']
    if not data.findings:
        out.append('<p class="muted">No findings were fed back to the agent.</p></section>')
        return "".join(out)
    out.append("<table><thead><tr><th>Rule</th><th>Severity</th><th>Where</th><th>Message</th>"
               "<th>Written by</th></tr></thead><tbody>")
    for f in data.findings:
        link = f'<a href="#a-{f.action_seq}">action #{f.action_seq}</a>' if f.action_seq else "—"
        docs = rule_docs_url(f.rule_id) if f.rule_id else ""
        rule = (f'<a href="{_e(docs)}" rel="noopener noreferrer">{_e(f.rule_id)}</a>' if docs.startswith("https://")
                else _e(f.rule_id))
        out.append(f'<tr id="f-{f.seq}"><td class="mono">{rule}</td><td>{_e(f.severity)}</td>'
                   f'<td class="mono">{_e(f.path)}:{_e(f.line)}</td><td>{_e(f.message)}</td>'
                   f"<td>{link}</td></tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _review(report: ReviewReport | None) -> str:
    head = '<section id="review"><h2>Review: granted against used</h2>'
    if report is None:
        return head + '<p class="muted">No review.</p></section>'

    def items(lines: list[str], limit: int = 40) -> str:
        if not lines:
            return '<p class="muted">(none)</p>'
        more = f"<li class=\"muted\">… and {len(lines) - limit} more</li>" if len(lines) > limit else ""
        return '<ul class="plain">' + "".join(f"<li>{line}</li>" for line in lines[:limit]) + more + "</ul>"

    risky = [f'<span class="badge {"deny" if n.severity == "high" else "ask"}">{_e(n.severity)}</span> '
             f"<code>{_e(n.where)} {_e(n.pattern)}</code>: {_e(n.message)}" for n in report.risky]
    wider = [f"<code>{_e(n.where)} {_e(n.pattern)}</code>: {_e(n.message)}" for n in report.wider]
    prompts = [f"{g.count}× <code>{_e(g.example[:140])}</code> → "
               + (f"add <code>{_e('; '.join(g.fix))}</code>" if g.safe else f"keep asking ({_e(g.why)})")
               for g in report.prompts]
    denies = [f"{g.count}× <code>{_e(g.example[:140])}</code> → "
              + _e(g.why if not g.safe else "allowing it would take " + "; ".join(g.fix))
              for g in report.denies]
    unused = [f"<code>{_e(n.where)} {_e(n.pattern)}</code>" for n in report.unused]
    return (head + f"<h3>Risky grants ({len(risky)})</h3>" + items(risky)
            + f"<h3>Rules much wider than their use ({len(wider)})</h3>" + items(wider)
            + f"<h3>Prompts by frequency ({len(prompts)})</h3>" + items(prompts)
            + f"<h3>Denies by frequency ({len(denies)})</h3>" + items(denies)
            + f"<details><summary><b>Allow rules never used ({len(unused)})</b></summary>{items(unused, 400)}"
            "</details></section>")
