"""Inline suppressions (reason required, counted) and baselines (fingerprints survive line moves)."""

from __future__ import annotations

import json

from scan_helpers import AWS_KEY_ID, GITHUB_TOKEN, STRIPE_KEY, write


def test_suppression_on_same_line_and_line_above_is_counted(env):
    write(env.workspace, "keys.py", (
        f'A = "{GITHUB_TOKEN}"  # blastshield: ignore[BS-SECRET-TOKEN] revoked test token\n'
        "# blastshield: ignore[BS-SECRET-TOKEN] fixture for the billing tests\n"
        f'B = "{STRIPE_KEY}"\n'
        f'C = "{AWS_KEY_ID}"\n'
    ))
    result = env.run("scan", "--format", "json", "keys.py")
    doc = result.json()
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("BS-SECRET-TOKEN", 4)]
    assert doc["suppressed"] == 2
    text = env.run("scan", "keys.py")
    assert "2 suppressed" in text.stdout.splitlines()[-1]


def test_suppression_without_reason_does_not_suppress_and_is_an_error(env):
    write(env.workspace, "keys.js", f'const a = "{GITHUB_TOKEN}"; // blastshield: ignore[BS-SECRET-TOKEN]\n')
    doc = env.run("scan", "--format", "json", "keys.js").json()
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("BS-SECRET-TOKEN", 1)]
    assert doc["suppressed"] == 0
    problems = [e for e in doc["errors"] if e["path"] == "keys.js"]
    assert len(problems) == 1
    assert problems[0]["error"].startswith("line 1: suppression of BS-SECRET-TOKEN has no reason")


def test_suppression_of_another_rule_does_not_hide_finding(env):
    write(env.workspace, "k.py", f'T = "{GITHUB_TOKEN}"  # blastshield: ignore[BS-PY-078] not a command\n')
    doc = env.run("scan", "--format", "json", "k.py").json()
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("BS-SECRET-TOKEN", 1)]
    assert doc["suppressed"] == 0


def test_suppression_two_lines_above_does_not_apply(env):
    write(env.workspace, "k.py", (
        "# blastshield: ignore[BS-SECRET-TOKEN] too far away\n\n" f'T = "{GITHUB_TOKEN}"\n'))
    doc = env.run("scan", "--format", "json", "k.py").json()
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("BS-SECRET-TOKEN", 3)]


def test_baseline_accepts_existing_findings_across_line_moves(env):
    write(env.workspace, "conf/app.env", f"GITHUB={GITHUB_TOKEN}\nSTRIPE={STRIPE_KEY}\n")
    wrote = env.run("scan", "--write-baseline", ".blastshield-baseline.json")
    assert wrote.code == 0, wrote.stderr
    assert "wrote 2 finding(s)" in wrote.stderr
    baseline = json.loads((env.workspace / ".blastshield-baseline.json").read_text())
    assert baseline["version"] == 1
    assert sorted((e["rule_id"], e["path"], e["line"]) for e in baseline["findings"]) == [
        ("BS-SECRET-TOKEN", "conf/app.env", 1), ("BS-SECRET-TOKEN", "conf/app.env", 2)]
    raw = (env.workspace / ".blastshield-baseline.json").read_text()
    assert GITHUB_TOKEN not in raw and STRIPE_KEY not in raw

    # Move both lines down and add a new secret: only the new one is reported.
    moved = f"# settings\n\nAWS={AWS_KEY_ID}\nGITHUB={GITHUB_TOKEN}\nSTRIPE={STRIPE_KEY}\n"
    write(env.workspace, "conf/app.env", moved)
    result = env.run("scan", "--format", "json", "--baseline", ".blastshield-baseline.json")
    doc = result.json()
    assert [(f["rule_id"], f["line"], "aws-access-key-id" in f["message"]) for f in doc["findings"]] == [
        ("BS-SECRET-TOKEN", 3, True)]
    assert doc["baselined"] == 2
    assert result.code == 1


def test_baseline_fingerprints_do_not_depend_on_cwd(env):
    write(env.workspace, "pkg/a.env", f"GITHUB={GITHUB_TOKEN}\n")
    assert env.run("scan", "--write-baseline", "base.json").code == 0
    result = env.run("scan", "--format", "json", "--baseline", "../base.json", ".", cwd=env.workspace / "pkg")
    assert result.json()["findings"] == [] and result.json()["baselined"] == 1
    assert result.code == 0


def test_bad_baseline_is_exit_2_with_one_line(env):
    write(env.workspace, "bad.json", "{oops")
    result = env.run("scan", "--baseline", "bad.json")
    assert result.code == 2
    assert result.stderr.startswith("blastshield: error: baseline bad.json: not valid JSON (line 1)")
    missing = env.run("scan", "--baseline", "nope.json")
    assert missing.code == 2
    assert "baseline nope.json: no such file" in missing.stderr
    wrong = env.run("scan", "--baseline", "bad.json", "--write-baseline", "x.json")
    assert wrong.code == 2
