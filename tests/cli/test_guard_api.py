"""The Python library API: @guard.tool decides, records and refuses with Denied."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from bs_testenv import Env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "guarded_agent.py"


def test_example_agent_runs_offline_and_is_guarded(env: Env) -> None:
    assert env.run("init").code == 0
    proc = subprocess.run([sys.executable, str(EXAMPLE)], cwd=env.workspace, env=env.environ,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "ALLOWED  write_file"
    assert lines[1] == "ALLOWED  read_file"
    assert lines[2].startswith("DENIED   read_file ~/.ssh/id_rsa: blastshield denied read")
    assert "git-hooks" in lines[3]
    assert lines[4].startswith("DENIED   fetch metadata")
    assert (env.workspace / "notes.md").read_text() == "# plan\n"
    assert not (env.workspace / ".git" / "hooks" / "pre-commit").exists()
    db = sqlite3.connect(env.workspace / ".blastshield" / "audit.db")
    query = "SELECT event, tool, decision FROM records ORDER BY seq"
    events = [(r[0], r[1], r[2]) for r in db.execute(query)]
    db.close()
    assert ("PreToolUse", "write_file", "allow") in events
    assert ("PostToolUse", "write_file", "") in events
    assert ("PreToolUse", "read_file", "deny") in events
