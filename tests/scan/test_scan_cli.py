"""`blastshield scan` end to end: JSON contract, text report, exit codes, thresholds, errors."""

from __future__ import annotations

import json

from scan_helpers import AWS_KEY_ID, GITHUB_TOKEN, write

CONTRACT_FIELDS = {"rule_id", "cwe", "severity", "confidence", "path", "line", "end_line", "message", "fix"}


def test_json_contract_and_exit_1_on_high_finding(env):
    write(env.workspace, "app/settings.py", f'import os\n\nGITHUB = "{GITHUB_TOKEN}"\n')
    result = env.run("scan", "--format", "json")
    assert result.code == 1, result.stderr
    doc = result.json()
    assert doc["version"] == 1
    assert isinstance(doc["errors"], list)
    secret = [f for f in doc["findings"] if f["rule_id"] == "BS-SECRET-TOKEN"]
    assert len(secret) == 1
    f = secret[0]
    assert set(f) >= CONTRACT_FIELDS
    assert (f["path"], f["line"], f["end_line"], f["cwe"]) == ("app/settings.py", 3, 3, 798)
    assert (f["severity"], f["confidence"]) == ("high", "high")
    assert "github-token" in f["message"] and "ghp_********" in f["message"]
    assert f["docs"].endswith("/docs/rules/BS-SECRET-TOKEN.md")
    assert GITHUB_TOKEN not in result.stdout and GITHUB_TOKEN not in result.stderr


def test_clean_tree_exits_0_with_empty_findings(env):
    write(env.workspace, "src/util.py", "def add(a, b):\n    return a + b\n")
    write(env.workspace, "requirements.txt", "requests==2.32.0\nnumpy>=1.26\n")
    result = env.run("scan", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["findings"] == []
    assert result.json()["files"] == 2


def test_fail_on_threshold_controls_exit_code_not_reporting(env):
    # A generic secret is medium severity: reported by default but only fails with --fail-on medium.
    write(env.workspace, "config.yaml", "service:\n  api_token: 'q8ZfT3mK9vLw2XpR7sNc'\n")
    default = env.run("scan", "--format", "json")
    assert default.code == 0, default.stdout
    assert [(f["rule_id"], f["line"], f["severity"]) for f in default.json()["findings"]] == [
        ("BS-SECRET-GENERIC", 2, "medium")]
    strict = env.run("scan", "--fail-on", "medium")
    assert strict.code == 1
    assert "config.yaml:2: MEDIUM BS-SECRET-GENERIC" in strict.stdout


def test_min_confidence_hides_and_reveals_low_confidence_findings(env):
    write(env.workspace, "requirements.txt", "requests\nzqxv-internal-tooling==1.0\n")
    default = env.run("scan", "--format", "json")
    assert default.json()["findings"] == []
    assert default.json()["below_threshold"] == 1
    everything = env.run("scan", "--format", "json", "--min-confidence", "low")
    assert [(f["rule_id"], f["line"]) for f in everything.json()["findings"]] == [("BS-DEP-UNKNOWN", 2)]
    assert "zqxv-internal-tooling" in everything.json()["findings"][0]["message"]
    assert everything.code == 0  # low severity never fails the default --fail-on high


def test_text_report_names_rule_line_message_fix_and_summary(env):
    write(env.workspace, "deploy.sh", f"export AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n")
    result = env.run("scan", "deploy.sh")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "deploy.sh:1: HIGH BS-SECRET-TOKEN (CWE-798, high confidence)"
    assert "aws-access-key-id" in lines[1] and AWS_KEY_ID not in result.stdout
    assert lines[2].strip().startswith("fix: revoke the token")
    assert lines[-1].startswith("1 finding(s) (1 high); 1 file(s) scanned")
    assert lines[-1].endswith("1 at or above high")
    assert "\033[" not in result.stdout  # no colour when stdout is not a terminal


def test_missing_path_is_usage_error_exit_2(env):
    result = env.run("scan", "does/not/exist.py")
    assert result.code == 2
    assert result.stderr.strip() == ("blastshield: error: does/not/exist.py: no such file or directory; "
                                     "pass files or directories to scan")
    assert "Traceback" not in result.stderr


def test_bad_choice_is_exit_2(env):
    result = env.run("scan", "--fail-on", "severe")
    assert result.code == 2
    assert "--fail-on" in result.stderr


def test_output_file_receives_report(env):
    write(env.workspace, "a.env", f"TOKEN={GITHUB_TOKEN}\n")
    result = env.run("scan", "--format", "json", "-o", "report.json", "a.env")
    assert result.code == 1 and result.stdout == ""
    doc = json.loads((env.workspace / "report.json").read_text())
    got = [(f["rule_id"], f["path"], f["line"]) for f in doc["findings"]]
    assert got == [("BS-SECRET-TOKEN", "a.env", 1)]


def test_skips_vendor_dirs_binary_and_large_files(env):
    write(env.workspace, "node_modules/pkg/index.js", f'const t = "{GITHUB_TOKEN}";\n')
    write(env.workspace, ".venv/lib/x.py", f'T = "{GITHUB_TOKEN}"\n')
    write(env.workspace, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    write(env.workspace, "myenv/lib/y.py", f'T = "{GITHUB_TOKEN}"\n')
    (env.workspace / "blob.data").write_bytes(b"\0\1\2" + GITHUB_TOKEN.encode())
    write(env.workspace, "big.txt", "x = 1\n" * 200_000 + f"T={GITHUB_TOKEN}\n")
    result = env.run("scan", "--format", "json")
    doc = result.json()
    assert result.code == 0, doc
    assert doc["findings"] == []
    assert sorted((s["path"], s["reason"]) for s in doc["skipped"]) == [
        ("big.txt", "larger than 1000000 bytes"), ("blob.data", "binary")]


def test_explicit_file_inside_skipped_dir_is_scanned(env):
    write(env.workspace, "build/gen.py", f'T = "{GITHUB_TOKEN}"\n')
    result = env.run("scan", "--format", "json", "build/gen.py")
    got = [(f["rule_id"], f["path"]) for f in result.json()["findings"]]
    assert got == [("BS-SECRET-TOKEN", "build/gen.py")]


def test_unparseable_manifest_is_not_fatal(env):
    write(env.workspace, "pyproject.toml", "[project\nname = 'x'\n")
    write(env.workspace, "package.json", "{not json")
    write(env.workspace, "ok.txt", f"{GITHUB_TOKEN}\n")
    result = env.run("scan", "--format", "json")
    assert result.code == 1
    assert [(f["rule_id"], f["path"]) for f in result.json()["findings"]] == [("BS-SECRET-TOKEN", "ok.txt")]


def test_unparseable_source_is_an_error_entry_and_other_checks_still_run(env):
    source = "x = 1\n" * 450 + "def broken(:\n    pass\n" + f'T = "{GITHUB_TOKEN}"\n'
    write(env.workspace, "broken.py", source)
    write(env.workspace, "ok.py", "def add(a, b):\n    return a + b\n")
    result = env.run("scan", "--format", "json")
    doc = result.json()
    assert result.code == 1
    got = [(f["rule_id"], f["path"], f["line"]) for f in doc["findings"]]
    assert got == [("BS-SECRET-TOKEN", "broken.py", 453)]
    errors = [e for e in doc["errors"] if e["path"] == "broken.py"]
    assert len(errors) == 1 and "cannot parse as Python 3 (line 451)" in errors[0]["error"]
    assert doc["files"] == 2
    text = env.run("scan")
    assert "1 error(s):" in text.stdout
    assert "\n  broken.py: cannot parse as Python 3 (line 451)" in text.stdout
