"""An outcome record names its PreToolUse (``pre``): the newest one with its tool-use id in its
session, found through the session index (no index on tool-use ids alone: each commit would
write a random page of it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_LINKS = r"""
import json, sys
from blastshield.audit.store_sqlite import SqliteStore
from blastshield.audit.append import find_pre_sql
store = SqliteStore(sys.argv[1])

def pre(session, tool_use_id, n):
    return {"event": "PreToolUse", "session_id": session, "tool_use_id": tool_use_id, "action": n}

def post(session, tool_use_id):
    return {"event": "PostToolUse", "session_id": session, "tool_use_id": tool_use_id}

hashes = {}
for n in range(300):  # filler in both sessions
    for record in store.append_many([pre("a", f"toolu_a{n}", n), pre("b", f"toolu_b{n}", n)]):
        hashes[record.seq] = record.hash
first_a = store.append(pre("a", "toolu_X", "first"))
other_b = store.append(pre("b", "toolu_X", "other session"))
newest_a = store.append(pre("a", "toolu_X", "newest"))
store.append(pre("a", "toolu_Y", "later"))
linked = store.append(post("a", "toolu_X"))
in_b = store.append(post("b", "toolu_X"))
# An outcome whose PreToolUse is earlier in the same, still uncommitted, batch.
batch = store.append_many([pre("c", "toolu_Z", "z"), post("c", "toolu_Z")])
orphan = store.append(post("a", "toolu_never"))
plan = store._conn.execute("EXPLAIN QUERY PLAN " + find_pre_sql("records", "?"), ("t", "s")).fetchall()
print(json.dumps({
    "linked": linked.body["pre"] == newest_a.hash != first_a.hash,
    "in_b": in_b.body["pre"] == other_b.hash,
    "batch": batch[1].body["pre"] == batch[0].hash,
    "orphan": orphan.body["pre"],
    "plan": [row[-1] for row in plan],
}))
"""


def test_an_outcome_links_to_the_newest_pre_tool_use_of_its_session(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", _LINKS, str(tmp_path / "audit.db")], capture_output=True,
                          text=True, timeout=120, check=False, env=environ)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["linked"] is True
    assert result["in_b"] is True
    assert result["batch"] is True
    assert result["orphan"] == ""
    assert result["plan"] == ["SEARCH records USING INDEX records_session (session_id=?)"], result["plan"]
