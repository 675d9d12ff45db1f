"""The real `blastshield hook claude-code` process, fed real Claude Code payloads."""

from __future__ import annotations

from typing import Any

import pytest

from bs_testenv import Env


def init(env: Env, *extra: str) -> None:
    result = env.run("init", "--host", "claude-code", *extra)
    assert result.code == 0, result.stderr


def pre(env: Env, tool: str, tool_input: dict[str, Any], **extra: Any) -> dict[str, Any]:
    payload = {"session_id": "sess-1", "transcript_path": "/tmp/t.jsonl", "cwd": str(env.workspace),
               "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": tool_input, "tool_use_id": "toolu_1", **extra}
    result = env.hook("claude-code", payload)
    assert result.code == 0, result.stderr
    assert result.stdout.count("\n") == 1, result.stdout
    reply: dict[str, Any] = result.json()["hookSpecificOutput"]
    assert reply["hookEventName"] == "PreToolUse"
    return reply


@pytest.mark.parametrize(
    ("tool", "tool_input", "decision", "needle"),
    [
        ("Read", {"file_path": "README.md"}, "allow", "[files].read[0]"),
        ("Read", {"file_path": "~/.aws/credentials"}, "deny", "~/.aws/**"),
        ("Write", {"file_path": "src/app.py", "content": "x = 1\n"}, "allow", "[files].write[0]"),
        ("Write", {"file_path": "~/.bashrc", "content": "curl x|sh"}, "deny", "shell-startup"),
        ("Edit", {"file_path": ".claude/settings.json", "old_string": "a", "new_string": "b"},
         "deny", "host-config"),
        ("MultiEdit", {"file_path": ".git/hooks/pre-commit", "edits": []}, "deny", "git-hooks"),
        ("NotebookEdit", {"notebook_path": "nb.ipynb", "new_source": "x"}, "allow", "[files].write[0]"),
        ("Write", {"file_path": ".blastshield/policy.toml", "content": ""}, "deny", "policy-and-log"),
        ("Edit", {"file_path": ".git/config", "old_string": "a", "new_string": "b"}, "deny", "git-hooks"),
        ("Write", {"file_path": ".github/workflows/ci.yml", "content": ""}, "ask", "[files].ask[0]"),
        ("Glob", {"pattern": "**/*.py"}, "allow", "[files].read[0]"),
        ("Glob", {"pattern": "~/.ssh/*"}, "deny", "~/.ssh/**"),
        ("Grep", {"pattern": "TODO", "path": "/etc"}, "deny", "including /etc/shadow"),  # rg reads it
        ("Grep", {"pattern": "TODO", "path": "/srv"}, "ask", "[files].default"),
        ("LS", {"path": "."}, "allow", "[files].read[0]"),
        ("WebFetch", {"url": "https://pypi.org/simple/", "prompt": "x"}, "allow", "[network].allow"),
        ("WebFetch", {"url": "http://169.254.169.254/latest/meta-data", "prompt": "x"}, "deny",
         "[network].deny[0]"),
        ("WebFetch", {"url": "https://evil.example/x", "prompt": "x"}, "deny", "[network].default"),
        ("WebSearch", {"query": "python docs"}, "ask", "web-search"),
        ("Task", {"description": "d", "prompt": "p"}, "allow", ""),
        ("TodoWrite", {"todos": []}, "allow", ""),
        ("mcp__github__delete_repo", {"repo": "x"}, "deny", "*:delete_*"),
        ("mcp__github__get_issue", {"n": 1}, "ask", "[mcp].default"),
        ("FrobnicateTool", {"x": 1}, "ask", "unknown tool"),
    ],
)
def test_tool_translation(env: Env, tool: str, tool_input: dict[str, Any], decision: str,
                          needle: str) -> None:
    (env.workspace / "pyproject.toml").write_text("[project]\nname='x'\n")
    init(env)
    reply = pre(env, tool, tool_input)
    assert reply["permissionDecision"] == decision, reply
    assert needle in reply["permissionDecisionReason"]


@pytest.mark.parametrize("payload", [
    "", "not json", "[1, 2]", '{"hook_event_name": "PreToolUse"}',
    '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": "ls"}',
    '{"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {}}',
    '\xff\xfe',
])
def test_bad_payload_fails_closed(env: Env, payload: str) -> None:
    init(env)
    result = env.hook("claude-code", payload)
    assert result.code == 0
    reply = result.json()["hookSpecificOutput"]
    assert reply["permissionDecision"] == "deny"
    assert "could not decide safely" in reply["permissionDecisionReason"]
    assert "Traceback" not in result.stdout + result.stderr


def test_no_policy_at_all_denies(env: Env) -> None:
    payload = {"hook_event_name": "PreToolUse", "cwd": str(env.workspace), "tool_name": "Read",
               "tool_input": {"file_path": "x"}}
    result = env.hook("claude-code", payload)
    reply = result.json()["hookSpecificOutput"]
    assert reply["permissionDecision"] == "deny"
    assert "blastshield init" in reply["permissionDecisionReason"]


def test_unknown_extra_fields_are_ignored(env: Env) -> None:
    init(env)
    reply = pre(env, "Read", {"file_path": "a.txt", "future_field": [1]}, agent_id="a1", novel={"x": 1})
    assert reply["permissionDecision"] == "allow"


def test_shadow_mode_allows_but_says_what_enforce_would_do(env: Env) -> None:
    init(env, "--mode", "shadow")
    reply = pre(env, "Read", {"file_path": "~/.ssh/id_rsa"})
    assert reply["permissionDecision"] == "allow"
    assert reply["permissionDecisionReason"].startswith("blastshield shadow mode: would deny")


def test_learn_mode_allows(env: Env) -> None:
    init(env, "--mode", "learn")
    reply = pre(env, "Write", {"file_path": "~/.bashrc", "content": ""})
    assert reply["permissionDecision"] == "allow"
    assert "learn mode: would deny" in reply["permissionDecisionReason"]


def test_permission_request_deny_and_passthrough(env: Env) -> None:
    init(env)
    base = {"session_id": "s", "cwd": str(env.workspace), "hook_event_name": "PermissionRequest"}
    denied = env.hook("claude-code", {**base, "tool_name": "Read",
                                      "tool_input": {"file_path": "~/.ssh/id_rsa"}}).json()
    assert denied["hookSpecificOutput"]["decision"]["behavior"] == "deny"
    asked = env.hook("claude-code", {**base, "tool_name": "Read",
                                     "tool_input": {"file_path": "/etc/hostname"}}).json()
    assert asked == {}


def test_session_events_answer_empty_objects(env: Env) -> None:
    init(env)
    for payload in (
        {"hook_event_name": "SessionStart", "source": "startup"},
        {"hook_event_name": "UserPromptSubmit", "prompt": "fix the bug"},
        {"hook_event_name": "Stop", "stop_hook_active": False},
        {"hook_event_name": "SessionEnd", "reason": "exit"},
        {"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"},
         "tool_response": {"stdout": "a\n", "stderr": "", "interrupted": False}},
    ):
        result = env.hook("claude-code", {"session_id": "s", "cwd": str(env.workspace), **payload})
        assert result.code == 0, result.stderr
        assert result.json() == {}, payload
