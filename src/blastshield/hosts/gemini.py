"""Gemini CLI: BeforeTool/AfterTool/... in .gemini/settings.json → HookEvent; replies.

Replies: BeforeTool ``{"decision": "allow"|"deny", "reason"}``. Gemini hooks have no
ask, so an ask is a deny whose reason says which policy entry would allow it. AfterTool
findings go back to the model as ``hookSpecificOutput.additionalContext`` (appended to
the tool result). Hook timeouts in settings.json are in milliseconds.
"""

from __future__ import annotations

import os
import re
from typing import Any

from blastshield.effects import Action, Decision, Effect, Verdict
from blastshield.errors import ConfigError, PayloadError
from blastshield.hosts import glob_walk, grouped_hooks, settings_json, tools
from blastshield.hosts.approval import ask_as_deny_reason
from blastshield.hosts.base import Feedback, HookEvent, Phase

HOST = "gemini"
LABEL = "Gemini CLI"
SETTINGS = os.path.join(".gemini", "settings.json")

_PHASES = {
    "BeforeTool": Phase.PRE_TOOL,
    "AfterTool": Phase.POST_TOOL,
    "BeforeAgent": Phase.PROMPT,
    "AfterAgent": Phase.STOP,
    "SessionStart": Phase.SESSION_START,
    "SessionEnd": Phase.SESSION_END,
}
_REGISTERED: dict[str, str | None] = {
    "BeforeTool": ".*", "AfterTool": ".*", "BeforeAgent": None, "AfterAgent": None,
    "SessionStart": None, "SessionEnd": None,
}
_SHELL = frozenset({"run_shell_command", "shell"})
_READ = frozenset({"read_file"})
_WRITE = frozenset({"write_file", "replace", "edit"})
_SEARCH = frozenset({"glob", "search_file_content", "grep", "grep_search", "list_directory", "ls"})
_NO_EFFECT = frozenset({"write_todos", "ask_user", "enter_plan_mode", "exit_plan_mode"})
_PATH_KEYS = ("file_path", "absolute_path", "path")
_DIR_KEYS = ("dir_path", "path", "directory")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
GLOBAL_MEMORY = "~/.gemini/GEMINI.md"  # where save_memory appends


