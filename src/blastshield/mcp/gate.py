"""What the proxy decides: which listed tools the client sees, and whether a call goes through.

Plain decisions over plain data; the relay does the I/O. Every decision is recorded
through the :class:`~blastshield.mcp.audit_writer.AuditWriter` with ``host="mcp-proxy"``.

* ``tools/list``: each tool is pinned on first sight (pins.py); a tool whose definition
  changed since its pin, and a tool the policy denies or asks about, is dropped (a proxy
  has nobody to ask, so showing an ``ask`` tool would only invite a refused call).
  Injection-like text in a description is flagged in the log and on stderr.
* ``tools/call``: the policy decides ``Effect.mcp(server, tool)``; an allowed call must
  also name a tool this proxy has seen listed, whose definition still matches its pin.
* ``resources/read`` and ``resources/subscribe``: a local ``file://`` resource is a file
  read, decided like the Read tool ([files] and the built-in protections, the path
  resolved first); other resources are not the file policy's business and pass. Every
  one is recorded.

In ``shadow`` and ``learn`` mode everything is decided and recorded but nothing is refused.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from blastshield.audit.events import AuditEvent
from blastshield.effects import Action, Decision, Effect, Mode, Verdict
from blastshield.errors import BlastshieldError
from blastshield.mcp import jsonrpc
from blastshield.mcp.audit_writer import AuditWriter
from blastshield.mcp.description_flags import flags_for
from blastshield.mcp.pins import PinStatus, PinStore, tool_hash
from blastshield.mcp.revision import Revision
from blastshield.paths import resolve
from blastshield.policy.decide import decide
from blastshield.policy.model import Policy

HOST = "mcp-proxy"
#: Requests for a resource: a local file:// one is judged as a file read.
RESOURCE_METHODS = frozenset({"resources/read", "resources/subscribe"})
_ACTION_CHARS = 4000
_RESULT_CHARS = 2000


@dataclass(frozen=True, slots=True)
class CallVerdict:
    """The outcome for one tools/call. ``error`` is the JSON-RPC error body when refused."""

    allowed: bool
    target: str
    call_id: str
    error: dict[str, Any] | None = None


@dataclass
class ToolView:
    """What this proxy knows of one tool from the server's latest tools/list."""

    definition: dict[str, Any]
    digest: str
    pin: PinStatus


