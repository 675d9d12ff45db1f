"""Helpers for tests that write or read the flight recorder's log (importable by other areas:
``sys.path.insert(0, str(Path(__file__).parents[1] / "audit"))`` then ``import audit_testkit``).

Records are written by real separate processes (as hooks do), through the public API.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

_WRITER = r"""
import json, sys
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.policy.load import load_policy
policy = load_policy(sys.argv[1])
out = []
with open_recorder(policy) as recorder:
    for item in json.load(sys.stdin):
        effects = tuple(item.pop("effects", ()))
        out.append(recorder.record(AuditEvent(effects=effects, **item)))
    print(json.dumps({"hashes": out, "warnings": recorder.warnings}))
"""


def write_policy(workspace: Path, audit: str = "", mode: str = "enforce") -> Path:
    """A minimal policy with an ``[audit]`` table body (TOML lines)."""
    folder = workspace / ".blastshield"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(f'version = 1\nmode = "{mode}"\n[audit]\n{audit}\n', encoding="utf-8")
    return path


def event(n: int = 0, **fields: Any) -> dict[str, Any]:
    """A PreToolUse event with sensible defaults; ``fields`` override."""
    base: dict[str, Any] = {
        "event": "PreToolUse", "host": "claude-code", "session_id": "sess-1", "tool_use_id": f"toolu_{n:04d}",
        "tool": "Bash", "action": f"echo {n}", "decision": "allow", "applied": "allow",
        "rule": "policy.toml [commands].allow[0] 'echo *'", "mode": "enforce", "policy_hash": "ab" * 32,
        "latency_ms": 1.5,
        "effects": [{"kind": "exec", "target": f"echo {n}", "decision": "allow", "rule": "echo *",
                     "reason": "allowed"}],
    }
    base.update(fields)
    return base


def record(policy: Path, events: list[dict[str, Any]], environ: dict[str, str],
           check: bool = True) -> subprocess.CompletedProcess[str]:
    """Record ``events`` in one fresh process (like one hook call). Returns the completed process."""
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(policy)], input=json.dumps(events),
                          capture_output=True, text=True, env=environ, timeout=120, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"recorder process failed: {proc.stderr}")
    return proc


def raw_rows(db: Path) -> list[dict[str, Any]]:
    """The records table as stored (seq, hash, parsed body)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT seq, hash, body FROM records ORDER BY seq").fetchall()
    return [{"seq": seq, "hash": h, "body": json.loads(body)} for seq, h, body in rows]


def sql(db: Path, statement: str, params: tuple[Any, ...] = ()) -> None:
    """Run one statement against the log file directly (to play the attacker)."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(statement, params)
    finally:
        conn.close()
