"""Cursor: .cursor/hooks.json events → HookEvent; decisions → Cursor's flat replies.

Replies: ``{"permission": "allow"|"ask"|"deny", "user_message", "agent_message"}`` on
beforeShellExecution, beforeMCPExecution and preToolUse; the model was seen to receive
``user_message``, so the model-facing reason goes there too. ``ask`` is honoured only on
the shell and MCP events: on beforeReadFile and on preToolUse for any other tool, an
ask is a deny that says how to allow it; on preToolUse for Shell and MCP tools an ask is
left to beforeShellExecution/beforeMCPExecution (Cursor fires both for one call), which
ask the user. An allow is always printed explicitly (with failClosed an empty answer
blocks). beforeSubmitPrompt answers ``{"continue": true|false}``.

afterFileEdit's output is ignored by Cursor, so findings from scanning the edited file
are kept in blastshield's state folder and handed to the agent at ``stop`` as a
``followup_message`` (Cursor submits it as the next message).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from blastshield.effects import Action, Decision, Effect, Verdict
from blastshield.errors import ConfigError, PayloadError
from blastshield.hosts import settings_json, tools
from blastshield.hosts.approval import ask_as_deny_reason
from blastshield.hosts.base import Feedback, HookEvent, Phase

HOST = "cursor"
LABEL = "Cursor"
HOOKS = os.path.join(".cursor", "hooks.json")
MCP_CONFIG = os.path.join(".cursor", "mcp.json")
STATE_DIR = os.path.join(".blastshield", "state")

_PHASES = {
    "preToolUse": Phase.PRE_TOOL,
    "beforeShellExecution": Phase.PRE_TOOL,
    "beforeMCPExecution": Phase.PRE_TOOL,
    "beforeReadFile": Phase.PRE_TOOL,
    "postToolUse": Phase.POST_TOOL,
    "afterFileEdit": Phase.POST_TOOL,
    "afterShellExecution": Phase.POST_TOOL,
    "afterMCPExecution": Phase.POST_TOOL,
    "postToolUseFailure": Phase.POST_TOOL_FAILURE,
    "beforeSubmitPrompt": Phase.PROMPT,
    "sessionStart": Phase.SESSION_START,
    "sessionEnd": Phase.SESSION_END,
    "stop": Phase.STOP,
}
_REGISTERED = ("preToolUse", "postToolUse", "postToolUseFailure", "beforeShellExecution",
               "beforeMCPExecution", "beforeReadFile", "afterFileEdit", "beforeSubmitPrompt",
               "sessionStart", "sessionEnd", "stop")
_SHELL = frozenset({"Shell", "Bash", "Terminal", "run_terminal_cmd"})
_READ = frozenset({"Read", "read_file", "ReadFile"})
_WRITE = frozenset({"Write", "Edit", "StrReplace", "MultiEdit", "edit_file", "search_replace",
                    "EditNotebook", "NotebookEdit", "ApplyPatch"})
_DELETE = frozenset({"Delete", "delete_file"})
_SEARCH = frozenset({"Grep", "Glob", "LS", "ListDir", "list_dir", "grep_search", "file_search",
                     "codebase_search", "SemanticSearch", "glob_file_search"})
_NO_EFFECT = frozenset({"Task", "TodoWrite", "todo_write", "ReadLints", "read_lints"})
_PATH_KEYS = ("file_path", "path", "target_file", "target_notebook", "filePath")
_MCP_PREFIX = "MCP:"
UNKNOWN_SERVER = "unknown-server"  # Cursor did not say which server; *:tool rules still match


def _object(value: Any, where: str) -> dict[str, Any]:
    """Cursor sends tool_input as an object or (beforeMCPExecution) as a JSON string."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise PayloadError(f"{where}: tool_input is a string but not JSON ({exc.msg})",
                               hint="the host sent a payload blastshield cannot judge; denied") from exc
    return value if isinstance(value, dict) else {}


def _first_path(data: dict[str, Any], where: str) -> str:
    for key in _PATH_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    raise PayloadError(f"{where}: field 'file_path' is missing or not a string",
                       hint="the host sent a payload blastshield cannot judge; denied")


