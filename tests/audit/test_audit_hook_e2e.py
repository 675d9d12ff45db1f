"""End to end: the real hook records what it decided, and `log` reads it back."""

from __future__ import annotations

from typing import Any


def _payload(env: Any, event: str, path: str, tool_use_id: str, **more: Any) -> dict[str, Any]:
    return {"hook_event_name": event, "session_id": "e2e", "tool_name": "Read",
            "tool_input": {"file_path": path}, "tool_use_id": tool_use_id, "cwd": str(env.workspace), **more}


def test_hook_decisions_are_in_the_log(env: Any) -> None:
    assert env.run("init", "--host", "claude-code").code == 0
    (env.workspace / "README.md").write_text("hi\n")
    secret = env.home / ".ssh" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("key\n")
    readme = str(env.workspace / "README.md")
    allowed = env.hook("claude-code", _payload(env, "PreToolUse", readme, "toolu_a"))
    denied = env.hook("claude-code", _payload(env, "PreToolUse", str(secret), "toolu_b"))
    assert '"allow"' in allowed.stdout and '"deny"' in denied.stdout
    env.hook("claude-code", _payload(env, "PostToolUse", str(env.workspace / "README.md"), "toolu_a",
                                     tool_response={"content": "hi"}))
    records = env.run("log", "list", "--json").json()["records"]
    assert [(r["event"], r["tool_use_id"], r["decision"]) for r in records] == [
        ("PreToolUse", "toolu_a", "allow"), ("PreToolUse", "toolu_b", "deny"), ("PostToolUse", "toolu_a", "")]
    assert "[files].deny" in records[1]["rule"] and records[1]["mode"] == "enforce"
    assert records[1]["policy_hash"] and records[1]["latency_ms"] is not None
    assert records[2]["pre"] == records[0]["hash"]
    table = env.run("log", "list", "--decision", "deny").stdout.splitlines()
    assert len(table) == 2 and "← policy.toml [files].deny[" in table[1]
    assert env.run("log", "verify").code == 0
