"""What the flight recorder saw: decided actions, read back from the log as plain data.

Every host's pre-tool record (Claude Code PreToolUse and PermissionRequest, Cursor, Gemini,
Codex, the MCP proxy) carries the action's effects, each with the verdict the policy gave
and the rule that gave it. Learn and review work on these, never on raw host payloads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from blastshield.errors import UsageError

if TYPE_CHECKING:
    from blastshield.audit.events import Record
    from blastshield.effects import Action, Decision, Effect
    from blastshield.policy.model import Policy


@dataclass(frozen=True, slots=True)
class SeenEffect:
    kind: str  # exec | read | write | delete | net | mcp | env
    target: str  # argv joined, a resolved path, host:port, server:tool, a name
    decision: str  # what the policy in force decided (allow | ask | deny)
    rule: str  # the deciding rule as recorded ("analysis" for an analysis floor)
    reason: str = ""
    argv: tuple[str, ...] = ()  # exec only: the argv, when it could be recovered exactly

    @property
    def words(self) -> tuple[str, ...]:
        """The argv (exact when recovered, else the recorded target split on spaces)."""
        return self.argv or tuple(self.target.split())

    @property
    def by_analysis(self) -> bool:
        return self.rule == "analysis"

    @property
    def by_builtin(self) -> bool:
        return self.rule.startswith("builtin ")


@dataclass(frozen=True, slots=True)
class SeenAction:
    """One tool call the policy judged."""

    seq: int
    time: str
    session: str
    host: str
    tool: str
    tool_use_id: str
    summary: str
    decision: str
    applied: str
    rule: str
    effects: tuple[SeenEffect, ...]


def actions_from_records(records: Iterable[Record], workspace: str = "") -> list[SeenAction]:
    """The judged actions among ``records`` (one per tool call: a PermissionRequest that repeats a
    PreToolUse for the same tool use is dropped). With ``workspace``, the exact argv of each
    command is recovered from the recorded shell command line (the record joins argv with spaces)."""
    seen: set[tuple[str, str]] = set()
    out: list[SeenAction] = []
    for record in records:
        body = record.body
        effects = body.get("effects")
        if not isinstance(effects, list) or not effects or not body.get("decision"):
            continue
        key = (str(body.get("session_id") or ""), str(body.get("tool_use_id") or ""))
        if key[1]:
            if key in seen:
                continue
            seen.add(key)
        action = SeenAction(
            seq=record.seq, time=record.time, session=key[0], host=str(body.get("host") or ""),
            tool=str(body.get("tool") or ""), tool_use_id=key[1], summary=str(body.get("action") or ""),
            decision=str(body.get("decision") or ""), applied=str(body.get("applied") or ""),
            rule=str(body.get("rule") or ""),
            effects=tuple(_effect(e) for e in effects if isinstance(e, dict)))
        out.append(recover_argv(action, workspace) if workspace else action)
    return out


def recover_argv(action: SeenAction, workspace: str) -> SeenAction:
    """Re-parse the recorded command line (``"Bash: <command>"``) to get each command's exact argv.

    Commands whose joined argv does not match a recorded target keep the split target.
    """
    from dataclasses import replace

    if not any(e.kind == "exec" and " " in e.target for e in action.effects):
        return action
    _tool, sep, command = action.summary.partition(": ")
    if not sep or not command:
        return action
    from blastshield.effects import Kind
    from blastshield.shell import analyze

    try:
        effects = analyze(command, cwd=workspace, workspace=workspace)
    except Exception:  # a command line the analyzer cannot read again: keep the split form
        return action
    argvs = {e.target: e.argv for e in effects if e.kind is Kind.EXEC}
    return replace(action, effects=tuple(
        replace(e, argv=argvs.get(e.target, ())) if e.kind == "exec" else e for e in action.effects))


def _effect(item: dict[str, Any]) -> SeenEffect:
    return SeenEffect(kind=str(item.get("kind") or ""), target=str(item.get("target") or ""),
                      decision=str(item.get("decision") or ""), rule=str(item.get("rule") or ""),
                      reason=str(item.get("reason") or ""))


def action_from_decision(action: Action, decision: Decision, *, seq: int = 0, session: str = "",
                         tool_use_id: str = "") -> SeenAction:
    """A decision made in this process, as if read back from the log (benchmarks, tests)."""
    from dataclasses import replace

    from blastshield.report.decision import effect_dict, rule_text

    top = decision.deciding
    return SeenAction(
        seq=seq, time="", session=session, host=action.host, tool=action.tool, tool_use_id=tool_use_id,
        summary=action.summary, decision=decision.verdict.value, applied=decision.applied.value,
        rule=rule_text(top) if top is not None else "",
        effects=tuple(replace(_effect(dict(effect_dict(item))), argv=item.effect.argv)
                      for item in decision.effects))


def as_effect(seen: SeenEffect) -> Effect | None:
    """A recorded effect rebuilt for deciding again against the policy in force."""
    from blastshield.effects import Effect, Kind

    kind, target = seen.kind, seen.target
    if kind == "exec" and target:
        return Effect.exec(seen.words)
    if kind in ("read", "write", "delete") and target.startswith("/"):
        return Effect(Kind(kind), target, path=target)
    if kind == "net" and target:
        host, sep, port = target.rpartition(":")
        if sep and port.isdigit():
            return Effect.net(host, int(port))
        return Effect.net(target)
    if kind == "mcp" and ":" in target:
        server, _, tool = target.partition(":")
        return Effect.mcp(server, tool)
    return None


def read_records(policy: Policy, *, since: str = "", session: str = "") -> list[Record]:
    """Records of the log ``policy`` names (oldest first). UsageError when there is no log yet."""
    from blastshield.audit.query import Filter, parse_time
    from blastshield.audit.recorder import store_location
    from blastshield.audit.store import is_postgres, open_store

    selection = Filter(session=session, since=parse_time(since, "--since") if since else "")
    location = store_location(policy)
    if not is_postgres(location) and not os.path.exists(location):
        raise UsageError(f"{location}: no audit log yet, so nothing was observed",
                         hint="run the agent with `blastshield init --mode learn` first")
    store = open_store(location, create=False)
    try:
        return list(store.select(selection))
    finally:
        store.close()
