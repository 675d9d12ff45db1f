"""Request data choosing the path of an outgoing request to a fixed host (BS-PY-918-path)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py

FLASK = """from flask import Flask, request
import requests
app = Flask(__name__)
"""


def test_request_data_in_the_path_of_a_fixed_host_is_partial_ssrf(py: PyScan) -> None:
    code = FLASK + """@app.route("/user")
def user():
    user_id = request.args.get("user_id")
    return requests.get("https://api.github.com/users/" + user_id, timeout=5).text
"""
    (f,) = [f for f in py.shown(code) if f.rule_id.startswith("BS-PY-918")]
    assert (f.rule_id, f.line, f.confidence) == ("BS-PY-918-path", 7, "medium")
    assert "request parameter 'user_id'" in f.message and "path" in f.message


def test_percent_formatting_into_the_path_is_reported_too(py: PyScan) -> None:
    code = FLASK + """@app.route("/info")
def info():
    name = request.args.get("name")
    return requests.get("https://api.github.com/users/%s" % name, timeout=5).text
"""
    assert ("BS-PY-918-path", 7) in py.rule_lines(code)


def test_checked_ids_query_values_and_parameters_are_not_reported(py: PyScan) -> None:
    checked = FLASK + """@app.route("/user")
def user():
    user_id = request.args.get("user_id", "")
    if not user_id.isdigit():
        return "bad id", 400
    return requests.get("https://api.example.com/users/" + user_id, timeout=5).text
"""
    query = FLASK + """@app.route("/search")
def search():
    return requests.get("https://api.example.com/search?q=" + request.args["q"], timeout=5).text
"""
    helper = """import requests
def fetch(user_id):
    return requests.get(f"https://api.example.com/users/{user_id}", timeout=5).json()
"""
    for code in (checked, query, helper):
        assert not {r for r, _ in py.rule_lines(code) if r.startswith("BS-PY-918")}


def test_a_host_chosen_by_request_data_stays_full_ssrf(py: PyScan) -> None:
    code = FLASK + """@app.route("/proxy")
def proxy():
    host = request.args["host"]
    return requests.get("https://" + host + "/status", timeout=5).text
"""
    assert ("BS-PY-918", 7) in py.rule_lines(code)
