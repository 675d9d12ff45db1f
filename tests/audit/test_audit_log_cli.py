"""`blastshield log list|show|tail|export`: filters, JSON, the table, following live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from audit_testkit import event, record, write_policy

GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"


@pytest.fixture
def populated(env: Any) -> Any:
    policy = write_policy(env.workspace)
    record(policy, [
        event(1, action=f"git push https://{GH}@github.com/o/r", decision="ask", applied="ask",
              rule="policy.toml [commands].ask[0] 'git push *'"),
        event(2, tool="Write", action="write src/app.py", session_id="sess-2"),
        event(3, action="rm -rf /", decision="deny", applied="deny", host="cursor",
              rule="policy.toml [commands].deny[0] 'rm -rf *'"),
        {"event": "PostToolUse", "host": "claude-code", "session_id": "sess-1", "tool_use_id": "toolu_0001",
         "tool": "Bash",
         "outcome": {"success": True, "exit_code": 0, "stdout_bytes": 120, "duration_ms": 35}},
        {"event": "UserPromptSubmit", "host": "claude-code", "session_id": "sess-1",
         "extra": {"prompt": "please deploy with token " + GH}},
        {"event": "SessionEnd", "host": "claude-code", "session_id": "sess-1"},
    ], env.environ)
    return env


def test_list_table_and_json(populated: Any) -> None:
    env = populated
    table = env.run("log", "list")
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["SEQ", "TIME", "(UTC)"]
    assert len(lines) == 7
    assert "\x1b[" not in table.stdout  # no colour when stdout is not a TTY
    assert "rm -rf /  ← policy.toml [commands].deny[0] 'rm -rf *'" in lines[3]
    assert "success=True exit_code=0 duration_ms=35" in lines[4]
    assert GH not in table.stdout and "[REDACTED:github-token:" in lines[1]
    data = env.run("log", "list", "--json").json()
    assert data["version"] == 1
    assert [r["seq"] for r in data["records"]] == [1, 2, 3, 4, 5, 6]
    assert data["records"][0]["hash"] == data["records"][1]["prev"]


@pytest.mark.parametrize(("args", "seqs"), [
    (["--session", "sess-2"], [2]),
    (["--host", "cursor"], [3]),
    (["--tool", "Write"], [2]),
    (["--decision", "deny"], [3]),
    (["--rule", "git push"], [1]),
    (["--event", "SessionEnd"], [6]),
    (["--since", "1h"], [1, 2, 3, 4, 5, 6]),
    (["--until", "2000-01-01"], []),
    (["--limit", "2"], [5, 6]),
])
def test_list_filters(populated: Any, args: list[str], seqs: list[int]) -> None:
    data = populated.run("log", "list", "--json", *args).json()
    assert [r["seq"] for r in data["records"]] == seqs


def test_outcome_links_to_its_pre_tool_use_and_prompt_is_summarised(populated: Any) -> None:
    env = populated
    records = env.run("log", "list", "--json").json()["records"]
    assert records[3]["pre"] == records[0]["hash"]
    assert records[3]["outcome"] == {"success": True, "exit_code": 0, "stdout_bytes": 120, "duration_ms": 35}
    extra = records[4]["extra"]
    assert set(extra) == {"prompt_chars", "prompt_hmac"}
    assert extra["prompt_chars"] == len("please deploy with token " + GH)
    # SessionEnd signs a checkpoint
    assert env.run("log", "verify", "--json").json()["last_checkpoint"] == 6


def test_show_by_number_and_hash_prefix(populated: Any) -> None:
    env = populated
    by_number = env.run("log", "show", "3")
    assert by_number.code == 0
    assert "record 3 " in by_number.stdout.splitlines()[0]
    assert "  decision     deny" in by_number.stdout
    assert "  effect       allow exec echo 3  (echo *)" in by_number.stdout
    full_hash = env.run("log", "show", "3", "--json").json()["hash"]
    by_hash = env.run("log", "show", full_hash[:10], "--json").json()
    assert by_hash["seq"] == 3
    missing = env.run("log", "show", "99")
    assert missing.code == 2 and "no record 99 in this log" in missing.stderr


def test_export_jsonl_and_otlp(populated: Any, tmp_path: Path) -> None:
    env = populated
    out = tmp_path / "log.jsonl"
    assert env.run("log", "export", "--format", "jsonl", "-o", str(out), "--session", "sess-1").code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["seq"] for r in lines] == [1, 3, 4, 5, 6]
    otlp = env.run("log", "export", "--format", "otlp").json()
    logs = otlp["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    assert len(logs) == 7  # 6 records + the SessionEnd checkpoint
    attributes = {a["key"]: a["value"] for a in logs[0]["attributes"]}
    assert attributes["gen_ai.operation.name"] == {"stringValue": "execute_tool"}
    assert attributes["gen_ai.tool.call.id"] == {"stringValue": "toolu_0001"}
    assert attributes["blastshield.decision"] == {"stringValue": "ask"}
    checkpoint = {a["key"]: a["value"] for a in logs[-1]["attributes"]}
    assert checkpoint["blastshield.checkpoint.count"] == {"intValue": "6"}


def test_tail_follows_new_records(populated: Any) -> None:
    env = populated
    last = env.run("log", "tail", "-n", "2", "--json")
    assert [json.loads(line)["seq"] for line in last.stdout.splitlines()] == [5, 6]
    proc = subprocess.Popen([sys.executable, "-m", "blastshield", "log", "tail", "-f", "-n", "0", "--json",
                             "--interval", "0.1", "--host", "gemini"],
                            cwd=env.workspace, env=env.environ, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        policy = env.workspace / ".blastshield" / "policy.toml"
        record(policy, [event(7, host="cursor"), event(8, host="gemini", action="ls")], env.environ)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), True)
        line = proc.stdout.readline()
        got = json.loads(line)
        assert (got["seq"], got["host"], got["action"]) == (8, "gemini", "ls")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_no_policy_and_bad_time_are_usage_errors(env: Any) -> None:
    result = env.run("log", "list")
    assert result.code == 2
    assert "no .blastshield/policy.toml here or above" in result.stderr
    write_policy(env.workspace)
    record(env.workspace / ".blastshield" / "policy.toml", [event(1)], env.environ)
    bad = env.run("log", "list", "--since", "yesterday-ish")
    assert bad.code == 2 and "--since 'yesterday-ish': not a time" in bad.stderr


def test_store_option_and_policy_store_setting(env: Any, tmp_path: Path) -> None:
    elsewhere = tmp_path / "logs" / "team.db"
    policy = write_policy(env.workspace, f'store = "{elsewhere}"\nsynchronous = "NORMAL"')
    record(policy, [event(1)], env.environ)
    assert elsewhere.exists()
    assert env.run("log", "list", "--json").json()["records"][0]["seq"] == 1
    other_dir = tmp_path / "else"
    other_dir.mkdir()
    via_store = env.run("log", "list", "--json", "--store", str(elsewhere), cwd=other_dir)
    assert via_store.json()["records"][0]["action"] == "echo 1"


def test_colour_only_on_a_terminal(populated: Any) -> None:
    import pty

    env = populated
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "blastshield", "log", "list"], cwd=env.workspace,
                            env={**env.environ, "TERM": "xterm", "COLUMNS": "200"}, stdout=follower,
                            stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(leader)
    screen = b"".join(chunks).decode()
    assert "\x1b[31mdeny" in screen and "\x1b[32mallow" in screen and "\x1b[33mask" in screen
    assert "\x1b[" not in env.run("log", "list").stdout