def mcp_server(payload: dict[str, Any], workspace: str) -> str:
    """The MCP server of a beforeMCPExecution call: named in the payload, else found in
    .cursor/mcp.json (project, then user) by its url or command line."""
    for key in ("server_name", "server"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    url, command = payload.get("url"), payload.get("command")
    for path in (os.path.join(workspace, MCP_CONFIG), os.path.expanduser(os.path.join("~", MCP_CONFIG))):
        try:
            servers = settings_json.load_json(path).get("mcpServers")
        except ConfigError:
            continue
        if not isinstance(servers, dict):
            continue
        for name, spec in servers.items():
            if isinstance(spec, dict) and _same_server(spec, url, command):
                return str(name)
    return UNKNOWN_SERVER


def _same_server(spec: dict[str, Any], url: Any, command: Any) -> bool:
    if isinstance(url, str) and url:
        return spec.get("url") == url or spec.get("serverUrl") == url
    if isinstance(command, str) and command and isinstance(spec.get("command"), str):
        raw_args = spec.get("args")
        args: list[Any] = raw_args if isinstance(raw_args, list) else []
        line = " ".join([spec["command"], *(str(a) for a in args)])
        return command in (spec["command"], line)
    return False


def _split_mcp(name: str) -> tuple[str | None, str]:
    """'MCP:server:tool' → (server, tool); 'MCP:tool' or 'tool' → (None, tool)."""
    rest = name[len(_MCP_PREFIX):] if name.startswith(_MCP_PREFIX) else name
    server, sep, tool = rest.partition(":")
    return (server, tool) if sep and server and tool else (None, rest)


def pre_tool_effects(tool: str, data: dict[str, Any], cwd: str, workspace: str) -> tuple[Effect, ...]:
    """preToolUse: Cursor's own tool names → effects."""
    where = f"{tool}.tool_input"
    if tool in _SHELL:
        run_in = data.get("cwd") if isinstance(data.get("cwd"), str) and data.get("cwd") else cwd
        return tools.shell(tools.require_str(data, "command", where), str(run_in), workspace)
    if tool in _READ:
        return tools.read_path(_first_path(data, where), cwd)
    if tool in _WRITE:
        return tools.write_path(_first_path(data, where), cwd)
    if tool in _DELETE:
        return (Effect.delete(_first_path(data, where), cwd=cwd),)
    if tool in _SEARCH:
        pattern = data.get("glob_pattern", data.get("pattern")) if tool != "Grep" else None
        root = next((v for k in ("path", "target_directory", "directory") if isinstance(v := data.get(k), str)
                     and v), None)
        return tools.search(pattern if isinstance(pattern, str) else None, root, cwd,
                            reader=tools.CONTENT_SEARCH.get(tool, ""))
    if tool in ("WebFetch", "fetch", "web_fetch"):
        return tools.fetch_url(tools.require_str(data, "url", where))
    if tool in ("WebSearch", "web_search"):
        return tools.web_search()
    if tool.startswith(_MCP_PREFIX):
        server, name = _split_mcp(tool)
        return tools.mcp_call(server or UNKNOWN_SERVER, name)
    if tool in _NO_EFFECT:
        return ()
    return tools.unknown_tool(tool)


def _summary(tool: str, data: dict[str, Any]) -> str:
    for key in ("command", *_PATH_KEYS, "url", "query", "pattern"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return f"{tool}: {value}"
    return tool


class CursorAdapter:
    id = HOST
    doc = "Cursor hooks in .cursor/hooks.json (preToolUse, shell, MCP, read, edit, prompt, stop)"

    def __init__(self) -> None:
        self._state = ""  # the workspace's state folder, set by parse (one process per hook call)

    def parse(self, payload: dict[str, Any], workspace: str) -> HookEvent:
        self._state = os.path.join(workspace, STATE_DIR)
        roots = payload.get("workspace_roots")
        root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else ""
        common = tools.event_common(payload, HOST, _PHASES, workspace, session_key="conversation_id",
                                    prompt_key="generation_id", cwd_default=root)
        name, phase, cwd = common["name"], common["phase"], common["cwd"]
        if phase is Phase.PRE_TOOL:
            tool, data, effects = self._pre(name, payload, cwd, workspace)
            action = Action(HOST, tool, _summary(tool, data), effects, cwd)
            return HookEvent(**common, tool=tool, action=action)
        if phase in (Phase.POST_TOOL, Phase.POST_TOOL_FAILURE):
            return self._post(name, payload, common)
        return HookEvent(**common, prompt=tools.prompt_text(payload))

    def _pre(self, name: str, payload: dict[str, Any], cwd: str,
             workspace: str) -> tuple[str, dict[str, Any], tuple[Effect, ...]]:
        if name == "beforeShellExecution":
            command = tools.require_str(payload, "command", "beforeShellExecution payload")
            return "Shell", {"command": command}, tools.shell(command, cwd, workspace)
        if name == "beforeReadFile":
            path = tools.require_str(payload, "file_path", "beforeReadFile payload")
            effects = list(tools.read_path(path, cwd))
            for item in payload.get("attachments") or []:
                attached = item.get("file_path", item.get("filePath")) if isinstance(item, dict) else None
                if isinstance(attached, str) and attached:
                    effects += tools.read_path(attached, cwd)
            return "Read", {"file_path": path}, tuple(effects)
        if name == "beforeMCPExecution":
            raw = tools.require_str(payload, "tool_name", "beforeMCPExecution payload")
            _object(payload.get("tool_input"), "beforeMCPExecution payload")
            server, tool = _split_mcp(raw)
            server = server or mcp_server(payload, workspace)
            return f"MCP:{server}:{tool}", {}, tools.mcp_call(server, tool)
        tool = tools.require_str(payload, "tool_name", "preToolUse payload")
        data = _object(payload.get("tool_input"), "preToolUse payload")
        return tool, data, pre_tool_effects(tool, data, cwd, workspace)

    def _post(self, name: str, payload: dict[str, Any], common: dict[str, Any]) -> HookEvent:
        cwd = common["cwd"]
        written: tuple[str, ...] = ()
        if name == "afterFileEdit":
            path = tools.require_str(payload, "file_path", "afterFileEdit payload")
            written = (path if os.path.isabs(path) else os.path.join(cwd, path),)
            tool = "Edit"
        else:
            tool = str(payload.get("tool_name") or ("Shell" if "Shell" in name else name))
        outcome: dict[str, Any] = {"success": name != "postToolUseFailure"}
        if isinstance(payload.get("duration"), int | float):
            outcome["duration_ms"] = payload["duration"]
        if name == "postToolUseFailure":
            outcome["error"] = str(payload.get("error_message") or "")[:2000]
        return HookEvent(**common, tool=tool, written_paths=written, outcome=outcome)

    def reply(self, event: HookEvent, decision: Decision, reason: str) -> dict[str, Any]:
        applied = decision.applied
        if applied is Verdict.ASK:
            if event.name in ("beforeShellExecution", "beforeMCPExecution"):
                return _permission("ask", reason)
            if event.name == "preToolUse" and (event.tool in _SHELL or event.tool.startswith(_MCP_PREFIX)):
                later = "beforeShellExecution" if event.tool in _SHELL else "beforeMCPExecution"
                return _permission("allow", f"{reason} (the user is asked at {later})")
            return _permission("deny", ask_as_deny_reason(decision, LABEL))
        return _permission(applied.value, reason or f"blastshield: {applied}")

    def feedback(self, event: HookEvent, feedback: Feedback | None) -> dict[str, Any]:
        if event.phase is Phase.PROMPT:
            return {"continue": True}
        if feedback is not None and feedback.lines and event.phase is Phase.POST_TOOL:
            self._keep_findings(event.session_id, feedback)
            return {}
        if event.phase is Phase.STOP:
            pending = self._take_findings(event.session_id)
            return {"followup_message": pending} if pending else {}
        return {}

    def fail_closed(self, phase: Phase | None, event_name: str, reason: str) -> dict[str, Any]:
        text = f"blastshield denied this because it could not decide safely: {reason}"
        phase = phase if phase is not None else _PHASES.get(event_name, Phase.PRE_TOOL)
        if phase is Phase.PROMPT:
            return {"continue": False, "user_message": text}
        if phase is Phase.PRE_TOOL:
            return _permission("deny", text)
        return {}

    def install(self, workspace: str, command: str) -> list[str]:
        path = os.path.join(workspace, HOOKS)
        data = settings_json.load_json(path)
        data.setdefault("version", 1)
        hooks = settings_json.table(data, "hooks", path)
        handler = {"command": command, "timeout": 30, "failClosed": True}
        done: list[str] = []
        for event in _REGISTERED:
            entries = settings_json.event_list(hooks, event, path)
            entries[:] = [h for h in entries if not settings_json.is_ours(h)]
            entries.append(dict(handler))
            done.append(f"{HOOKS}: {event} → {command} (failClosed)")
        settings_json.write_json(path, data)
        return done

    def uninstall(self, workspace: str) -> list[str]:
        path = os.path.join(workspace, HOOKS)
        if not os.path.exists(path):
            return [f"{HOOKS}: not present, nothing to remove"]
        data = settings_json.load_json(path)
        hooks = data.get("hooks")
        removed = 0
        if isinstance(hooks, dict):
            for event in list(hooks):
                entries = hooks[event]
                if isinstance(entries, list):
                    kept = [h for h in entries if not settings_json.is_ours(h)]
                    removed += len(entries) - len(kept)
                    if kept:
                        hooks[event] = kept
                    else:
                        del hooks[event]
        settings_json.write_json(path, data)
        return [f"{HOOKS}: removed {removed} blastshield hook(s)"]

    def _pending_path(self, session: str) -> str:
        digest = hashlib.sha256(session.encode("utf-8")).hexdigest()[:16]
        return os.path.join(self._state, f"cursor-findings-{digest}.txt")

    def _keep_findings(self, session: str, feedback: Feedback) -> None:
        os.makedirs(self._state, exist_ok=True)
        with open(self._pending_path(session), "a", encoding="utf-8") as handle:
            handle.write("\n".join(feedback.lines) + "\n")

    def _take_findings(self, session: str) -> str:
        path = self._pending_path(session)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read().strip()
            os.unlink(path)
        except OSError:
            return ""
        return text


def _permission(verdict: str, text: str) -> dict[str, Any]:
    return {"permission": verdict, "user_message": text, "agent_message": text}


ADAPTER = CursorAdapter()
