"""Claude Code: PreToolUse/PostToolUse/... payloads → HookEvent; decisions → its replies.

Reference: the Claude Code hooks documentation (see ../shared/HOSTS.md and docs/hosts.md).
"""

from __future__ import annotations

import os
from typing import Any

from blastshield.effects import Action, Decision, Effect, Verdict
from blastshield.hosts import grouped_hooks, tools
from blastshield.hosts.base import Feedback, HookEvent, Phase

HOST = "claude-code"
SETTINGS = os.path.join(".claude", "settings.json")

_PHASES = {
    "PreToolUse": Phase.PRE_TOOL,
    "PermissionRequest": Phase.PERMISSION,
    "PostToolUse": Phase.POST_TOOL,
    "PostToolUseFailure": Phase.POST_TOOL_FAILURE,
    "UserPromptSubmit": Phase.PROMPT,
    "SessionStart": Phase.SESSION_START,
    "SessionEnd": Phase.SESSION_END,
    "Stop": Phase.STOP,
    "SubagentStop": Phase.STOP,
}
# Events registered by `init`, with whether they carry a tool (and need the "*" matcher).
_REGISTERED = {
    "PreToolUse": True, "PostToolUse": True, "PostToolUseFailure": True,
    "PermissionRequest": True, "UserPromptSubmit": False, "SessionStart": False,
    "SessionEnd": False, "Stop": False,
}
_NO_EFFECT_TOOLS = frozenset(
    {"Task", "Agent", "TodoWrite", "ExitPlanMode", "BashOutput", "KillShell", "KillBash", "TaskOutput"}
)
_WRITE_TOOLS = {"Write": "file_path", "Edit": "file_path", "MultiEdit": "file_path",
                "NotebookEdit": "notebook_path"}


def tool_effects(tool: str, data: dict[str, Any], cwd: str, workspace: str) -> tuple[Effect, ...]:
    """Translate one Claude Code tool call into effects."""
    where = f"{tool}.tool_input"
    if tool == "Bash":
        return tools.shell(tools.require_str(data, "command", where), cwd, workspace)
    if tool == "Read":
        return tools.read_path(tools.require_str(data, "file_path", where), cwd)
    if tool in _WRITE_TOOLS:
        return tools.write_path(tools.require_str(data, _WRITE_TOOLS[tool], where), cwd)
    if tool in ("Glob", "Grep", "LS"):
        path = data.get("path")
        pattern = data.get("pattern")
        only = data.get("glob") if tool == "Grep" else None
        return tools.search(pattern if isinstance(pattern, str) else None,
                            path if isinstance(path, str) and path else None, cwd,
                            reader=tools.CONTENT_SEARCH.get(tool, ""),
                            only=only if isinstance(only, str) else None)
    if tool == "WebFetch":
        return tools.fetch_url(tools.require_str(data, "url", where))
    if tool == "WebSearch":
        return tools.web_search()
    if tool in _NO_EFFECT_TOOLS:
        return ()
    if tool.startswith("mcp__"):
        server, _, name = tool[len("mcp__"):].partition("__")
        if server and name:
            return tools.mcp_call(server, name)
    return tools.unknown_tool(tool)


def summarize(tool: str, data: dict[str, Any]) -> str:
    for key in ("command", "file_path", "notebook_path", "url", "query", "pattern", "path"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return f"{tool}: {value}"
    return tool


class ClaudeCodeAdapter:
    id = HOST
    doc = "Claude Code hooks in .claude/settings.json (PreToolUse, PostToolUse, and session events)"

    def parse(self, payload: dict[str, Any], workspace: str) -> HookEvent:
        common = tools.event_common(payload, HOST, _PHASES, workspace)
        phase, cwd = common["phase"], common["cwd"]
        if phase in (Phase.PRE_TOOL, Phase.PERMISSION, Phase.POST_TOOL, Phase.POST_TOOL_FAILURE):
            tool, data = tools.tool_call(payload)
            action = None
            if phase in (Phase.PRE_TOOL, Phase.PERMISSION):
                effects = tool_effects(tool, data, cwd, workspace)
                action = Action(HOST, tool, summarize(tool, data), effects, cwd)
            written: tuple[str, ...] = ()
            if phase is Phase.POST_TOOL and tool in _WRITE_TOOLS:
                path = data.get(_WRITE_TOOLS[tool])
                if isinstance(path, str) and path:
                    written = (path if os.path.isabs(path) else os.path.join(cwd, path),)
            return HookEvent(**common, tool=tool, action=action, written_paths=written,
                             outcome=_outcome(payload, phase))
        return HookEvent(**common, prompt=tools.prompt_text(payload))

    def reply(self, event: HookEvent, decision: Decision, reason: str) -> dict[str, Any]:
        if event.phase is Phase.PERMISSION:
            if decision.applied is Verdict.ALLOW:
                behavior: dict[str, Any] = {"behavior": "allow"}
            elif decision.applied is Verdict.DENY:
                behavior = {"behavior": "deny", "message": reason}
            else:
                return {}  # ask: let the host show its own prompt to the user
            return {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": behavior}}
        return {"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                       "permissionDecision": decision.applied.value,
                                       "permissionDecisionReason": reason}}

    def feedback(self, event: HookEvent, feedback: Feedback | None) -> dict[str, Any]:
        if feedback is None or not feedback.lines:
            return {}
        return {"decision": "block", "reason": "\n".join(feedback.lines)}

    def fail_closed(self, phase: Phase | None, event_name: str, reason: str) -> dict[str, Any]:
        text = f"blastshield denied this because it could not decide safely: {reason}"
        if phase is Phase.PERMISSION:
            return {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                           "decision": {"behavior": "deny", "message": text}}}
        if phase in (None, Phase.PRE_TOOL):
            return {"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                           "permissionDecision": "deny",
                                           "permissionDecisionReason": text}}
        if phase is Phase.PROMPT:
            return {"decision": "block", "reason": text}
        return {}

    def install(self, workspace: str, command: str) -> list[str]:
        handler = {"type": "command", "command": command, "timeout": 30, "onFailure": "block"}
        events = {event: ("*" if with_tool else None) for event, with_tool in _REGISTERED.items()}
        return grouped_hooks.install(workspace, SETTINGS, events, handler)

    def uninstall(self, workspace: str) -> list[str]:
        return grouped_hooks.uninstall(workspace, SETTINGS)


def _outcome(payload: dict[str, Any], phase: Phase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if phase is Phase.POST_TOOL_FAILURE:
        out["success"] = False
        out["error"] = str(payload.get("error") or "")[:2000]
        out["is_interrupt"] = bool(payload.get("is_interrupt"))
    elif phase is Phase.POST_TOOL:
        response = payload.get("tool_response")
        out["success"] = True
        if isinstance(response, dict):
            for key in ("exit_code", "exitCode", "returncode"):
                if isinstance(response.get(key), int):
                    out["exit_code"] = response[key]
                    out["success"] = response[key] == 0
            for key in ("stdout", "stderr", "output", "content"):
                value = response.get(key)
                if isinstance(value, str):
                    out[f"{key}_bytes"] = len(value.encode("utf-8", "replace"))
            if response.get("interrupted") is True or response.get("success") is False:
                out["success"] = False
        elif isinstance(response, str):
            out["output_bytes"] = len(response.encode("utf-8", "replace"))
    if isinstance(payload.get("duration_ms"), int | float):
        out["duration_ms"] = payload["duration_ms"]
    return out


ADAPTER = ClaudeCodeAdapter()
