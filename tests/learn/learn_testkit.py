"""Helpers for learn/review/report tests: Claude Code payloads through the real hook, a terminal on stdin.

Import with ``from learn_testkit import ...`` (tests/report adds this folder to sys.path).
"""

from __future__ import annotations

import itertools
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

from bs_testenv import Env, Result

_ids = itertools.count(1)


def payload(env: Env, tool: str, tool_input: dict[str, Any], *, session: str = "sess-a",
            event: str = "PreToolUse", tool_use_id: str | None = None) -> dict[str, Any]:
    return {"session_id": session, "transcript_path": f"{env.home}/.claude/projects/x/{session}.jsonl",
            "cwd": str(env.workspace), "permission_mode": "default", "hook_event_name": event,
            "tool_name": tool, "tool_input": tool_input,
            "tool_use_id": tool_use_id or f"toolu_{next(_ids):05d}"}


def call(env: Env, tool: str, tool_input: dict[str, Any], **kw: Any) -> str:
    """One PreToolUse through the real hook; returns the permission decision Claude Code is told."""
    result = env.hook("claude-code", payload(env, tool, tool_input, **kw))
    assert result.code == 0, result.stderr
    decision: str = result.json()["hookSpecificOutput"]["permissionDecision"]
    return decision


def bash(env: Env, command: str, **kw: Any) -> str:
    return call(env, "Bash", {"command": command}, **kw)


def write_policy(env: Env, text: str) -> Path:
    folder = env.workspace / ".blastshield"
    folder.mkdir(exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_on_tty(env: Env, *args: str, extra_env: dict[str, str] | None = None) -> Result:
    """The real CLI with a pseudo-terminal on stdin (a person at a terminal)."""
    primary, secondary = pty.openpty()
    environ = {**env.environ, **(extra_env or {})}
    try:
        proc = subprocess.run([sys.executable, "-m", "blastshield", *args], stdin=secondary,
                              capture_output=True, cwd=env.workspace, env=environ, timeout=60, check=False)
    finally:
        os.close(secondary)
        os.close(primary)
    return Result(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))


def learn_json(env: Env, *args: str) -> dict[str, Any]:
    result = env.run("learn", "--json", *args)
    assert result.code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def commit_all(env: Env, message: str = "the project") -> None:
    """Track and commit every file of the workspace but .blastshield/ (a project under git)."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=env.workspace, env=env.environ, check=True, capture_output=True)

    git("add", "--all", "--", ".", ":(exclude).blastshield")
    git("commit", "-q", "-m", message)
