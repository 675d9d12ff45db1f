"""Many writer processes at once: the chain stays linear and no acknowledged record is lost."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from audit_testkit import event, raw_rows, write_policy

_ONE_PER_PROCESS = r"""
import json, sys
from blastshield.audit.events import AuditEvent
from blastshield.audit.recorder import open_recorder
from blastshield.policy.load import load_policy
policy = load_policy(sys.argv[1])
hashes = []
for item in json.load(open(sys.argv[2])):
    effects = tuple(item.pop("effects", ()))
    with open_recorder(policy) as recorder:  # a fresh connection per event, as one hook call each
        hashes.append(recorder.record(AuditEvent(effects=effects, **item)))
print(json.dumps(hashes))
"""


def test_parallel_writers_keep_one_chain(env: Any, tmp_path: Path) -> None:
    policy = write_policy(env.workspace, "checkpoint_every = 25")
    writers, per_writer = 6, 40
    procs = []
    for w in range(writers):
        events = [event(w * 1000 + i, session_id=f"agent-{w}") for i in range(per_writer)]
        batch = tmp_path / f"events-{w}.json"
        batch.write_text(json.dumps(events))
        argv = [sys.executable, "-c", _ONE_PER_PROCESS, str(policy), str(batch)]
        procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=env.environ))
    acknowledged: set[str] = set()
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        acknowledged.update(json.loads(out))
    rows = raw_rows(env.workspace / ".blastshield" / "audit.db")
    assert [r["seq"] for r in rows] == list(range(1, writers * per_writer + 1))
    assert acknowledged == {r["hash"] for r in rows}  # every acknowledged record is there, once
    for before, after in itertools.pairwise(rows):
        assert after["body"]["prev"] == before["hash"]
    per_session = {f"agent-{w}": [r["body"]["tool_use_id"] for r in rows
                                  if r["body"]["session_id"] == f"agent-{w}"] for w in range(writers)}
    for w, ids in enumerate(per_session.values()):
        assert ids == [f"toolu_{w * 1000 + i:04d}" for i in range(per_writer)]  # each writer's order kept
    result = env.run("log", "verify", "--json")
    assert result.code == 0, result.stdout
    assert result.json()["last_checkpoint"] == 225
