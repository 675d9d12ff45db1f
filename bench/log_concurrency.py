"""Many writers on one log, and how long verifying a big log takes.

1. 8 processes × 500 events into one SQLite log at once (each event its own
   ``BEGIN IMMEDIATE`` transaction through ``Recorder.record``): events lost (must be 0),
   whether the chain verifies, wall time and throughput.
2. ``blastshield log verify`` on a 100,000-record log (target ≤ 5 s): the log is built
   directly with the chain code in one transaction (fast to build), with a signed
   checkpoint every 100 records, then verified by the real CLI in a subprocess.

Usage: python bench/log_concurrency.py [--quick] [--synchronous FULL|NORMAL]
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _common import compile_package

QUICK = "--quick" in sys.argv
SYNC = sys.argv[sys.argv.index("--synchronous") + 1] if "--synchronous" in sys.argv else "FULL"
WRITERS, PER_WRITER = (8, 100) if QUICK else (8, 500)
BIG = 20_000 if QUICK else 100_000

_WRITER = r"""
import json, sys
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.policy.load import load_policy
policy, writer, count = load_policy(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
hashes = []
with open_recorder(policy) as recorder:
    for i in range(count):
        hashes.append(recorder.record(AuditEvent(
            "PreToolUse", "claude-code", session_id=f"agent-{writer}", tool_use_id=f"toolu_{writer}_{i}",
            tool="Bash", action=f"pytest -q tests/test_{i}.py", decision="allow", applied="allow")))
print(json.dumps(hashes))
"""


def concurrent_writers(root: Path, env: dict[str, str]) -> None:
    workspace = root / "ws"
    (workspace / ".blastshield").mkdir(parents=True)
    policy = workspace / ".blastshield" / "policy.toml"
    policy.write_text(f'version = 1\n[audit]\nsynchronous = "{SYNC}"\ncheckpoint_every = 100\n')
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(policy), str(w), str(PER_WRITER)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for w in range(WRITERS)]
    acknowledged: set[str] = set()
    failures = 0
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            failures += 1
            print(f"  writer failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}")
            continue
        acknowledged.update(json.loads(out))
    elapsed = time.perf_counter() - start
    with sqlite3.connect(workspace / ".blastshield" / "audit.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT hash FROM records")}
        seqs = [row[0] for row in conn.execute("SELECT seq FROM records ORDER BY seq")]
    expected = WRITERS * PER_WRITER
    lost = len(acknowledged - stored)
    verify = subprocess.run([sys.executable, "-m", "blastshield", "log", "verify", "--json"], cwd=workspace,
                            env=env, capture_output=True, text=True, check=False)
    report = json.loads(verify.stdout) if verify.stdout else {}
    print(f"{WRITERS} processes x {PER_WRITER} events, synchronous={SYNC}:")
    print(f"  acknowledged {len(acknowledged)} of {expected}; stored {len(stored)}; lost {lost} (must be 0);"
          f" writer failures {failures}")
    print(f"  seq 1..{len(seqs)} contiguous: {seqs == list(range(1, len(seqs) + 1))};"
          f" log verify: {'OK' if verify.returncode == 0 else 'FAILED'} (exit {verify.returncode},"
          f" {report.get('checkpoints', 0)} checkpoints)")
    print(f"  wall {elapsed:.2f} s, {len(stored) / elapsed:.0f} events/s across all writers")


def build_big_log(path: Path, env: dict[str, str], count: int) -> None:
    os.environ["HOME"] = env["HOME"]
    from blastshield.audit.chain import chain_next
    from blastshield.audit.checkpoint import sign_checkpoint
    from blastshield.audit.keys import signing_key
    from blastshield.audit.query import INDEXED_COLUMNS
    from blastshield.audit.store_sqlite import SqliteStore

    store = SqliteStore(str(path), synchronous="NORMAL")
    log_id = store.log_id()
    key = signing_key()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    head: tuple[int, str] | None = None
    checkpoints = []
    for i in range(count):
        fields = {"event": "PreToolUse", "host": "claude-code", "session_id": f"s{i // 500}", "prompt_id": "",
                  "tool_use_id": f"toolu_{i}", "tool": "Bash", "action": f"pytest -q tests/test_{i}.py",
                  "effects": [{"kind": "exec", "target": "pytest", "decision": "allow", "rule": "pytest *",
                               "reason": "allowed"}], "decision": "allow", "applied": "allow",
                  "rule": "policy.toml [commands].allow[0] 'pytest *'", "reason": "",
                  "policy_hash": "ab" * 32, "mode": "enforce", "latency_ms": 1.25, "outcome": {}, "extra": {}}
        seq, record_hash, body, text = chain_next(log_id, head, "2025-01-01T00:00:00.000000Z", fields)
        conn.execute(f"INSERT INTO records (seq, {', '.join(INDEXED_COLUMNS)}, hash, body)"
                     f" VALUES ({', '.join('?' * (len(INDEXED_COLUMNS) + 3))})",
                     (seq, *(str(body.get(c, "")) for c in INDEXED_COLUMNS), record_hash, text))
        head = (seq, record_hash)
        if seq % 100 == 0:
            checkpoints.append(sign_checkpoint(key, log_id, seq, record_hash, body["time"]))
    conn.execute("COMMIT")
    conn.close()
    for checkpoint in checkpoints:
        store.add_checkpoint(checkpoint)
    store.close()


def verify_big(root: Path, env: dict[str, str]) -> None:
    path = root / "big" / "audit.db"
    start = time.perf_counter()
    build_big_log(path, env, BIG)
    built = time.perf_counter() - start
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "blastshield", "log", "verify", "--store", str(path)],
                              env=env, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - start)
    runs.sort()
    print(f"log verify on {BIG:,} records ({BIG // 100} signed checkpoints; built in {built:.1f} s):")
    first = proc.stdout.splitlines()[0][:80] if proc.stdout else proc.stderr.strip()
    print(f"  exit {proc.returncode}: {first}")
    print(f"  whole CLI process, median of 3: {runs[1]:.2f} s  (target ≤ 5 s)")


def main() -> int:
    compile_package()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as temp:
        root = Path(temp)
        (root / "home").mkdir()
        env = {**os.environ, "HOME": str(root / "home")}
        concurrent_writers(root, env)
        verify_big(root, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
