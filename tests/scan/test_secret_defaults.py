"""Default-grade passwords are low confidence; real-looking ones stay reported."""

from __future__ import annotations

from bs_testenv import Env


def test_default_password_is_low_and_hidden_by_default(env: Env) -> None:
    (env.workspace / "db.py").write_text(
        'import pymysql\n\nconn = pymysql.connect(host="db", user="app", passwd="root")\n')
    shown = env.run("scan", "db.py", "--format", "json")
    assert shown.code == 0, shown.stderr
    assert [f for f in shown.json()["findings"] if f["rule_id"] == "BS-SECRET-PASSWORD"] == []
    everything = env.run("scan", "db.py", "--format", "json", "--min-confidence", "low")
    found = [f for f in everything.json()["findings"] if f["rule_id"] == "BS-SECRET-PASSWORD"]
    assert [(f["line"], f["confidence"]) for f in found] == [(3, "low")]
    assert all("root" not in f["message"] for f in found)


def test_real_looking_password_is_still_reported(env: Env) -> None:
    (env.workspace / "settings.py").write_text('DB_PASSWORD = "Zq8#vLw2pT!r9xKe"\n')
    result = env.run("scan", "settings.py", "--format", "json")
    found = [f for f in result.json()["findings"] if f["rule_id"] == "BS-SECRET-PASSWORD"]
    assert [(f["line"], f["confidence"]) for f in found] == [(1, "medium")]
    assert "Zq8#vLw2pT" not in result.stdout
    assert all("Zq8#" not in f["message"] for f in found)
