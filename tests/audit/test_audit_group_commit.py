"""Threads of one process sharing one recorder (the hook server's case): group commit keeps one
linear chain, acknowledges every record exactly once, and a failed batch fails every writer in it."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from audit_testkit import event, raw_rows, write_policy

_THREADS = r"""
import json, sys, threading
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.policy.load import load_policy
policy = load_policy(sys.argv[1])
batches = json.load(open(sys.argv[2]))
recorder = open_recorder(policy)
start = threading.Barrier(len(batches))
acknowledged = [[] for _ in batches]

def write(index):
    start.wait()
    for item in batches[index]:
        effects = tuple(item.pop("effects", ()))
        acknowledged[index].append(recorder.record(AuditEvent(effects=effects, **item)))

threads = [threading.Thread(target=write, args=(i,)) for i in range(len(batches))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
recorder.close()
print(json.dumps(acknowledged))
"""

_FAILING = r"""
import json, sys, threading
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.errors import AuditStoreError
from blastshield.policy.load import load_policy
recorder = open_recorder(load_policy(sys.argv[1]))
recorder.store.close()  # every append now fails inside the store
outcomes = []

def write(n):
    try:
        recorder.record(AuditEvent("PreToolUse", "claude-code", tool_use_id=f"toolu_{n}"))
        outcomes.append("written")
    except AuditStoreError as exc:
        outcomes.append("error: " + exc.diagnostics())

threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(outcomes))
"""


def test_threads_sharing_a_recorder_keep_one_chain(env: Any, tmp_path: Path) -> None:
    policy = write_policy(env.workspace, "checkpoint_every = 40")
    threads, per_thread = 8, 60
    batches = [[event(t * 1000 + i, session_id=f"agent-{t}") for i in range(per_thread)]
               for t in range(threads)]
    data = tmp_path / "batches.json"
    data.write_text(json.dumps(batches))
    proc = subprocess.run([sys.executable, "-c", _THREADS, str(policy), str(data)], capture_output=True,
                          text=True, env=env.environ, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    acknowledged = json.loads(proc.stdout)
    rows = raw_rows(env.workspace / ".blastshield" / "audit.db")
    total = threads * per_thread
    assert [r["seq"] for r in rows] == list(range(1, total + 1))
    flat = [h for hashes in acknowledged for h in hashes]
    assert len(flat) == total and set(flat) == {r["hash"] for r in rows}  # each acknowledged once
    for before, after in itertools.pairwise(rows):
        assert after["body"]["prev"] == before["hash"]
    for t in range(threads):  # each thread's own order is kept inside the shared chain
        ids = [r["body"]["tool_use_id"] for r in rows if r["body"]["session_id"] == f"agent-{t}"]
        assert ids == [f"toolu_{t * 1000 + i:04d}" for i in range(per_thread)]
        assert acknowledged[t] == [r["hash"] for r in rows if r["body"]["session_id"] == f"agent-{t}"]
    result = env.run("log", "verify", "--json")
    assert result.code == 0, result.stdout
    assert result.json()["last_checkpoint"] == total  # every 40th record was checkpointed, 480 last
    # A checkpoint is signed in the transaction of the batch that reaches a multiple of 40, over
    # that batch's last record: one per multiple, never before it, at most a batch after it.
    with sqlite3.connect(env.workspace / ".blastshield" / "audit.db") as conn:
        counts = [row[0] for row in conn.execute("SELECT count FROM checkpoints ORDER BY count")]
    assert len(counts) == total // 40
    for multiple, count in zip(range(40, total + 1, 40), counts, strict=True):
        assert multiple <= count < multiple + threads


def test_a_failed_batch_fails_every_writer_in_it(env: Any) -> None:
    policy = write_policy(env.workspace)
    proc = subprocess.run([sys.executable, "-c", _FAILING, str(policy)], capture_output=True, text=True,
                          env=env.environ, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout)
    assert len(outcomes) == 6
    assert all(o.startswith("error: ") and "cannot append" in o for o in outcomes), outcomes


_ROLLBACK = r"""
import sys
from blastshield.audit.store_sqlite import SqliteStore
store = SqliteStore(sys.argv[1])
store.append({"event": "PreToolUse", "tool_use_id": "toolu_1"})

def broken_seal(records):
    raise RuntimeError("signing blew up")

try:
    store.append_many([{"event": "PreToolUse", "tool_use_id": "toolu_2"}], broken_seal)
except RuntimeError:
    print("raised")
store.append({"event": "PreToolUse", "tool_use_id": "toolu_3"})  # the store is usable again
store.close()
"""


def test_an_error_inside_the_append_transaction_rolls_it_back(env: Any, tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    proc = subprocess.run([sys.executable, "-c", _ROLLBACK, str(db)], capture_output=True, text=True,
                          env=env.environ, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "raised", proc.stderr
    rows = raw_rows(db)
    assert [(r["seq"], r["body"]["tool_use_id"]) for r in rows] == [(1, "toolu_1"), (2, "toolu_3")]
    assert rows[1]["body"]["prev"] == rows[0]["hash"]


_AWAY = r"""
import threading
from blastshield.audit import group_commit
from blastshield.audit.group_commit import GroupCommit, Pending

group_commit.GATHER_S = 600.0  # a leader that waited for an absent writer would hang the test
held = threading.Event()  # the first batch's follow-up runs until the test lets it go
written = []

def write(batch):
    first = not written
    for item in batch:
        item.record = len(written)
        written.append(item.fields["n"])
    return held.wait if first else None

group = GroupCommit(write)
start = threading.Barrier(2)

def writer(n):
    group.arrive()
    start.wait()  # both are preparing: the first batch holds both records
    group.submit(Pending({"n": n}, []))
    group.arrive()
    group.submit(Pending({"n": n + 10}, []))

a = threading.Thread(target=writer, args=(1,))
b = threading.Thread(target=writer, args=(2,))
a.start(); b.start()
# The first batch's leader is now held in its follow-up (as if writing an anchor). The other
# writer writes again: its batch must not wait for the held one, though the last batch held two.
pause = threading.Event()
for _ in range(3000):
    if len(written) >= 3:
        break
    pause.wait(0.01)
print(len(written))
held.set()
a.join(); b.join()
print(sorted(written))
"""


def test_a_batch_does_not_wait_for_a_writer_away_on_its_leaders_follow_up() -> None:
    """A leader writing a checkpoint's anchor after its batch is released is not expected in the
    next batch: with the fill wait made endless, that batch is still written."""
    proc = subprocess.run([sys.executable, "-c", _AWAY], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["3", "[1, 2, 11, 12]"], proc.stdout
