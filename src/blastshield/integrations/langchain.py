"""LangChain tools under a Guard: each call is decided on its effects before the tool runs.

    from blastshield.guard import Guard
    from blastshield.integrations.langchain import guard_tool

    guard = Guard.from_policy(".blastshield/policy.toml")
    safe_read = guard_tool(guard, read_file_tool, reads="path")
    safe_shell = guard_tool(guard, shell_tool, command="command")

A refused call becomes the tool's output text (``on_deny="message"``, the default: the
model reads why and can change course), or raises :class:`~blastshield.guard.Denied`
(``on_deny="raise"``). Needs ``langchain-core`` (extra ``blastshield[langchain]``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from blastshield.effects import Effect
from blastshield.guard import Denied, Guard
from blastshield.integrations.calls import EffectSpec, begin, finish

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

OnDeny = Literal["message", "raise"]


def guard_tool(guard: Guard, tool: BaseTool, *, reads: str | None = None, writes: str | None = None,
               deletes: str | None = None, command: str | None = None, url: str | None = None,
               mcp_server: str | None = None,
               effects: Callable[[Mapping[str, Any]], Iterable[Effect]] | None = None,
               on_deny: OnDeny = "message") -> BaseTool:
    """A copy of ``tool`` (same name, description and argument schema) that asks ``guard`` first."""
    from langchain_core.tools import StructuredTool, ToolException

    spec = EffectSpec(reads, writes, deletes, command, url, mcp_server, effects)
    name = tool.name

    def refuse(exc: Denied) -> NoReturn:
        if on_deny == "raise":
            raise exc
        raise ToolException(exc.reason) from exc

    def run(**arguments: Any) -> Any:
        try:
            call_id, started = begin(guard, spec, name, arguments)
        except Denied as exc:
            refuse(exc)
        try:
            result = tool.invoke(arguments)
        except BaseException as exc:
            finish(guard, name, call_id, started, exc)
            raise
        finish(guard, name, call_id, started)
        return result

    async def arun(**arguments: Any) -> Any:
        try:
            call_id, started = await asyncio.to_thread(begin, guard, spec, name, arguments)
        except Denied as exc:
            refuse(exc)
        try:
            result = await tool.ainvoke(arguments)
        except BaseException as exc:
            await asyncio.to_thread(finish, guard, name, call_id, started, exc)
            raise
        await asyncio.to_thread(finish, guard, name, call_id, started)
        return result

    return StructuredTool.from_function(func=run, coroutine=arun, name=name, description=tool.description,
                                        args_schema=tool.args_schema, return_direct=tool.return_direct,
                                        handle_tool_error=on_deny == "message")


def guard_tools(guard: Guard, tools: Iterable[BaseTool], specs: Mapping[str, Mapping[str, Any]] | None = None,
                on_deny: OnDeny = "message") -> list[BaseTool]:
    """Guard several tools; ``specs`` maps a tool name to :func:`guard_tool` keyword arguments."""
    table = specs or {}
    return [guard_tool(guard, t, on_deny=on_deny, **dict(table.get(t.name, {}))) for t in tools]
