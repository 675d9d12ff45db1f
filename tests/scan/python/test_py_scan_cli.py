"""The Python analysis through the real CLI: `blastshield scan DIR --format json`."""

from __future__ import annotations

from typing import Any

VULNERABLE = '''from flask import Flask, request
import subprocess

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    return subprocess.run("ping -c 1 " + host, shell=True, capture_output=True).stdout
'''

SAFE = '''from flask import Flask, request
import subprocess

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    return subprocess.run(["ping", "-c", "1", host], capture_output=True, timeout=5).stdout
'''


def test_cli_reports_taint_finding_with_rule_line_and_message(env: Any) -> None:
    (env.workspace / "app.py").write_text(VULNERABLE)
    result = env.run("scan", "app.py", "--format", "json")
    assert result.code == 1, result.stderr
    found = [f for f in result.json()["findings"] if f["rule_id"].startswith("BS-PY-")]
    assert [(f["rule_id"], f["line"], f["cwe"], f["confidence"]) for f in found] == [
        ("BS-PY-078", 10, 78, "high")]
    assert found[0]["message"].startswith("request parameter 'host' reaches subprocess.run(shell=True)")


def test_cli_safe_version_has_no_python_findings(env: Any) -> None:
    (env.workspace / "app.py").write_text(SAFE)
    result = env.run("scan", "app.py", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    assert [f for f in result.json()["findings"] if f["rule_id"].startswith("BS-PY-")] == []


def test_cli_reports_unparseable_python_as_an_error_entry(env: Any) -> None:
    (env.workspace / "broken.py").write_text("def f(:\n" + "    x = (((\n" * 40)
    result = env.run("scan", "broken.py", "--format", "json")
    errors = result.json()["errors"]
    assert any("broken.py: cannot parse as Python 3 (line 1)" in str(e) for e in errors), errors