@dataclass
class Gate:
    policy: Policy
    server: str
    pins: PinStore
    audit: AuditWriter
    session_id: str = field(default_factory=lambda: f"mcp-{uuid.uuid4().hex[:12]}")
    quiet: bool = False
    tools: dict[str, ToolView] = field(default_factory=dict)
    _flagged: set[str] = field(default_factory=set)
    _warned: set[str] = field(default_factory=set)

    @property
    def enforcing(self) -> bool:
        return self.policy.mode is Mode.ENFORCE

    def target(self, tool: str) -> str:
        return f"{self.server}:{tool}"

    def warn(self, text: str, key: str = "") -> None:
        if key and key in self._warned:
            return
        if key:
            self._warned.add(key)
        if not self.quiet:
            print(f"blastshield mcp-proxy: {text}", file=sys.stderr, flush=True)

    def record(self, event: AuditEvent) -> None:
        """Queue an event; a failure marks the writer broken (calls are refused from then on)."""
        self.audit.submit(event)

    # -- tools/list ---------------------------------------------------------------------------

    def filter_tools(self, result: Mapping[str, Any], revision: Revision) -> dict[str, Any]:
        """``result`` with the tools the client may see; pins, flags and drops are recorded."""
        listed = result.get("tools")
        if not isinstance(listed, list):
            return dict(result)
        tools = [t for t in listed if isinstance(t, dict) and isinstance(t.get("name"), str)]
        try:
            statuses = self.pins.observe(self.server, tools)
        except BlastshieldError as exc:
            self.warn(f"cannot check tool pins: {exc.diagnostics()}; hiding every tool", key="pins")
            statuses = dict.fromkeys((str(t["name"]) for t in tools), PinStatus.CHANGED)
        kept: list[dict[str, Any]] = []
        dropped: list[dict[str, str]] = []
        for tool in tools:
            name = str(tool["name"])
            status = statuses.get(name, PinStatus.CHANGED)
            self.tools[name] = ToolView(tool, tool_hash(tool), status)
            self._flag(tool, status)
            why = self._hidden_because(name, status)
            if why and self.enforcing:
                dropped.append({"tool": name, "why": why})
            else:
                kept.append(tool)
        new = [name for name, status in statuses.items() if status is PinStatus.NEW]
        self.record(AuditEvent(
            event="McpToolsList", host=HOST, session_id=self.session_id, tool=self.server,
            action=f"tools/list {self.server}: {len(kept)} shown, {len(dropped)} hidden",
            mode=self.policy.mode.value, policy_hash=self.policy.digest,
            extra={"server": self.server, "revision": str(revision), "shown": [t["name"] for t in kept],
                   "hidden": dropped, "pinned_now": new}))
        out = dict(result)
        out["tools"] = kept
        return out

    def _hidden_because(self, name: str, status: PinStatus) -> str:
        if status is PinStatus.CHANGED:
            return "definition changed since it was pinned; run `blastshield mcp approve " \
                   f"{self.target(name)}` after reviewing it"
        decision = self._decide(name)
        if decision.verdict is not Verdict.ALLOW:
            top = decision.deciding
            return f"policy says {decision.verdict}" + (f" ({top.reason})" if top else "")
        return ""

    def _flag(self, tool: Mapping[str, Any], status: PinStatus) -> None:
        name = str(tool["name"])
        if status is PinStatus.CHANGED:
            digest = tool_hash(tool)
            if f"changed:{name}:{digest}" not in self._flagged:
                self._flagged.add(f"changed:{name}:{digest}")
                self.warn(f"tool {self.target(name)} changed its description or input schema since it was "
                          f"pinned (a possible rug pull); it is refused until a human reviews it and runs "
                          f"`blastshield mcp approve {self.target(name)}`")
                self.record(AuditEvent(
                    event="McpToolChanged", host=HOST, session_id=self.session_id, tool=self.target(name),
                    action=f"{self.target(name)} definition changed", decision="deny",
                    applied="deny" if self.enforcing else "allow", rule=f"{self.pins.path} (pin)",
                    reason="tool definition differs from its pin", mode=self.policy.mode.value,
                    policy_hash=self.policy.digest,
                    extra={"server": self.server, "seen_hash": digest,
                           "description": str(tool.get("description", ""))[:_RESULT_CHARS]}))
        flags = flags_for(tool)
        key = f"flags:{name}:{tool_hash(tool)}"
        if flags and key not in self._flagged:
            self._flagged.add(key)
            ids = sorted({f.id for f in flags})
            self.warn(f"tool {self.target(name)} has injection-like text in its definition "
                      f"({', '.join(ids)})")
            self.record(AuditEvent(
                event="McpToolFlagged", host=HOST, session_id=self.session_id, tool=self.target(name),
                action=f"{self.target(name)}: {', '.join(ids)}", mode=self.policy.mode.value,
                reason="injection-like text in the tool definition",
                extra={"server": self.server, "flags": [{"id": f.id, "where": f.where, "excerpt": f.excerpt}
                                                       for f in flags]}))

    # -- tools/call ---------------------------------------------------------------------------

    def _decide(self, tool: str) -> Decision:
        effect = Effect.mcp(self.server, tool, origin="mcp-proxy")
        return decide(self.policy, Action(HOST, self.target(tool), self.target(tool), (effect,),
                                          self.policy.workspace))

    def judge_call(self, params: Mapping[str, Any], revision: Revision, request_id: Any) -> tuple[CallVerdict,
                                                                                                   AuditEvent]:
        """Decide one tools/call. Returns the verdict and the decision record (not yet submitted)."""
        name = params.get("name")
        tool = name if isinstance(name, str) else ""
        target = self.target(tool)
        call_id = uuid.uuid4().hex[:16]
        decision = self._decide(tool)
        rule, reason = _deciding(decision)
        verdict, applied = decision.verdict, decision.applied
        message = ""
        if not tool:
            verdict = applied = Verdict.DENY
            message = reason = "tools/call without a tool name"
        elif self.audit.broken:
            verdict = applied = Verdict.DENY
            message = reason = f"the audit log cannot be written ({self.audit.broken}); every call is refused"
        elif decision.applied is Verdict.DENY:
            message = f"blastshield denied MCP tool {target}: {reason} [{rule}]. Do not retry it another way."
        elif decision.applied is Verdict.ASK:
            message = (f"blastshield: the policy says ask for MCP tool {target} ({reason} [{rule}]), "
                       f"and the MCP proxy has nobody to ask, so the call is refused. To allow it, "
                       f"add \"{target}\" to [mcp] allow in {self.policy.path}.")
        else:
            pin_problem = self._pin_problem(tool)
            if pin_problem:
                rule, reason = f"{self.pins.path} (pin)", pin_problem
                verdict = Verdict.DENY
                applied = Verdict.DENY if self.enforcing else Verdict.ALLOW
                if self.enforcing:
                    message = f"blastshield refused MCP tool {target}: {pin_problem}"
        allowed = applied is Verdict.ALLOW
        arguments = params.get("arguments")
        args_text = json.dumps(arguments, ensure_ascii=False, default=str) if arguments is not None else "{}"
        event = AuditEvent(
            event="PreToolUse", host=HOST, session_id=self.session_id, tool_use_id=call_id, tool=target,
            action=f"tools/call {target} {args_text}"[:_ACTION_CHARS],
            effects=({"kind": "mcp", "target": target, "decision": verdict.value, "rule": rule or "analysis",
                      "reason": reason},),
            decision=verdict.value, applied=applied.value, rule=rule, reason=reason,
            policy_hash=decision.policy_hash, mode=decision.mode.value,
            extra={"server": self.server, "revision": str(revision), "request_id": jsonrpc.id_key(request_id),
                   "args_bytes": len(args_text.encode("utf-8", "replace"))})
        error = None if allowed else _refusal(message or reason, verdict, "tool", target, rule, reason)
        return CallVerdict(allowed, target, call_id, error), event

    # -- resources/read, resources/subscribe -------------------------------------------------

    def judge_resource(self, method: str, params: Mapping[str, Any], revision: Revision,
                       request_id: Any) -> tuple[CallVerdict, AuditEvent]:
        """Decide one resource request (see the module docstring)."""
        uri = params.get("uri")
        text = uri if isinstance(uri, str) else ""
        target = self.target(f"resource:{text}"[:_ACTION_CHARS])
        call_id = uuid.uuid4().hex[:16]
        path = local_file(text, self.policy.workspace) if text else None
        rule, reason = "", "not a local file: the [files] policy does not speak to it"
        verdict = applied = Verdict.ALLOW
        effects: tuple[dict[str, str], ...] = ()
        policy_hash, mode = self.policy.digest, self.policy.mode.value
        if not text:
            verdict = applied = Verdict.DENY
            reason = f"{method} without a uri"
        elif path is not None:
            effect = Effect.read(path, origin="mcp-proxy")
            decision = decide(self.policy, Action(HOST, target, f"{method} {text}", (effect,),
                                                  self.policy.workspace))
            rule, reason = _deciding(decision)
            verdict, applied = decision.verdict, decision.applied
            policy_hash, mode = decision.policy_hash, decision.mode.value
            effects = ({"kind": "read", "target": path, "decision": verdict.value, "rule": rule or "analysis",
                        "reason": reason},)
        if self.audit.broken and verdict is not Verdict.DENY:
            verdict = applied = Verdict.DENY
            reason = f"the audit log cannot be written ({self.audit.broken}); every request is refused"
        message = ""
        if applied is Verdict.DENY:
            message = f"blastshield denied {method} {text}: {reason}" + (f" [{rule}]" if rule else "")
        elif applied is Verdict.ASK:
            message = (f"blastshield: the policy says ask for reading {path} ({reason} [{rule}]), and "
                       f"the MCP proxy has nobody to ask, so the request is refused. To allow it, add the "
                       f"path to [files] read in {self.policy.path}.")
        event = AuditEvent(
            event="PreToolUse", host=HOST, session_id=self.session_id, tool_use_id=call_id, tool=target,
            action=f"{method} {text}"[:_ACTION_CHARS], effects=effects, decision=verdict.value,
            applied=applied.value, rule=rule, reason=reason, policy_hash=policy_hash, mode=mode,
            extra={"server": self.server, "revision": str(revision),
                   "request_id": jsonrpc.id_key(request_id)})
        allowed = applied is Verdict.ALLOW
        error = None if allowed else _refusal(message or reason, verdict, "resource", text, rule, reason)
        return CallVerdict(allowed, target, call_id, error), event

    def _pin_problem(self, tool: str) -> str:
        view = self.tools.get(tool)
        if view is None:
            return (f"the server did not list tool {tool!r}; blastshield forwards calls only to listed tools "
                    "whose definitions are pinned")
        try:
            status = self.pins.check(self.server, tool, view.digest)
            if status is PinStatus.NEW:  # the store lost it (deleted?): pin again
                status = self.pins.observe(self.server, [view.definition]).get(tool, PinStatus.CHANGED)
        except BlastshieldError as exc:
            return f"cannot check the tool's pin ({exc.diagnostics()})"
        view.pin = status
        if status is PinStatus.CHANGED:
            return (f"its description or input schema changed since it was pinned (a possible rug pull); "
                    f"review it, then run `blastshield mcp approve {self.target(tool)}`")
        return ""

    def outcome_event(self, verdict: CallVerdict, response: Mapping[str, Any],
                      latency_ms: float) -> AuditEvent:
        """The record of a forwarded call's result (redacted by the recorder)."""
        outcome: dict[str, object] = {}
        text = json.dumps(response.get("result", response.get("error")), ensure_ascii=False, default=str)
        outcome["result_bytes"] = len(text.encode("utf-8", "replace"))
        failed = "error" in response
        result = response.get("result")
        if failed:
            error = response.get("error")
            outcome["error"] = error if isinstance(error, dict) else str(error)
        elif isinstance(result, dict):
            outcome["is_error"] = bool(result.get("isError"))
            outcome["result"] = text[:_RESULT_CHARS]
        ok = not failed and not outcome.get("is_error")
        outcome["success"] = ok
        return AuditEvent(event="PostToolUse" if ok else "PostToolUseFailure", host=HOST,
                          session_id=self.session_id, tool_use_id=verdict.call_id, tool=verdict.target,
                          latency_ms=latency_ms, outcome=outcome, extra={"server": self.server})

    def session_event(self, event: str, **extra: object) -> AuditEvent:
        return AuditEvent(event=event, host=HOST, session_id=self.session_id, tool=self.server,
                          mode=self.policy.mode.value, policy_hash=self.policy.digest,
                          extra={"server": self.server, **extra})


def _deciding(decision: Decision) -> tuple[str, str]:
    """(rule, reason) of the effect that decided ``decision`` ("" when none did)."""
    top = decision.deciding
    rule = str(top.rule) if top is not None and top.rule is not None else ""
    return rule, top.reason if top is not None else ""


def _refusal(message: str, verdict: Verdict, what: str, name: str, rule: str, reason: str) -> dict[str, Any]:
    """The JSON-RPC error body of a refused request (``what``: "tool" or "resource")."""
    return {"code": jsonrpc.POLICY_DENIED, "message": message,
            "data": {"blastshield": {"decision": verdict.value, what: name, "rule": rule, "reason": reason}}}


def local_file(uri: str, workspace: str) -> str | None:
    """The resolved path a ``file://`` URI names on this machine; None for any other resource
    (another scheme, or a file on another host)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(uri)
    if parts.scheme.lower() != "file" or parts.netloc.lower() not in ("", "localhost"):
        return None
    return resolve(unquote(parts.path) or "/", workspace, workspace)
