"""Default-grade passwords are low confidence; real-looking ones stay reported."""

from __future__ import annotations

from bs_testenv import Env


def test_default_password_is_low_and_hidden_by_default(env: Env) -> None:
    (env.workspace / "settings.py").write_text('DB_HOST = "db"\nDB_PASSWORD = "root"\n')
    shown = env.run("scan", "settings.py", "--format", "json")
    assert shown.code == 0, shown.stderr
    assert shown.json()["findings"] == []
    everything = env.run("scan", "settings.py", "--format", "json", "--min-confidence", "low")
    found = [f for f in everything.json()["findings"] if f["rule_id"] == "BS-SECRET-PASSWORD"]
    assert [(f["line"], f["confidence"]) for f in found] == [(2, "low")]
    assert all("root" not in f["message"] for f in found)


def test_default_password_handed_to_a_login_call_is_reported_once(env: Env) -> None:
    (env.workspace / "db.py").write_text(
        'import pymysql\n\nconn = pymysql.connect(host="db", user="app", passwd="root")\n')
    shown = env.run("scan", "db.py", "--format", "json", "--min-confidence", "low")
    found = [(f["rule_id"], f["line"], f["confidence"]) for f in shown.json()["findings"]
             if f["cwe"] in (259, 798)]
    assert found == [("BS-PY-798", 3, "medium")]  # a credential in use, said once
    assert "root" not in shown.stdout
    tests = env.workspace / "tests"
    tests.mkdir()
    (tests / "test_db.py").write_text((env.workspace / "db.py").read_text())
    fake = env.run("scan", "tests/test_db.py", "--format", "json", "--min-confidence", "low")
    assert [(f["rule_id"], f["confidence"]) for f in fake.json()["findings"]
            if f["cwe"] in (259, 798)] == [
        ("BS-SECRET-PASSWORD", "low")]  # in test code a literal password is usually a fake


def test_real_looking_password_is_still_reported(env: Env) -> None:
    (env.workspace / "settings.py").write_text('DB_PASSWORD = "Zq8#vLw2pT!r9xKe"\n')
    result = env.run("scan", "settings.py", "--format", "json")
    found = [f for f in result.json()["findings"] if f["rule_id"] == "BS-SECRET-PASSWORD"]
    assert [(f["line"], f["confidence"]) for f in found] == [(1, "medium")]
    assert "Zq8#vLw2pT" not in result.stdout
    assert all("Zq8#" not in f["message"] for f in found)
