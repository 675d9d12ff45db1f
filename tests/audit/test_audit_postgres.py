"""The PostgreSQL store against a real server this fixture starts (initdb + pg_ctl, loopback only)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from audit_testkit import event, record, write_policy

psycopg = pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")


def _bin_dir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(candidates):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    """A throwaway cluster on 127.0.0.1; yields a base URL (no database)."""
    bindir = _bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as the postgres user")
    root = tempfile.mkdtemp(prefix="bs-pg-", dir="/tmp")
    os.chmod(root, 0o755)
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(_as_server_user([f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                                    "--no-sync"]), check=True, capture_output=True)
    started = subprocess.run(_as_server_user([
        f"{bindir}/pg_ctl", "-D", data, "-w", "-t", "60", "-l", os.path.join(root, "server.log"),
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
        capture_output=True, text=True, check=False)
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start: {started.stderr or started.stdout}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                       capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    name = f"audit_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{pg_server}/{name}"


_WRITER = r"""
import sys
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.policy.load import load_policy
policy, writer, count = load_policy(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    with open_recorder(policy) as recorder:
        recorder.record(AuditEvent("PreToolUse", "codex", session_id=f"w{writer}",
                                   tool_use_id=f"t{writer}-{i}", tool="shell", action=f"echo {i}",
                                   decision="allow", applied="allow"))
"""


def test_same_records_and_verify_on_postgres(env: Any, pg_url: str) -> None:
    policy = write_policy(env.workspace, f'store = "{pg_url}"\ncheckpoint_every = 4')
    record(policy, [event(n) for n in range(1, 10)] + [
        {"event": "PostToolUse", "host": "claude-code", "session_id": "sess-1", "tool_use_id": "toolu_0003",
         "tool": "Bash", "outcome": {"exit_code": 2}}], env.environ)
    listed = env.run("log", "list", "--json", "--decision", "allow", "--limit", "0")
    assert listed.code == 0, listed.stderr
    records = listed.json()["records"]
    assert [r["seq"] for r in records] == list(range(1, 10))
    post = env.run("log", "show", "10", "--json").json()
    assert post["pre"] == records[2]["hash"] and post["outcome"] == {"exit_code": 2}
    verify = env.run("log", "verify", "--store", pg_url, "--json")
    assert verify.code == 0, verify.stdout
    assert verify.json()["records"] == 10 and verify.json()["last_checkpoint"] == 8

    with psycopg.connect(pg_url, autocommit=True) as conn:
        body = json.loads(conn.execute("SELECT body FROM blastshield_records WHERE seq = 6").fetchone()[0])
        body["decision"] = "deny"
        conn.execute("UPDATE blastshield_records SET body = %s WHERE seq = 6", (json.dumps(body),))
    tampered = env.run("log", "verify")
    assert tampered.code == 4
    assert "first bad record: 6" in tampered.stdout
    assert "record 6 was edited: its content does not match its hash" in tampered.stdout

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DELETE FROM blastshield_records WHERE seq >= 7")
        conn.execute("DELETE FROM blastshield_checkpoints")
    truncated = env.run("log", "verify")
    assert truncated.code == 4
    assert "log truncated: a signed anchor vouches for 8 records, only 6 remain" in truncated.stdout


def test_concurrent_writers_on_postgres(env: Any, pg_url: str, tmp_path: Any) -> None:
    policy = write_policy(env.workspace, f'store = "{pg_url}"')
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(policy), str(w), "25"], env=env.environ,
                              stderr=subprocess.PIPE, text=True) for w in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    with psycopg.connect(pg_url) as conn:
        seqs = [row[0] for row in conn.execute("SELECT seq FROM blastshield_records ORDER BY seq")]
    assert seqs == list(range(1, 101))
    assert env.run("log", "verify").code == 0


def test_unreachable_server_is_one_line(env: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://bob:hunter2secret@127.0.0.1:{port}/nothing"
    policy = write_policy(env.workspace, f'store = "{url}"')
    proc = record(policy, [event(1)], env.environ, check=False)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert "AuditStoreError: postgresql://bob:***@127.0.0.1" in last and "cannot connect" in last
    assert "hunter2secret" not in proc.stderr
    listed = env.run("log", "list")
    assert listed.code == 3 and listed.stderr.count("\n") == 1 and "hunter2secret" not in listed.stderr
