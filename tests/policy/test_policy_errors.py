"""A broken policy is one line naming file, line, key and the fix; exit 2; hooks deny."""

from __future__ import annotations

import json

import pytest

from bs_testenv import Env

GOOD_HEAD = 'version = 1\nmode = "enforce"\n'


def write_policy(env: Env, text: str) -> str:
    path = env.workspace / ".blastshield" / "policy.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (GOOD_HEAD + "[files\nread = []\n", ["invalid TOML", "line 3"]),
        (GOOD_HEAD + "[files]\nreed = []\n", ["policy.toml:4", "files.reed", "unknown key", "'read'"]),
        (GOOD_HEAD + "[files]\nread = \"/x\"\n", ["files.read", "must be a list"]),
        (GOOD_HEAD + "[files]\nread = [\"/x/[ab\"]\n", ["files.read[0]", "bad glob"]),
        (GOOD_HEAD + "[commands]\ndefault = \"maybe\"\n", ["commands.default", "allow, ask or deny"]),
        ('version = 1\nmode = "strict"\n', ["mode", "enforce, shadow or learn"]),
        (GOOD_HEAD + "[network]\nallow = [\"pypi.org:99999\"]\n", ["network.allow[0]", "port"]),
        (GOOD_HEAD + "[network]\nallow = [\"10.0.0.0/99\"]\n", ["network.allow[0]", "CIDR"]),
        (GOOD_HEAD + "[commands]\nallow = [\"git 'status\"]\n", ["commands.allow[0]", "quotes"]),
        (GOOD_HEAD + "[audit]\ncheckpoint_every = \"ten\"\n", ["audit.checkpoint_every", "must be int"]),
        (GOOD_HEAD + "[scan]\nfail_on = \"huge\"\n", ["scan.fail_on", "severity"]),
        ("version = 2\n", ["version", "set version = 1"]),
        (GOOD_HEAD + "[sandbox]\n", ["sandbox", "unknown key"]),
    ],
    ids=["toml-syntax", "unknown-key", "wrong-type", "bad-glob", "bad-default", "bad-mode",
         "bad-port", "bad-cidr", "unbalanced-quote", "audit-type", "scan-severity", "version",
         "unknown-table"],
)
def test_broken_policy_is_one_line_exit_2(env: Env, text: str, needles: list[str]) -> None:
    policy = write_policy(env, text)
    result = env.run("check", "--policy", policy, "--json", "--tool-call", "/nonexistent.json")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "policy.toml" in lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_hook_with_broken_policy_denies_with_the_error_line(env: Env) -> None:
    policy = write_policy(env, GOOD_HEAD + "[files]\nreed = []\n")
    payload = {"hook_event_name": "PreToolUse", "session_id": "s", "cwd": str(env.workspace),
               "tool_name": "Read", "tool_input": {"file_path": "README.md"}}
    result = env.run("hook", "claude-code", "--policy", policy, stdin=json.dumps(payload))
    assert result.code == 0
    reply = result.json()["hookSpecificOutput"]
    assert reply["permissionDecision"] == "deny"
    assert "files.reed" in reply["permissionDecisionReason"]
    assert "unknown key" in reply["permissionDecisionReason"]


def test_missing_policy_file_names_the_fix(env: Env) -> None:
    result = env.run("check", "--policy", str(env.workspace / "nope.toml"), "--tool-call", "x.json")
    assert result.code == 2
    assert "nope.toml: cannot read policy" in result.stderr
    assert "blastshield init" in result.stderr
