"""One guarded tool call, framework-free: arguments → effects → decision → record → outcome.

An :class:`EffectSpec` names which arguments carry a path, a shell command or a URL (or
that the tool is an MCP server's tool, or gives a function of the arguments that returns
effects). A tool that declares nothing is an unknown tool: at least ``ask``, which a
library call refuses unless the Guard has an ``on_ask`` callback that approves.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from blastshield.effects import Effect
from blastshield.guard import Guard

_SUMMARY_CHARS = 500


@dataclass(frozen=True, slots=True)
class EffectSpec:
    reads: str | None = None
    writes: str | None = None
    deletes: str | None = None
    command: str | None = None
    url: str | None = None
    mcp_server: str | None = None
    effects: Callable[[Mapping[str, Any]], Iterable[Effect]] | None = None

    def of(self, guard: Guard, tool: str, arguments: Mapping[str, Any]) -> list[Effect]:
        from blastshield.hosts import tools

        workspace = guard.policy.workspace
        found: list[Effect] = list(self.effects(arguments)) if self.effects is not None else []
        paths = ((self.reads, Effect.read), (self.writes, Effect.write), (self.deletes, Effect.delete))
        for param, make in paths:
            if param is not None:
                value = arguments.get(param)
                if value is None:
                    found.extend(tools.unknown_tool(f"{tool}: no {param!r} argument"))
                else:
                    found.append(make(os.fspath(value), cwd=workspace))
        if self.command is not None:
            from blastshield.shell import analyze

            found.extend(analyze(str(arguments.get(self.command, "")), cwd=workspace, workspace=workspace,
                                 non_interactive=True))
        if self.url is not None:
            found.extend(tools.fetch_url(str(arguments.get(self.url, ""))))
        if self.mcp_server is not None:
            found.append(Effect.mcp(self.mcp_server, tool))
        if not found:
            found.extend(tools.unknown_tool("python-tool-without-declared-effects"))
        return found


def summary(tool: str, arguments: Mapping[str, Any]) -> str:
    text = json.dumps(dict(arguments), ensure_ascii=False, default=str)
    return f"{tool}({text})"[:_SUMMARY_CHARS]


def begin(guard: Guard, spec: EffectSpec, tool: str, arguments: Mapping[str, Any]) -> tuple[str, float]:
    """Decide and record the call; raises :class:`~blastshield.guard.Denied` when refused."""
    decision = guard.check(spec.of(guard, tool, arguments), tool)
    call_id = uuid.uuid4().hex[:16]
    guard.enforce(decision, tool, summary(tool, arguments), call_id)
    return call_id, time.perf_counter()


def finish(guard: Guard, tool: str, call_id: str, started: float, error: BaseException | None = None) -> None:
    """Record how the call ended (success, or the exception's type)."""
    guard.record_outcome(tool, call_id, started, success=error is None,
                         error=type(error).__name__ if error else "")
