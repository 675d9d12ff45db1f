"""What every host adapter provides, and the host-neutral event it produces."""

from __future__ import annotations

import enum
from typing import Any, Protocol

from blastshield.effects import Action, Decision
from blastshield.values import FrozenValue


class Phase(enum.StrEnum):
    """Where in the agent's loop an event sits."""

    PRE_TOOL = "pre_tool"  # decide: allow / ask / deny
    PERMISSION = "permission"  # the host is about to prompt the user: allow / deny
    POST_TOOL = "post_tool"  # the tool ran: record the outcome, maybe scan what it wrote
    POST_TOOL_FAILURE = "post_tool_failure"
    PROMPT = "prompt"  # the user submitted a prompt
    SESSION_START = "session_start"
    SESSION_END = "session_end"
    STOP = "stop"
    OTHER = "other"


class HookEvent(FrozenValue):
    """One host event in blastshield's vocabulary."""

    __slots__ = ("action", "cwd", "host", "name", "outcome", "phase", "prompt", "prompt_id", "session_id",
                 "tool", "tool_use_id", "written_paths")
    host: str
    name: str  # the host's own event name
    phase: Phase
    session_id: str
    prompt_id: str
    tool_use_id: str
    tool: str
    cwd: str
    action: Action | None  # for tool events
    written_paths: tuple[str, ...]  # files the tool wrote (post-tool scanning)
    outcome: dict[str, Any]
    prompt: str

    def __init__(self, host: str, name: str, phase: Phase, session_id: str = "", prompt_id: str = "",
                 tool_use_id: str = "", tool: str = "", cwd: str = "", action: Action | None = None,
                 written_paths: tuple[str, ...] = (), outcome: dict[str, Any] | None = None,
                 prompt: str = "") -> None:
        for slot, value in (("host", host), ("name", name), ("phase", phase), ("session_id", session_id),
                            ("prompt_id", prompt_id), ("tool_use_id", tool_use_id), ("tool", tool),
                            ("cwd", cwd), ("action", action), ("written_paths", written_paths),
                            ("outcome", {} if outcome is None else outcome), ("prompt", prompt)):
            object.__setattr__(self, slot, value)


class Feedback(FrozenValue):
    """Scanner findings to hand back to the agent after it wrote a file (plain text lines)."""

    __slots__ = ("lines",)
    lines: tuple[str, ...]

    def __init__(self, lines: tuple[str, ...]) -> None:
        object.__setattr__(self, "lines", lines)


class HostAdapter(Protocol):
    """One agent host: its payload → HookEvent, a decision → its reply, its installation."""

    id: str
    doc: str

    def parse(self, payload: dict[str, Any], workspace: str) -> HookEvent:
        """Translate a payload; raise PayloadError when a required field is missing."""

    def reply(self, event: HookEvent, decision: Decision, reason: str) -> dict[str, Any]:
        """The host's documented answer to a pre-tool or permission event."""

    def feedback(self, event: HookEvent, feedback: Feedback | None) -> dict[str, Any]:
        """The answer to any other event (post-tool findings, or nothing)."""

    def fail_closed(self, phase: Phase | None, event_name: str, reason: str) -> dict[str, Any]:
        """An explicit deny when anything went wrong."""

    def install(self, workspace: str, command: str) -> list[str]:
        """Register the hook in the host's config; return what was done (one line each)."""

    def uninstall(self, workspace: str) -> list[str]:
        """Remove blastshield's entries from the host's config; return what was done."""
