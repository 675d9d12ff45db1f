"""A library API for Python agents: decide each tool call on its effects, record it, refuse it.

    guard = Guard.from_policy(".blastshield/policy.toml")
    guard.check_command("git push origin main")            # -> Decision

    @guard.tool(reads="path")
    def read_file(path: str) -> str: ...

    @guard.tool(command="cmd")
    def run(cmd: str) -> str: ...                           # raises Denied when the policy says no

Nobody is there to answer an ``ask`` in a library call, so ``ask`` is refused unless the
Guard is given an ``on_ask`` callback that returns True.
"""

from __future__ import annotations

import functools
import inspect
import os
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from blastshield.effects import Action, Decision, Effect, Verdict
from blastshield.hosts.runner import decision_reason
from blastshield.policy.decide import decide
from blastshield.policy.load import load_policy
from blastshield.policy.model import Policy

P = ParamSpec("P")
R = TypeVar("R")

HOST = "python"


class Denied(PermissionError):
    """A tool call the policy refused. ``reason`` says which rule and why."""

    def __init__(self, reason: str, decision: Decision) -> None:
        super().__init__(reason)
        self.reason = reason
        self.decision = decision


class Guard:
    def __init__(self, policy: Policy, *, session_id: str | None = None, record: bool = True,
                 on_ask: Callable[[Decision], bool] | None = None) -> None:
        self.policy = policy
        self.session_id = session_id or f"py-{uuid.uuid4().hex[:12]}"
        self.record = record
        self.on_ask = on_ask

    @classmethod
    def from_policy(cls, path: str | os.PathLike[str], **kw: Any) -> Guard:
        return cls(load_policy(os.fspath(path)), **kw)

    def check_command(self, command: str, cwd: str | None = None) -> Decision:
        """Decide a shell command line (does not run it, does not record it)."""
        from blastshield.shell import analyze

        where = cwd or self.policy.workspace
        effects = analyze(command, cwd=where, workspace=self.policy.workspace, non_interactive=True)
        return decide(self.policy, Action(HOST, "shell", command, effects, where))

    def check(self, effects: Iterable[Effect], tool: str = "effects") -> Decision:
        """Decide a set of effects (does not record it)."""
        items = tuple(effects)
        summary = "; ".join(e.target for e in items)
        return decide(self.policy, Action(HOST, tool, summary, items, self.policy.workspace))

    def enforce(self, decision: Decision, tool: str, summary: str, call_id: str) -> None:
        """Record the decision; raise Denied unless it is allow (or an ask approved by on_ask)."""
        allowed = decision.applied is Verdict.ALLOW or (
            decision.applied is Verdict.ASK and self.on_ask is not None and self.on_ask(decision))
        self._record("PreToolUse", tool, call_id, summary, decision)
        if not allowed:
            raise Denied(decision_reason(decision), decision)

    def tool(self, *, effects: Callable[..., Iterable[Effect]] | None = None, reads: str | None = None,
             writes: str | None = None, deletes: str | None = None, command: str | None = None,
             url: str | None = None, name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Wrap a tool function so each call is decided on its effects before it runs.

        Name the parameters that carry a path (``reads``/``writes``/``deletes``), a shell
        command (``command``) or a URL (``url``), or give ``effects`` — a function of the
        same arguments that returns the effects.
        """
        def wrap(func: Callable[P, R]) -> Callable[P, R]:
            signature = inspect.signature(func)
            tool_name = name or func.__name__

            @functools.wraps(func)
            def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                found = self._effects(bound.arguments, effects, reads, writes, deletes, command, url,
                                      args, kwargs)
                call_id = uuid.uuid4().hex[:16]
                summary = f"{tool_name}({', '.join(f'{k}={v!r}' for k, v in bound.arguments.items())})"
                decision = self.check(found, tool_name)
                self.enforce(decision, tool_name, summary[:500], call_id)
                started = time.perf_counter()
                try:
                    result = func(*args, **kwargs)
                except BaseException as exc:
                    self.record_outcome(tool_name, call_id, started, success=False, error=type(exc).__name__)
                    raise
                self.record_outcome(tool_name, call_id, started, success=True)
                return result

            return guarded

        return wrap

    def _effects(self, arguments: dict[str, Any], effects: Callable[..., Iterable[Effect]] | None,
                 reads: str | None, writes: str | None, deletes: str | None, command: str | None,
                 url: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Effect]:
        from blastshield.hosts import tools

        ws = self.policy.workspace
        found: list[Effect] = list(effects(*args, **kwargs)) if effects is not None else []
        for param, make in ((reads, Effect.read), (writes, Effect.write), (deletes, Effect.delete)):
            if param is not None:
                found.append(make(os.fspath(arguments[param]), cwd=ws))
        if command is not None:
            from blastshield.shell import analyze

            found.extend(analyze(str(arguments[command]), cwd=ws, workspace=ws, non_interactive=True))
        if url is not None:
            found.extend(tools.fetch_url(str(arguments[url])))
        if not found:
            found.extend(tools.unknown_tool("python-tool-without-declared-effects"))
        return found

    def _record(self, event: str, tool: str, call_id: str, summary: str, decision: Decision | None,
                outcome: dict[str, object] | None = None) -> None:
        if not self.record:
            return
        from blastshield.audit.events import AuditEvent
        from blastshield.audit.recorder import open_recorder
        from blastshield.report.decision import effect_dict, rule_text

        fields: dict[str, Any] = {}
        if decision is not None:
            top = decision.deciding
            fields = {"effects": tuple(effect_dict(e) for e in decision.effects),
                      "decision": decision.verdict.value, "applied": decision.applied.value,
                      "rule": rule_text(top) if top else "", "reason": top.reason if top else "",
                      "policy_hash": decision.policy_hash, "mode": decision.mode.value}
        with open_recorder(self.policy) as recorder:
            recorder.record(AuditEvent(event=event, host=HOST, session_id=self.session_id,
                                       tool_use_id=call_id, tool=tool, action=summary,
                                       outcome=outcome or {}, **fields))

    def record_outcome(self, tool: str, call_id: str, started: float, *, success: bool,
                       error: str = "") -> None:
        """Record how a guarded call ended (``started`` is its ``time.perf_counter()``)."""
        outcome: dict[str, object] = {"success": success,
                                      "duration_ms": round((time.perf_counter() - started) * 1000, 3)}
        if error:
            outcome["error"] = error
        self._record("PostToolUse" if success else "PostToolUseFailure", tool, call_id, "", None, outcome)
