"""Codex CLI: hooks.json PreToolUse/PermissionRequest/PostToolUse/... → HookEvent; replies.

Codex validates a hook's stdout against a closed schema: an unknown field makes the hook
"failed" and the tool runs. So every reply here is exactly one of Codex's shapes:

- PreToolUse allow → ``{}`` (a bare ``permissionDecision: "allow"`` is invalid);
  deny → ``{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
  "deny", "permissionDecisionReason": "<non-empty>"}}``; ask is rejected by Codex, so
  ask → that deny, with a reason that says how to allow it.
- PermissionRequest → ``{"hookSpecificOutput": {"hookEventName": "PermissionRequest",
  "decision": {"behavior": "allow"|"deny", "message"}}}``; ask → ``{}`` (Codex prompts).
- PostToolUse findings → ``{"decision": "block", "reason": ...}``.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from blastshield.effects import Action, Decision, Effect, Verdict
from blastshield.errors import PayloadError
from blastshield.hosts import apply_patch, grouped_hooks, tools
from blastshield.hosts.approval import ask_as_deny_reason
from blastshield.hosts.base import Feedback, HookEvent, Phase

HOST = "codex"
LABEL = "Codex"
HOOKS = os.path.join(".codex", "hooks.json")

_PHASES = {
    "PreToolUse": Phase.PRE_TOOL,
    "PermissionRequest": Phase.PERMISSION,
    "PostToolUse": Phase.POST_TOOL,
    "UserPromptSubmit": Phase.PROMPT,
    "SessionStart": Phase.SESSION_START,
    "Stop": Phase.STOP,
    "SubagentStop": Phase.STOP,
}
# Events registered by `init` → matcher (a regex that matches every tool; None = no matcher).
_REGISTERED: dict[str, str | None] = {
    "PreToolUse": ".*", "PermissionRequest": ".*", "PostToolUse": ".*",
    "UserPromptSubmit": None, "SessionStart": None, "Stop": None,
}
_SHELL_TOOLS = frozenset({"Bash", "shell", "local_shell", "exec_command", "unified_exec", "container.exec"})
_PATCH_TOOLS = frozenset({"apply_patch", "Edit", "Write"})
_NO_EFFECT_TOOLS = frozenset({"update_plan", "write_stdin", "request_user_input"})


_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
_SCRIPT_FLAGS = frozenset({"-c", "-lc", "-cl", "-ic", "-lic"})


def shell_text(data: dict[str, Any], where: str) -> str:
    """A shell command as one line: Codex sends a string, some shell tools an argv list.

    Codex wraps the model's command as ``["bash", "-lc", SCRIPT]``; that wrapper is Codex's,
    not the agent's, so SCRIPT is what is judged (as it would be from any other host).
    """
    value = data.get("command")
    if isinstance(value, list) and value and all(isinstance(part, str) for part in value):
        if len(value) == 3 and os.path.basename(value[0]) in _SHELLS and value[1] in _SCRIPT_FLAGS:
            return str(value[2])
        return shlex.join(value)
    return tools.require_str(data, "command", where)


def tool_effects(tool: str, data: dict[str, Any], cwd: str, workspace: str) -> tuple[Effect, ...]:
    """Translate one Codex tool call into effects."""
    where = f"{tool}.tool_input"
    if tool in _SHELL_TOOLS:
        workdir = data.get("workdir")
        run_in = os.path.join(cwd, workdir) if isinstance(workdir, str) and workdir else cwd
        return tools.shell(shell_text(data, where), run_in, workspace)
    if tool in _PATCH_TOOLS:
        patch = data.get("command", data.get("patch", data.get("input")))
        if isinstance(patch, str) and patch:
            return apply_patch.patch_effects(patch, cwd)
        path = data.get("file_path")
        if tool != "apply_patch" and isinstance(path, str) and path:
            return tools.write_path(path, cwd)
        raise PayloadError(f"{where}: field 'command' (the patch text) is missing or not a string",
                           hint="the host sent a payload blastshield cannot judge; denied")
    if tool.startswith("mcp__"):
        server, _, name = tool[len("mcp__"):].partition("__")
        if server and name:
            return tools.mcp_call(server, name)
    if tool == "view_image":
        return tools.read_path(tools.require_str(data, "path", where), cwd)
    if tool in ("web_search", "web_search_preview"):
        return tools.web_search()
    if tool in _NO_EFFECT_TOOLS:
        return ()
    return tools.unknown_tool(tool)


def summarize(tool: str, data: dict[str, Any]) -> str:
    value = data.get("command")
    if isinstance(value, list):
        value = " ".join(str(part) for part in value)
    if isinstance(value, str) and value:
        first = value.strip().splitlines()[0] if value.strip() else value
        if tool in _PATCH_TOOLS:
            names = [f"{f.op} {f.path}" for f in _safe_patch(value)]
            return f"{tool}: {', '.join(names) or first}"
        return f"{tool}: {value}"
    return tool


def _safe_patch(text: str) -> tuple[apply_patch.PatchFile, ...]:
    try:
        return apply_patch.parse_patch(text)
    except PayloadError:
        return ()


class CodexAdapter:
    id = HOST
    doc = "Codex CLI hooks in .codex/hooks.json (PreToolUse, PermissionRequest, PostToolUse, session events)"

    def parse(self, payload: dict[str, Any], workspace: str) -> HookEvent:
        common = tools.event_common(payload, HOST, _PHASES, workspace, prompt_key="turn_id")
        phase, cwd = common["phase"], common["cwd"]
        if phase in (Phase.PRE_TOOL, Phase.PERMISSION, Phase.POST_TOOL):
            tool, data = tools.tool_call(payload)
            action = None
            if phase in (Phase.PRE_TOOL, Phase.PERMISSION):
                effects = tool_effects(tool, data, cwd, workspace)
                action = Action(HOST, tool, summarize(tool, data), effects, cwd)
            written: tuple[str, ...] = ()
            patch = data.get("command")
            if phase is Phase.POST_TOOL and tool in _PATCH_TOOLS and isinstance(patch, str):
                written = apply_patch.written_files(patch, cwd)
            return HookEvent(**common, tool=tool, action=action, written_paths=written,
                             outcome=_outcome(payload, phase))
        return HookEvent(**common, prompt=tools.prompt_text(payload))

    def reply(self, event: HookEvent, decision: Decision, reason: str) -> dict[str, Any]:
        applied = decision.applied
        if event.phase is Phase.PERMISSION:
            if applied is Verdict.ASK:
                return {}  # Codex shows its own approval prompt to the user
            behavior: dict[str, Any] = {"behavior": applied.value}
            if applied is Verdict.DENY:
                behavior["message"] = reason or "blastshield denied this"
            return {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": behavior}}
        if applied is Verdict.ALLOW:
            # shadow/learn: allowed, but tell the user what enforce mode would do (a schema field)
            return {"systemMessage": reason} if decision.verdict is not Verdict.ALLOW else {}
        text = ask_as_deny_reason(decision, LABEL) if applied is Verdict.ASK else reason
        return _deny(text or "blastshield denied this")

    def feedback(self, event: HookEvent, feedback: Feedback | None) -> dict[str, Any]:
        if event.phase is not Phase.POST_TOOL or feedback is None or not feedback.lines:
            return {}
        return {"decision": "block", "reason": "\n".join(feedback.lines)}

    def fail_closed(self, phase: Phase | None, event_name: str, reason: str) -> dict[str, Any]:
        text = f"blastshield denied this because it could not decide safely: {reason}"
        phase = phase if phase is not None else _PHASES.get(event_name, Phase.PRE_TOOL)
        if phase is Phase.PERMISSION:
            return {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                           "decision": {"behavior": "deny", "message": text}}}
        if phase is Phase.PRE_TOOL:
            return _deny(text)
        if phase is Phase.PROMPT:
            return {"decision": "block", "reason": text}
        return {}

    def install(self, workspace: str, command: str) -> list[str]:
        handler = {"type": "command", "command": command, "timeout": 30}
        done = grouped_hooks.install(workspace, HOOKS, _REGISTERED, handler)
        done.append(f"{HOOKS}: Codex runs project hooks only in a trusted project, after you review "
                    "and approve them (/hooks); it has no fail-closed switch, so the hook always "
                    "answers (an explicit deny when anything goes wrong)")
        return done

    def uninstall(self, workspace: str) -> list[str]:
        return grouped_hooks.uninstall(workspace, HOOKS)


def _deny(text: str) -> dict[str, Any]:
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": text}}


def _outcome(payload: dict[str, Any], phase: Phase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if phase is not Phase.POST_TOOL:
        return out
    response = payload.get("tool_response")
    out["success"] = True
    if isinstance(response, dict):
        for key in ("exit_code", "exitCode"):
            if isinstance(response.get(key), int):
                out["exit_code"] = response[key]
                out["success"] = response[key] == 0
        if response.get("success") is False:
            out["success"] = False
    elif isinstance(response, str):
        out["output_bytes"] = len(response.encode("utf-8", "replace"))
    return out


ADAPTER = CodexAdapter()
