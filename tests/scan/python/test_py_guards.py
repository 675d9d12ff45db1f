"""Checks guard the branch they lead into; after the `if` only when the other branch leaves."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py

FLASK = "from flask import Flask, request, redirect, abort\nimport os\napp = Flask(__name__)\n"


def test_early_exit_on_a_failed_check_guards_the_rest(py: PyScan) -> None:
    code = FLASK + """ALLOWED = {"a.txt", "b.txt"}
@app.route("/r")
def r():
    name = request.args["f"]
    if name not in ALLOWED:
        abort(403)
    return open(name).read()
"""
    assert "BS-PY-022" not in {r for r, _ in py.rule_lines(code)}


def test_a_check_protects_only_its_own_branch(py: PyScan) -> None:
    code = FLASK + """ALLOWED = {"a.txt", "b.txt"}
@app.route("/r")
def r():
    name = request.args["f"]
    if name in ALLOWED:
        print(open(name).read())
    return open(name).read()
"""
    found = py.rule_lines(code)
    assert ("BS-PY-022", 9) not in found
    assert ("BS-PY-022", 10) in found


def test_the_failing_branch_of_a_negated_check_is_still_tainted(py: PyScan) -> None:
    code = FLASK + """from urllib.parse import urlparse
@app.route('/go/<url>')
def go(url):
    if not urlparse(url).hostname == "www.example.com":
        return redirect(url)
    return redirect(url)
"""
    found = py.rule_lines(code)
    assert ("BS-PY-601", 8) in found and ("BS-PY-601", 9) not in found


def test_a_check_that_mixes_polarities_is_trusted_for_the_rest(py: PyScan) -> None:
    code = FLASK + """@app.route("/r")
def r():
    name = request.args["f"]
    if name.isalnum() or name not in ("x",):
        pass
    return open(name).read()
"""
    assert "BS-PY-022" not in {r for r, _ in py.rule_lines(code)}


def test_a_host_held_in_a_variable_checks_the_url_it_came_from(py: PyScan) -> None:
    code = FLASK + """from urllib.parse import urlparse
@app.route('/redirect/<url>')
def go(url):
    parsed = urlparse(url)
    domain = parsed.netloc
    if domain == 'example.com':
        return redirect(url)
    return redirect(url)
"""
    found = py.rule_lines(code)
    assert ("BS-PY-601", 10) not in found and ("BS-PY-601", 11) in found


def test_a_character_allow_list_checked_with_issubset_guards_eval(py: PyScan) -> None:
    code = """def evaluate_expression(expr):
    allowed_chars = set('0123456789+-*/(). ')
    if not set(expr).issubset(allowed_chars):
        return ''
    return str(eval(expr))
"""
    unchecked = """def evaluate_expression(expr):
    return str(eval(expr))
"""
    assert py.rule_lines(code) == set()
    assert ("BS-PY-094", 2) in py.rule_lines(unchecked)


def test_xpath_built_from_parameters_is_reported_and_xpath_variables_are_not(py: PyScan) -> None:
    vulnerable = """def find_student(root, username, password):
    query = f"//student[username='{username}' and password='{password}']"
    return root.xpath(query)
"""
    safe = """def find_student(root, username, password):
    return root.xpath("//student[username=$u and password=$p]", u=username, p=password)
"""
    assert ("BS-PY-643", 3) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_checking_one_attribute_leaves_the_others_of_the_object_unchecked(py: PyScan) -> None:
    code = """import os
def advisories(packages, seen):
    for p in packages:
        if p.name not in seen and ".rpm" in p.path:
            os.popen('rpm -q -p "%s" --changelog' % p.path)
def checked(packages, ALLOWED):
    for p in packages:
        if p.path in ALLOWED:
            os.popen('rpm -q -p "%s" --changelog' % p.path)
"""
    assert py.rule_lines(code) == {("BS-PY-078", 5)}


def test_a_host_check_on_the_parsed_url_still_checks_the_url(py: PyScan) -> None:
    code = """from flask import Flask, request, redirect
from urllib.parse import urlparse
app = Flask(__name__)
@app.route("/go")
def go():
    url = request.args["next"]
    parsed = urlparse(url)
    if parsed.netloc == "example.com":
        return redirect(url)
    return redirect(request.args["other"])
"""
    assert py.rule_lines(code) == {("BS-PY-601", 10)}


def test_a_regex_that_checks_only_a_prefix_or_a_piece_guards_nothing(py: PyScan) -> None:
    code = """import os, re
from flask import Flask, request, redirect
app = Flask(__name__)
@app.route("/go")
def go():
    target = request.args["target"]
    if re.match(r"^https?://", target):
        return redirect(target)
    return "no"
@app.route("/run")
def run():
    name = request.args["name"]
    if re.search(r"[a-z]+", name):
        os.system("echo " + name)
    return "ok"
"""
    assert py.rule_lines(code) == {("BS-PY-601", 8), ("BS-PY-078", 14)}


def test_a_full_regex_or_one_that_names_the_host_still_guards(py: PyScan) -> None:
    code = """import os, re
from flask import Flask, request, redirect
app = Flask(__name__)
@app.route("/go")
def go():
    target = request.args["target"]
    if re.match(r"^https://[^/]+\\.example\\.com/", target):
        return redirect(target)
    return "no"
@app.route("/run")
def run():
    name = request.args["name"]
    if re.match(r"[a-z]+$", name):
        os.system("echo " + name)
    if re.fullmatch(r"[a-z]+", name):
        os.system("echo " + name)
    return "ok"
"""
    assert py.rule_lines(code) == set()


def test_a_scheme_prefix_check_does_not_check_where_a_url_goes(py: PyScan) -> None:
    code = """from flask import Flask, request, redirect
app = Flask(__name__)
@app.route("/a")
def a():
    target = request.args["target"]
    if target.startswith("http://") or target.startswith("https://"):
        return redirect(target)
    return "no"
@app.route("/b")
def b():
    target = request.args["target"]
    if target.startswith(("http", "https://")):
        return redirect(target)
    return "no"
@app.route("/c")
def c():
    target = request.args["target"]
    if target.startswith("https://example.com/"):
        return redirect(target)
    return "no"
"""
    assert py.rule_lines(code) == {("BS-PY-601", 7), ("BS-PY-601", 13)}
