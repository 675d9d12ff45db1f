"""Failure modes: locked, corrupt or unwritable store, missing key: one line, nothing lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from audit_testkit import event, raw_rows, record, write_policy


def test_locked_store_fails_with_one_line_and_then_recovers(env: Any) -> None:
    policy = write_policy(env.workspace)
    record(policy, [event(1)], env.environ)
    db = env.workspace / ".blastshield" / "audit.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        environ = {**env.environ, "BLASTSHIELD_AUDIT_BUSY_MS": "300"}
        proc = record(policy, [event(2)], environ, check=False)
        assert proc.returncode != 0
        last = proc.stderr.strip().splitlines()[-1]
        assert "AuditStoreError" in last and "cannot append: locked by another process" in last
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    record(policy, [event(3)], env.environ)
    assert [r["body"]["tool_use_id"] for r in raw_rows(db)] == ["toolu_0001", "toolu_0003"]


def test_corrupt_store_refuses_to_record(env: Any) -> None:
    policy = write_policy(env.workspace)
    db = env.workspace / ".blastshield" / "audit.db"
    db.write_bytes(b"\x00garbage" * 512)
    proc = record(policy, [event(1)], env.environ, check=False)
    assert proc.returncode != 0
    assert "cannot open: corrupt database (file is not a database)" in proc.stderr


def test_unopenable_store_refuses_to_record(env: Any) -> None:
    policy = write_policy(env.workspace)
    (env.workspace / ".blastshield" / "audit.db").mkdir()  # something that is not a file is in the way
    proc = record(policy, [event(1)], env.environ, check=False)
    assert proc.returncode != 0
    assert "audit.db: cannot open: cannot write (unable to open database file)" in proc.stderr


def test_missing_signing_key_is_not_silently_replaced(env: Any) -> None:
    policy = write_policy(env.workspace, "checkpoint_every = 2")
    record(policy, [event(1), event(2)], env.environ)
    key = env.home / ".config" / "blastshield" / "keys" / "audit-ed25519.key"
    key.unlink()
    record(policy, [event(3)], env.environ)  # no checkpoint due: fine
    proc = record(policy, [event(4)], env.environ, check=False)
    assert proc.returncode != 0
    assert "record 4 is stored but not checkpointed" in proc.stderr and "signing key missing" in proc.stderr
    assert len(raw_rows(env.workspace / ".blastshield" / "audit.db")) == 4  # acknowledged or not: kept
    new = env.run("log", "new-key")
    assert new.code == 0 and "new checkpoint signing key" in new.stdout
    record(policy, [event(5), event(6)], env.environ)
    result = env.run("log", "verify", "--json").json()
    assert result["ok"] is True and result["last_checkpoint"] == 6 and len(result["signed_by"]) == 2


def test_key_files_are_private(env: Any) -> None:
    policy = write_policy(env.workspace, "checkpoint_every = 1")
    folder = env.home / ".config" / "blastshield" / "keys"
    record(policy, [event(1)], env.environ)
    # Nothing to redact: the redaction key is created with the first secret, not before.
    assert not (folder / "redact.key").exists()
    record(policy, [event(2, action="mysql --password=Zq8vR2mK7pL4")], env.environ)
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("redact.key", "audit-ed25519.key", "audit-ed25519.pub"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


def test_hook_path_imports_stay_lean(env: Any, tmp_path: Path) -> None:
    """Recording a normal event loads neither cryptography, psycopg nor opentelemetry, nor the
    log's reading and verifying modules; with nothing to redact, not even the key files' module."""
    policy = write_policy(env.workspace, "checkpoint_every = 1000")
    record(policy, [event(0)], env.environ)  # creates keys and the log first
    script = (
        "import sys, json\n"
        "from blastshield.audit.events import AuditEvent\n"
        "from blastshield.audit.recorder import open_recorder\n"
        "from blastshield.policy.load import load_policy\n"
        f"with open_recorder(load_policy({str(policy)!r})) as r:\n"
        "    r.record(AuditEvent('PreToolUse', 'claude-code', action='ls -la'))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cryptography', 'psycopg', 'opentelemetry', 'google') or m in "
        "('blastshield.audit.query', 'blastshield.audit.verify', 'blastshield.audit.spool',"
        " 'blastshield.audit.keys', 'hmac'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env.environ,
                         check=True).stdout
    assert out.strip() == "[]"


_UNTIL_FULL = r"""
import sys
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.errors import AuditStoreError
from blastshield.policy.load import load_policy
with open_recorder(load_policy(sys.argv[1])) as recorder:
    for i in range(100000):
        try:
            print(recorder.record(AuditEvent("PreToolUse", "claude-code", tool_use_id=f"t{i}",
                                             action="x" * 2000 + str(i))), flush=True)
        except AuditStoreError as exc:
            print("ERROR " + exc.diagnostics(), flush=True)
            break
"""


def test_full_disk_refuses_with_one_line_and_keeps_acknowledged_records(env: Any, tmp_path: Path) -> None:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount_point)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        db = mount_point / "audit.db"
        policy = write_policy(env.workspace, f'store = "{db}"')
        out = subprocess.run([sys.executable, "-c", _UNTIL_FULL, str(policy)], capture_output=True, text=True,
                             env=env.environ, timeout=300, check=False).stdout.splitlines()
        assert out[-1].startswith("ERROR ") and "the disk is full" in out[-1], out[-1:]
        acknowledged = out[:-1]
        assert len(acknowledged) > 10
        stored = [r["hash"] for r in raw_rows(db)]
        assert stored == acknowledged  # nothing acknowledged was lost, nothing unacknowledged kept
        verify = env.run("log", "verify", "--json")
        assert verify.code == 0 and verify.json()["records"] == len(acknowledged)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)
