"""OpenAI Agents SDK function tools under a Guard: each call is decided on its effects first.

    from agents import function_tool
    from blastshield.integrations.openai_agents import guard_function_tool

    @function_tool
    def read_file(path: str) -> str: ...

    safe_read = guard_function_tool(guard, read_file, reads="path")
    agent = Agent(name="coder", tools=[safe_read])

A refused call returns the refusal text to the model as the tool's output
(``on_deny="message"``, the default) or raises :class:`~blastshield.guard.Denied`
(``on_deny="raise"``, which fails the run). Needs ``openai-agents`` (extra
``blastshield[openai-agents]``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from blastshield.effects import Effect
from blastshield.guard import Denied, Guard
from blastshield.integrations.calls import EffectSpec, begin, finish

if TYPE_CHECKING:
    from agents import FunctionTool
    from agents.tool_context import ToolContext

OnDeny = Literal["message", "raise"]


def guard_function_tool(guard: Guard, tool: FunctionTool, *, reads: str | None = None,
                        writes: str | None = None, deletes: str | None = None, command: str | None = None,
                        url: str | None = None, mcp_server: str | None = None,
                        effects: Callable[[Mapping[str, Any]], Iterable[Effect]] | None = None,
                        on_deny: OnDeny = "message") -> FunctionTool:
    """A copy of ``tool`` whose invocations ``guard`` decides and records."""
    spec = EffectSpec(reads, writes, deletes, command, url, mcp_server, effects)
    inner = tool.on_invoke_tool
    name = tool.name

    async def invoke(context: ToolContext[Any], raw_arguments: str) -> Any:
        try:
            arguments = json.loads(raw_arguments or "{}")
        except ValueError:
            arguments = {}
        if not isinstance(arguments, dict):
            arguments = {}
        try:
            call_id, started = await asyncio.to_thread(begin, guard, spec, name, arguments)
        except Denied as exc:
            if on_deny == "raise":
                raise
            return exc.reason
        try:
            result = await inner(context, raw_arguments)
        except BaseException as exc:
            await asyncio.to_thread(finish, guard, name, call_id, started, exc)
            raise
        await asyncio.to_thread(finish, guard, name, call_id, started)
        return result

    return dataclasses.replace(tool, on_invoke_tool=invoke)
