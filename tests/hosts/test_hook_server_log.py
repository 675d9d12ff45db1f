"""The hook server keeps each audit log open between requests: records still land in the file the
policy names when that file is moved away or replaced, and a log it cannot write means deny."""

from __future__ import annotations

import shutil

from hook_server_kit import Served, claude, records, start


def allowed(served: Served, n: int) -> None:
    result = served.hook("claude-code", {**claude("Bash", {"command": "git status"}, served.env),
                                         "tool_use_id": f"toolu_{n}"})
    assert result.code == 0, result.stderr
    assert result.json()["hookSpecificOutput"]["permissionDecision"] == "allow", result.stdout


def test_a_moved_log_is_reopened_and_new_records_land_in_the_new_file(served: Served) -> None:
    start(served)
    allowed(served, 1)  # the server now holds this log open
    folder = served.env.workspace / ".blastshield"
    moved = served.env.workspace / "old-log"
    moved.mkdir()
    for path in folder.glob("audit.db*"):
        path.rename(moved / path.name)
    allowed(served, 2)
    allowed(served, 3)
    rows = records(served.env)
    assert [r["tool_use_id"] for r in rows] == ["toolu_2", "toolu_3"]  # none went to the moved file
    verify = served.env.run("log", "verify", "--policy", str(served.policy))
    assert verify.code == 0, verify.stdout + verify.stderr


def test_a_log_the_server_cannot_open_means_deny_then_recovery(served: Served) -> None:
    start(served)
    allowed(served, 1)
    log = served.env.workspace / ".blastshield" / "audit.db"
    for path in log.parent.glob("audit.db*"):
        path.unlink()
    log.mkdir()  # a folder where the log should be: SQLite cannot open it
    result = served.hook("claude-code", claude("Bash", {"command": "git status"}, served.env))
    assert result.code == 0, result.stderr
    output = result.json()["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"  # enforce mode: no record, no action
    assert "audit log" in output["permissionDecisionReason"]
    shutil.rmtree(log)
    allowed(served, 2)  # the next request opens the (new) log
    assert [r["tool_use_id"] for r in records(served.env)] == ["toolu_2"]
