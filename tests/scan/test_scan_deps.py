"""Dependency checks: manifests and imports against the bundled popular lists, and --online
against a loopback HTTP server speaking the PyPI and npm JSON APIs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from scan_helpers import write


def findings(env, *args: str) -> list[tuple[str, str, int, str]]:
    result = env.run("scan", "--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    return [(f["rule_id"], f["path"], f["line"], f["message"]) for f in result.json()["findings"]]


def test_requirements_typo_separator_and_affix(env):
    write(env.workspace, "requirements.txt", (
        "# pinned\nrequests==2.32.3\nreqeusts>=1.0  # typo\npythondateutil\npython-numpy[extra]==1\n"
        "-r other.txt\ngit+https://example.invalid/x.git\n"))
    got = findings(env)
    assert [(r, p, line) for r, p, line, _ in got] == [
        ("BS-DEP-TYPOSQUAT", "requirements.txt", 3), ("BS-DEP-TYPOSQUAT", "requirements.txt", 4),
        ("BS-DEP-TYPOSQUAT", "requirements.txt", 5)]
    assert "'reqeusts' is 1 edit away from the popular package 'requests'" in got[0][3]
    assert ("'pythondateutil' differs only in separators from the popular package 'python-dateutil'"
            in got[1][3])
    assert "'python-numpy' adds or drops a prefix/suffix of the popular package 'numpy'" in got[2][3]


def test_pep503_spellings_of_popular_names_are_fine(env):
    write(env.workspace, "requirements.txt", "Python_Dateutil==2.9\nPyYAML\ntyping.extensions\n")
    assert findings(env) == []


def test_pyproject_poetry_setup_cfg_pipfile(env):
    write(env.workspace, "pyproject.toml", (
        '[project]\nname = "demo"\ndependencies = ["flask>=3", "djnago"]\n'
        '[project.optional-dependencies]\ndev = ["pytset"]\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nnumpyy = "*"\n'))
    write(env.workspace, "svc/setup.cfg", "[options]\ninstall_requires =\n    urllib3\n    urlib3\n")
    write(env.workspace, "svc/Pipfile", '[packages]\nboto3 = "*"\nbotto3 = "*"\n')
    got = [(r, p, line) for r, p, line, _ in findings(env)]
    assert got == [
        ("BS-DEP-TYPOSQUAT", "pyproject.toml", 3), ("BS-DEP-TYPOSQUAT", "pyproject.toml", 5),
        ("BS-DEP-TYPOSQUAT", "pyproject.toml", 8), ("BS-DEP-TYPOSQUAT", "svc/Pipfile", 3),
        ("BS-DEP-TYPOSQUAT", "svc/setup.cfg", 4)]


def test_package_json_and_js_imports(env):
    write(env.workspace, "package.json", json.dumps({
        "dependencies": {"express": "^4", "lodahs": "^4", "local": "file:../local",
                         "alias": "npm:axois@^1"},
        "devDependencies": {"@types/nodee": "^20"}}, indent=2))
    write(env.workspace, "src/index.ts", (
        "import fs from 'node:fs';\nimport path from 'path';\nimport x from './local';\n"
        "import chalk from 'chalk';\nconst c = require('expresss');\nimport('reactt').then(() => 1);\n"))
    got = [(r, p, line) for r, p, line, _ in findings(env)]
    assert got == [
        ("BS-DEP-TYPOSQUAT", "package.json", 4), ("BS-DEP-TYPOSQUAT", "package.json", 6),
        ("BS-DEP-TYPOSQUAT", "package.json", 9),
        ("BS-DEP-TYPOSQUAT", "src/index.ts", 5), ("BS-DEP-TYPOSQUAT", "src/index.ts", 6)]


def test_python_imports_skip_stdlib_local_and_mapped_names(env):
    write(env.workspace, "app/main.py", (
        "import os, json\nimport yaml\nfrom bs4 import BeautifulSoup\nimport numpyy as np\n"
        "from reqests import get\nimport helpers\nfrom app import models\nimport jsonn\n"))
    write(env.workspace, "app/helpers.py", "X = 1\n")
    write(env.workspace, "jsonn.py", "# a local module that looks like a typo of a popular one\n")
    got = [(r, p, line) for r, p, line, _ in findings(env)]
    assert got == [("BS-DEP-TYPOSQUAT", "app/main.py", 4), ("BS-DEP-TYPOSQUAT", "app/main.py", 5)]


# ---- --online against a loopback registry ---------------------------------------------------

def _iso(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


PYPI = {
    "old-internal-lib": {"info": {"name": "old-internal-lib"},
                         "releases": {"1.0": [{"upload_time_iso_8601": _iso(2000)}],
                                      "2.0": [{"upload_time_iso_8601": _iso(400)}]}},
    "fresh-helper-lib": {"info": {"name": "fresh-helper-lib"},
                         "releases": {"0.1": [{"upload_time_iso_8601": _iso(5)}]}},
    "reqeusts": {"info": {"name": "reqeusts"}, "releases": {"1.0": [{"upload_time_iso_8601": _iso(3)}]}},
}
NPM = {"left-padd": {"name": "left-padd", "time": {"created": _iso(1000)}}}


class _Registry(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        body: object | None = None
        if self.path.startswith("/pypi/") and self.path.endswith("/json"):
            body = PYPI.get(self.path[len("/pypi/"):-len("/json")])
        elif self.path.startswith("/npm/"):
            body = NPM.get(self.path[len("/npm/"):])
        if body is None:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"message": "Not Found"}')
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[dict[str, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    _Registry.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"BLASTSHIELD_PYPI_URL": f"{base}/pypi", "BLASTSHIELD_NPM_URL": f"{base}/npm"}
    server.shutdown()
    server.server_close()


def test_online_missing_new_and_established(env, registry):
    write(env.workspace, "requirements.txt", (
        "requests\nold-internal-lib\nfresh-helper-lib\nhallucinated-ml-toolkit-pro\nreqeusts\n"))
    write(env.workspace, "package.json", json.dumps({"dependencies": {"left-padd": "1", "lodash": "4"}}))
    result = env.run("scan", "--online", "--format", "json", "--min-confidence", "low", extra_env=registry)
    got = [(f["rule_id"], f["path"], f["line"], f["confidence"]) for f in result.json()["findings"]]
    assert got == [
        ("BS-DEP-TYPOSQUAT", "package.json", 1, "low"),  # exists for years: kept, low confidence
        ("BS-DEP-NEW", "requirements.txt", 3, "medium"),
        ("BS-DEP-MISSING", "requirements.txt", 4, "high"),
        ("BS-DEP-NEW", "requirements.txt", 5, "medium"),
        ("BS-DEP-TYPOSQUAT", "requirements.txt", 5, "medium"),
    ]
    messages = {(f["rule_id"], f["line"]): f["message"] for f in result.json()["findings"]}
    assert "'hallucinated-ml-toolkit-pro' does not exist on PyPI" in messages[("BS-DEP-MISSING", 4)]
    assert "first published on PyPI 5 days ago" in messages[("BS-DEP-NEW", 3)]
    assert result.code == 1
    # Popular names are never looked up; each other name once.
    assert sorted(_Registry.seen) == sorted([
        "/pypi/old-internal-lib/json", "/pypi/fresh-helper-lib/json",
        "/pypi/hallucinated-ml-toolkit-pro/json", "/pypi/reqeusts/json", "/npm/left-padd"])


def test_online_unreachable_registry_is_an_error_entry_and_offline_findings_stay(env):
    write(env.workspace, "requirements.txt", "reqeusts\n")
    dead = {"BLASTSHIELD_PYPI_URL": "http://127.0.0.1:9/pypi"}
    result = env.run("scan", "--online", "--format", "json", extra_env=dead)
    doc = result.json()
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("BS-DEP-TYPOSQUAT", 1)]
    assert any(e["path"] == "requirements.txt" and "pypi registry unreachable while checking 'reqeusts'"
               in e["error"] for e in doc["errors"])
    assert result.code == 1
