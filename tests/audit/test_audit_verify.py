"""`blastshield log verify`: an intact log passes; every kind of tampering exits 4 naming the record."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from audit_testkit import event, raw_rows, record, sql, write_policy


@pytest.fixture
def logged(env: Any) -> tuple[Any, Path]:
    """A workspace whose log holds 12 records with checkpoints every 5 (at 5 and 10)."""
    policy = write_policy(env.workspace, "checkpoint_every = 5")
    record(policy, [event(n) for n in range(12)], env.environ)
    return env, env.workspace / ".blastshield" / "audit.db"


def verify(env: Any) -> tuple[int, str, str]:
    result = env.run("log", "verify")
    return result.code, result.stdout, result.stderr


def test_intact_log_verifies(logged: tuple[Any, Path]) -> None:
    env, _ = logged
    code, out, err = verify(env)
    assert code == 0, err
    assert out.startswith("OK ")
    assert "12 records chain correctly; 2 signed checkpoint(s) verify (last at record 10)" in out
    assert "2 record(s) after the last signed checkpoint" in out
    report = env.run("log", "verify", "--json").json()
    assert report["ok"] is True and report["records"] == 12 and report["last_checkpoint"] == 10


def test_edited_record_is_named(logged: tuple[Any, Path]) -> None:
    env, db = logged
    body = raw_rows(db)[6]["body"]
    body["action"] = "echo harmless"
    sql(db, "UPDATE records SET body = ? WHERE seq = 7", (json.dumps(body),))
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 7" in out
    assert "record 7 was edited: its content does not match its hash" in out


def test_edited_filter_column_is_detected(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "UPDATE records SET decision = 'deny' WHERE seq = 3")
    code, out, _ = verify(env)
    assert code == 4
    assert "record 3: column(s) decision differ from the hashed record" in out


def test_deleted_record_is_named(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "DELETE FROM records WHERE seq = 4")
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 4" in out
    assert "record 4 missing (deleted)" in out


def test_rehashed_rewrite_is_caught_by_the_signed_checkpoint(logged: tuple[Any, Path]) -> None:
    """An attacker without the key edits record 2 and recomputes every later hash: the chain
    then links, but checkpoint 5 and 10 no longer match."""
    from blastshield.audit.chain import chain_next

    env, db = logged
    rows = raw_rows(db)
    head: tuple[int, str] | None = None
    conn = sqlite3.connect(db, isolation_level=None)
    for row in rows:
        body = row["body"]
        if row["seq"] == 2:
            body["decision"] = "deny"
            body["applied"] = "deny"
        fields = {k: v for k, v in body.items() if k not in ("v", "log_id", "seq", "time", "prev")}
        seq, new_hash, _, text = chain_next(body["log_id"], head, body["time"], fields)
        conn.execute("UPDATE records SET hash = ?, body = ?, decision = ?, applied = ? WHERE seq = ?",
                     (new_hash, text, body["decision"], body["applied"], seq))
        head = (seq, new_hash)
    conn.close()
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 5" in out
    assert "record 5 does not match the signed checkpoint's head hash (history rewritten)" in out


def test_inserted_record_is_named(logged: tuple[Any, Path]) -> None:
    env, db = logged
    rows = raw_rows(db)
    # shift 9..12 up by one and put a forged record at 9
    sql(db, "UPDATE records SET seq = seq + 100 WHERE seq >= 9")
    sql(db, "UPDATE records SET seq = seq - 99 WHERE seq >= 109")
    forged = dict(rows[8]["body"], action="echo forged")
    columns = "time, event, host, session_id, tool_use_id, tool, decision, applied, rule"
    sql(db, f"INSERT INTO records (seq, {columns}, hash, body) SELECT 9, {columns}, ?, ? FROM records"
            " WHERE seq = 8", ("00" * 32, json.dumps(forged)))
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 9" in out
    assert "record 9 was edited" in out
    assert "record 10 carries seq 9 (moved or renumbered)" in out


def test_reordered_records_are_named(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "UPDATE records SET seq = -1 WHERE seq = 3")
    sql(db, "UPDATE records SET seq = 3 WHERE seq = 4")
    sql(db, "UPDATE records SET seq = 4 WHERE seq = -1")
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 3" in out
    assert "record 3 carries seq 4 (moved or renumbered)" in out


def test_truncation_before_the_last_checkpoint(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "DELETE FROM records WHERE seq >= 8")
    code, out, _ = verify(env)
    assert code == 4
    assert "first bad record: 8" in out
    assert "log truncated: a signed checkpoint vouches for 10 records, only 7 remain" in out


def test_truncation_with_checkpoints_removed_is_caught_by_the_anchor(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "DELETE FROM records WHERE seq >= 8")
    sql(db, "DELETE FROM checkpoints")
    code, out, _ = verify(env)
    assert code == 4
    assert "log truncated: a signed anchor vouches for 10 records, only 7 remain" in out


def test_forged_checkpoint_signature(logged: tuple[Any, Path]) -> None:
    env, db = logged
    sql(db, "UPDATE checkpoints SET signature = ? WHERE count = 5", ("ab" * 64,))
    code, out, _ = verify(env)
    assert code == 4
    assert "checkpoint at record 5: signature does not verify (forged or edited)" in out


def test_unknown_signing_key_needs_public_key(logged: tuple[Any, Path], env_factory: object) -> None:
    env, db = logged
    other = env_factory()  # type: ignore[operator]
    result = other.run("log", "verify", "--store", str(db))
    assert result.code == 4
    assert "is signed by unknown key" in result.stdout and "--public-key" in result.stdout
    pub = env.home / ".config" / "blastshield" / "keys" / "audit-ed25519.pub"
    result = other.run("log", "verify", "--store", str(db), "--public-key", str(pub))
    assert result.code == 0, result.stdout


def test_replaced_and_deleted_logs(logged: tuple[Any, Path]) -> None:
    env, db = logged
    db.rename(db.with_suffix(".old"))
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    result = env.run("log", "verify")
    assert result.code == 4
    assert "the log is gone, but a signed anchor says it held 10 records" in result.stderr
    policy = env.workspace / ".blastshield" / "policy.toml"
    record(policy, [event(1)], env.environ)  # a fresh log in the same place
    code, out, _ = verify(env)
    assert code == 4
    assert "the log was replaced" in out


def test_corrupt_and_missing_files_give_one_line(env: Any) -> None:
    write_policy(env.workspace)
    missing = env.run("log", "verify")
    assert missing.code == 3
    assert missing.stderr.count("\n") == 1 and "no audit log there" in missing.stderr
    (env.workspace / ".blastshield" / "audit.db").write_bytes(b"this is not sqlite" * 100)
    corrupt = env.run("log", "verify")
    assert corrupt.code == 4
    assert corrupt.stderr.count("\n") == 1
    assert "corrupt database" in corrupt.stderr and "Traceback" not in corrupt.stderr