def _paths(data: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    """Every non-empty string among ``keys`` (different Gemini releases name the field differently)."""
    return list(dict.fromkeys(v for k in keys if isinstance(v := data.get(k), str) and v))


def _read_many(data: dict[str, Any], cwd: str) -> tuple[Effect, ...]:
    entries: list[str] = []
    for key in ("paths", "include"):
        value = data.get(key)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            entries += [v for v in value if isinstance(v, str) and v]
    if not entries:
        raise PayloadError("read_many_files.tool_input: field 'paths' is missing or empty",
                           hint="the host sent a payload blastshield cannot judge; denied")
    effects: list[Effect] = []
    for entry in entries:
        if not any(ch in entry for ch in "*?[{"):
            effects += tools.read_path(entry, cwd)
            continue
        effects += tools.search(entry, None, cwd)
        effects += _glob_reads(entry, cwd)
    return tuple(effects)


def _glob_reads(pattern: str, cwd: str) -> list[Effect]:
    """read_many_files reads what a glob matches: judge each matched file (bounded walk)."""
    found = glob_walk.glob_reads(pattern, cwd)
    effects = [Effect.read(path, cwd=cwd) for path in (*found.files, *found.linked_dirs)]
    if not found.complete:
        effects.append(Effect.read(found.root, cwd=cwd).with_floor(
            Verdict.ASK, f"read_many_files pattern {pattern!r} matches more files than blastshield "
            f"checks one by one ({glob_walk.MAX_FILES} files, {glob_walk.MAX_ENTRIES} entries visited)"))
    return effects


def _fetch(data: dict[str, Any]) -> tuple[Effect, ...]:
    url = data.get("url")
    if isinstance(url, str) and url:
        return tools.fetch_url(url)
    prompt = data.get("prompt")
    urls = _URL.findall(prompt) if isinstance(prompt, str) else []
    if not urls:
        return (Effect.net("web_fetch", None).with_floor(Verdict.DENY, "web_fetch names no http(s) URL"),)
    effects: list[Effect] = []
    for found in dict.fromkeys(u.rstrip(".,;:!?") for u in urls):
        effects += tools.fetch_url(found)
    return tuple(effects)


def _mcp_name(tool: str, context: Any, configured: list[str]) -> tuple[str, str] | None:
    """(server, tool) of an MCP tool: from mcp_context when present, else the tool's name."""
    if isinstance(context, dict):
        server, name = context.get("server_name"), context.get("tool_name")
        if isinstance(server, str) and server and isinstance(name, str) and name:
            return server, name
    if tool.startswith("mcp__"):
        server, _, name = tool[len("mcp__"):].partition("__")
        if server and name:
            return server, name
    if tool.startswith("mcp_"):
        rest = tool[len("mcp_"):]
        for server in sorted(configured, key=len, reverse=True):  # server names may hold "_"
            if rest.startswith(server + "_") and len(rest) > len(server) + 1:
                return server, rest[len(server) + 1:]
        server, _, name = rest.partition("_")
        if server and name:
            return server, name
    return None


def configured_servers(workspace: str) -> list[str]:
    """MCP server names from the project's and the user's Gemini settings (to split mcp_ names)."""
    names: list[str] = []
    for path in (os.path.join(workspace, SETTINGS), os.path.expanduser(os.path.join("~", SETTINGS))):
        try:
            servers = settings_json.load_json(path).get("mcpServers")
        except ConfigError:  # an unreadable settings file only loses the hint
            continue
        if isinstance(servers, dict):
            names += [n for n in servers if isinstance(n, str)]
    return names


def tool_effects(tool: str, data: dict[str, Any], cwd: str, workspace: str,
                 mcp_context: Any = None) -> tuple[Effect, ...]:
    """Translate one Gemini CLI tool call into effects."""
    where = f"{tool}.tool_input"
    if mcp_context is not None or tool.startswith("mcp_"):
        named = _mcp_name(tool, mcp_context, configured_servers(workspace))
        if named is not None:
            return tools.mcp_call(*named)
    if tool in _SHELL:
        dirs = _paths(data, ("dir_path", "directory"))
        run_in = os.path.join(cwd, os.path.expanduser(dirs[0])) if dirs else cwd
        return tools.shell(tools.require_str(data, "command", where), run_in, workspace)
    if tool in _READ or tool in _WRITE:
        paths = _paths(data, _PATH_KEYS)
        if not paths:
            raise PayloadError(f"{where}: field 'file_path' is missing or not a string",
                               hint="the host sent a payload blastshield cannot judge; denied")
        make = tools.read_path if tool in _READ else tools.write_path
        return tuple(e for p in paths for e in make(p, cwd))
    if tool == "read_many_files":
        return _read_many(data, cwd)
    if tool in _SEARCH:
        pattern = data.get("pattern") if tool == "glob" else None
        glob_pattern = pattern if isinstance(pattern, str) else None
        roots: list[str | None] = [*_paths(data, _DIR_KEYS)] or [None]
        return tuple(e for r in roots for e in tools.search(glob_pattern, r, cwd,
                                                            reader=tools.CONTENT_SEARCH.get(tool, "")))
    if tool == "web_fetch":
        return _fetch(data)
    if tool == "google_web_search":
        return tools.web_search()
    if tool == "save_memory":
        return tools.write_path(GLOBAL_MEMORY, cwd)
    if tool in _NO_EFFECT:
        return ()
    return tools.unknown_tool(tool)


def summarize(tool: str, data: dict[str, Any]) -> str:
    for key in ("command", "file_path", "absolute_path", "path", "dir_path", "url", "query", "pattern"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return f"{tool}: {value}"
    return tool


class GeminiAdapter:
    id = HOST
    doc = "Gemini CLI hooks in .gemini/settings.json (BeforeTool, AfterTool, agent and session events)"

    def parse(self, payload: dict[str, Any], workspace: str) -> HookEvent:
        common = tools.event_common(payload, HOST, _PHASES, workspace)
        phase, cwd = common["phase"], common["cwd"]
        if phase in (Phase.PRE_TOOL, Phase.POST_TOOL):
            tool, data = tools.tool_call(payload)
            action = None
            written: tuple[str, ...] = ()
            if phase is Phase.PRE_TOOL:
                effects = tool_effects(tool, data, cwd, workspace, payload.get("mcp_context"))
                action = Action(HOST, tool, summarize(tool, data), effects, cwd)
            elif tool in _WRITE and "mcp_context" not in payload:
                written = tuple(p if os.path.isabs(p) else os.path.join(cwd, p)
                                for p in map(os.path.expanduser, _paths(data, _PATH_KEYS)))
            return HookEvent(**common, tool=tool, action=action, written_paths=written,
                             outcome=_outcome(payload, phase))
        return HookEvent(**common, prompt=tools.prompt_text(payload))

    def reply(self, event: HookEvent, decision: Decision, reason: str) -> dict[str, Any]:
        applied = decision.applied
        if applied is Verdict.ASK:
            return {"decision": "deny", "reason": ask_as_deny_reason(decision, LABEL)}
        if applied is Verdict.DENY:
            return {"decision": "deny", "reason": reason or "blastshield denied this"}
        return {"decision": "allow", "reason": reason}

    def feedback(self, event: HookEvent, feedback: Feedback | None) -> dict[str, Any]:
        if event.phase is not Phase.POST_TOOL or feedback is None or not feedback.lines:
            return {}
        return {"hookSpecificOutput": {"hookEventName": "AfterTool",
                                       "additionalContext": "\n".join(feedback.lines)}}

    def fail_closed(self, phase: Phase | None, event_name: str, reason: str) -> dict[str, Any]:
        text = f"blastshield denied this because it could not decide safely: {reason}"
        phase = phase if phase is not None else _PHASES.get(event_name, Phase.PRE_TOOL)
        if phase in (Phase.PRE_TOOL, Phase.PROMPT):
            return {"decision": "deny", "reason": text}
        return {}

    def install(self, workspace: str, command: str) -> list[str]:
        handler = {"name": "blastshield", "type": "command", "command": command, "timeout": 30000}
        done = grouped_hooks.install(workspace, SETTINGS, _REGISTERED, handler)
        data = settings_json.load_json(os.path.join(workspace, SETTINGS))
        hooks = data.get("hooks")
        if isinstance(hooks, dict) and hooks.get("enabled") is False:
            done.append(f"{SETTINGS}: warning: hooks.enabled is false, so Gemini CLI will not run "
                        "blastshield; set it to true")
        done.append(f"{SETTINGS}: Gemini CLI has no fail-closed switch; the hook always answers "
                    "(an explicit deny when anything goes wrong); timeouts are in milliseconds")
        return done

    def uninstall(self, workspace: str) -> list[str]:
        return grouped_hooks.uninstall(workspace, SETTINGS)


def _outcome(payload: dict[str, Any], phase: Phase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if phase is not Phase.POST_TOOL:
        return out
    response = payload.get("tool_response")
    out["success"] = True
    if isinstance(response, dict):
        if response.get("error"):
            out["success"] = False
        content = response.get("llmContent")
        if isinstance(content, str):
            out["output_bytes"] = len(content.encode("utf-8", "replace"))
    return out


ADAPTER = GeminiAdapter()
