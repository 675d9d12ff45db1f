"""Every hook call lands in the flight recorder: allows too, outcomes, prompts without text."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bs_testenv import Env


def rows(env: Env) -> list[dict[str, Any]]:
    db = sqlite3.connect(env.workspace / ".blastshield" / "audit.db")
    db.row_factory = sqlite3.Row
    cols = [r[1] for r in db.execute("PRAGMA table_info(records)")]
    assert "body" in cols or "event" in cols
    out = [dict(r) for r in db.execute("SELECT * FROM records ORDER BY seq")]
    db.close()
    return out


def test_pre_and_post_tool_use_are_recorded_and_linked(env: Env) -> None:
    assert env.run("init").code == 0
    base = {"session_id": "sess-9", "cwd": str(env.workspace), "tool_use_id": "toolu_42"}
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    pre = {**base, "hook_event_name": "PreToolUse", "tool_name": "Write",
           "tool_input": {"file_path": "notes.txt", "content": f"token={secret}"}}
    post = {**base, "hook_event_name": "PostToolUse", "tool_name": "Write",
            "tool_input": {"file_path": "notes.txt", "content": f"token={secret}"},
            "tool_response": {"success": True}, "duration_ms": 12}
    prompt = {**base, "hook_event_name": "UserPromptSubmit", "prompt": f"use {secret} please"}
    for payload in (pre, post, prompt):
        assert env.hook("claude-code", payload).code == 0
    records = rows(env)
    events = [r["event"] for r in records]
    assert events[:3] == ["PreToolUse", "PostToolUse", "UserPromptSubmit"]
    first, second, third = records[:3]
    assert first["decision"] == "allow"
    assert first["tool_use_id"] == second["tool_use_id"] == "toolu_42"
    assert first["session_id"] == "sess-9"
    dump = json.dumps(records)
    assert secret not in dump
    assert "please" not in dump
    assert "use " not in str(third.get("action", ""))


def test_denies_are_recorded_with_their_rule(env: Env) -> None:
    assert env.run("init").code == 0
    payload = {"session_id": "s", "cwd": str(env.workspace), "hook_event_name": "PreToolUse",
               "tool_name": "Read", "tool_input": {"file_path": "~/.ssh/id_rsa"}, "tool_use_id": "t1"}
    reply = env.hook("claude-code", payload).json()
    assert reply["hookSpecificOutput"]["permissionDecision"] == "deny"
    record = rows(env)[-1]
    assert record["decision"] == "deny"
    assert "~/.ssh/**" in record["rule"]


def test_unwritable_log_denies_in_enforce_mode(env: Env) -> None:
    assert env.run("init").code == 0
    db = env.workspace / ".blastshield" / "audit.db"
    db.write_bytes(b"this is not a database" * 100)
    payload = {"session_id": "s", "cwd": str(env.workspace), "hook_event_name": "PreToolUse",
               "tool_name": "Read", "tool_input": {"file_path": "README.md"}}
    result = env.hook("claude-code", payload)
    assert result.code == 0
    reply = result.json()["hookSpecificOutput"]
    assert reply["permissionDecision"] == "deny"
    assert "audit log could not record" in reply["permissionDecisionReason"]
    assert "Traceback" not in result.stderr
