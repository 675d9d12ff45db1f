"""Taint rules: each sink with a vulnerable case (rule id and line asserted) and safe look-alikes."""

from __future__ import annotations

from typing import Any

import pytest

PyScan = Any  # the `py` fixture from conftest.py

FLASK = "from flask import Flask, request, redirect, make_response\napp = Flask(__name__)\n"

VULNERABLE = [
    ("BS-PY-078", 7, FLASK + """import os
@app.route("/ping")
def ping():
    host = request.args.get("host")
    os.system("ping -c 1 " + host)
"""),
    ("BS-PY-078", 7, FLASK + """import subprocess
@app.route("/ls")
def ls():
    d = request.form["dir"]
    subprocess.run(f"ls {d}", shell=True)
"""),
    ("BS-PY-078", 4, """import subprocess, sys
def main():
    target = sys.argv[1]
    subprocess.call(["sh", "-c", "tar czf out.tgz " + target])
"""),
    ("BS-PY-089", 7, FLASK + """import sqlite3
@app.route("/user")
def user():
    name = request.args["name"]
    return str(sqlite3.connect("db").execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall())
"""),
    ("BS-PY-089", 3, """def delete(cursor, cmt_id):
    sql = "DELETE FROM comment WHERE id = '{}'".format(cmt_id)
    cursor.execute(sql)
"""),
    ("BS-PY-094", 6, FLASK + """@app.route("/calc")
def calc():
    expr = request.args.get("q")
    return str(eval(expr))
"""),
    ("BS-PY-022", 7, FLASK + """@app.route("/read")
def read():
    name = request.args.get("file")
    path = "/srv/files/" + name
    with open(path) as fh:
        return fh.read()
"""),
    ("BS-PY-918", 6, FLASK + """import requests
@app.route("/fetch")
def fetch():
    return requests.get(request.args["url"], timeout=5).text
"""),
    ("BS-PY-601", 6, FLASK + """@app.route("/go")
def go():
    target = request.args.get("next")
    return redirect(target)
"""),
    ("BS-PY-079", 7, FLASK + """@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    html = "<h1>Hello " + name + "</h1>"
    return make_response(html)
"""),
    ("BS-PY-1336", 7, FLASK + """from flask import render_template_string
@app.route("/t")
def t():
    tpl = request.args.get("tpl")
    return render_template_string(tpl)
"""),
    ("BS-PY-090", 7, FLASK + """import ldap
@app.route("/who")
def who():
    user = request.args["user"]
    return str(ldap.initialize("ldap://x").search_s("dc=x", ldap.SCOPE_SUBTREE, f"(uid={user})"))
"""),
    ("BS-PY-643", 7, FLASK + """from lxml import etree
@app.route("/x")
def x():
    name = request.args["name"]
    return str(etree.parse("users.xml").xpath("//user[@name='" + name + "']"))
"""),
    ("BS-PY-117", 7, FLASK + """import logging
@app.route("/login")
def login():
    user = request.form["user"]
    logging.info("login attempt by %s" % user)
    return "ok"
"""),
    ("BS-PY-502-pickle", 7, FLASK + """import pickle, base64
@app.route("/load")
def load():
    blob = base64.b64decode(request.cookies["state"])
    return str(pickle.loads(blob))
"""),
    ("BS-PY-1333", 7, FLASK + """import re
@app.route("/search")
def search():
    pattern = request.args["p"]
    return str(re.search(pattern, "some text"))
"""),
    ("BS-PY-611", 6, FLASK + """from lxml import etree
@app.route("/upload", methods=["POST"])
def upload():
    doc = etree.fromstring(request.data)
    return doc.tag
"""),
    ("BS-PY-113", 7, FLASK + """@app.route("/h")
def h():
    resp = make_response("ok")
    value = request.args["lang"]
    resp.headers["Content-Language"] = value
    return resp
"""),
    ("BS-PY-113", 7, FLASK + """from flask import Response
@app.route("/h2")
def h2():
    kind = request.headers.get("content-type")
    return Response("ok", content_type=kind)
"""),
]

SAFE = [
    ("BS-PY-113", FLASK + """from flask import Response
@app.route("/h2")
def h2():
    kind = request.headers.get("content-type")
    return Response("ok", content_type="application/json" if kind == "json" else "text/plain")
"""),
    ("BS-PY-078", FLASK + """import subprocess
@app.route("/ping")
def ping():
    host = request.args.get("host")
    subprocess.run(["ping", "-c", "1", host], check=False)
"""),
    ("BS-PY-078", FLASK + """import os, shlex
@app.route("/ping")
def ping():
    os.system("ping -c 1 " + shlex.quote(request.args["host"]))
"""),
    ("BS-PY-078", """import subprocess
subprocess.run("ls -l /tmp", shell=True)
"""),
    ("BS-PY-089", FLASK + """import sqlite3
@app.route("/user")
def user():
    name = request.args["name"]
    return str(sqlite3.connect("db").execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall())
"""),
    ("BS-PY-089", """def delete(cursor, cmt_id):
    cursor.execute("DELETE FROM comment WHERE id = %s", (cmt_id,))
"""),
    ("BS-PY-089", """def count(cursor, n):
    cursor.execute("SELECT count(*) FROM t WHERE n = %d" % int(n))
"""),
    ("BS-PY-089", """class Store:
    table = "items"
    def drop(self, key):
        self.db.execute("DELETE FROM %s WHERE id = $1" % self.table, key)
"""),
    ("BS-PY-022", FLASK + """import os
from werkzeug.utils import secure_filename
@app.route("/read")
def read():
    name = secure_filename(request.args.get("file"))
    with open(os.path.join("/srv/files", name)) as fh:
        return fh.read()
"""),
    ("BS-PY-022", FLASK + """import os
@app.route("/read")
def read():
    path = os.path.realpath(os.path.join("/srv/files", request.args["file"]))
    if not path.startswith("/srv/files/"):
        return "no", 403
    with open(path) as fh:
        return fh.read()
"""),
    ("BS-PY-918", FLASK + """import requests
@app.route("/user")
def user():
    uid = request.args["id"]
    return requests.get("https://api.example.com/users/" + uid, timeout=5).text
"""),
    ("BS-PY-601", FLASK + """from urllib.parse import urlparse
@app.route("/go")
def go():
    target = request.args.get("next", "/")
    if urlparse(target).netloc not in ("", "example.com"):
        return redirect("/")
    return redirect(target)
"""),
    ("BS-PY-079", FLASK + """from markupsafe import escape
@app.route("/hello")
def hello():
    return "<h1>Hello " + escape(request.args.get("name", "")) + "</h1>"
"""),
    ("BS-PY-079", FLASK + """from flask import render_template
@app.route("/hello")
def hello():
    return render_template("hello.html", name=request.args.get("name"))
"""),
    ("BS-PY-094", """import ast
def parse(text):
    return ast.literal_eval(text)
"""),
    ("BS-PY-117", FLASK + """import logging
@app.route("/login")
def login():
    user = request.form["user"].replace("\\n", "").replace("\\r", "")
    logging.info("login attempt by %s", user)
    return "ok"
"""),
    ("BS-PY-1333", FLASK + """import re
@app.route("/search")
def search():
    return str(re.search(re.escape(request.args["p"]), "some text"))
"""),
]


@pytest.mark.parametrize(("rule", "line", "code"), VULNERABLE, ids=[f"{r}-{i}" for i, (r, _, _) in
                                                                    enumerate(VULNERABLE)])
def test_vulnerable_flow_is_reported(py: PyScan, rule: str, line: int, code: str) -> None:
    assert (rule, line) in py.rule_lines(code)


@pytest.mark.parametrize(("rule", "code"), SAFE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(SAFE)])
def test_safe_look_alike_stays_clean(py: PyScan, rule: str, code: str) -> None:
    assert rule not in {r for r, _ in py.rule_lines(code)}


def test_message_names_the_source_the_sink_and_the_line(py: PyScan) -> None:
    (f,) = [f for f in py.shown(FLASK + """import subprocess
@app.route("/ping")
def ping():
    host = request.args.get("host")
    subprocess.run("ping " + host, shell=True)
""") if f.rule_id == "BS-PY-078"]
    assert f.line == 7
    assert f.confidence == "high"
    assert f.message == ("request parameter 'host' reaches subprocess.run(shell=True) (line 7) — "
                         "OS command built from untrusted data")


def test_flow_through_the_files_own_helper_is_followed(py: PyScan) -> None:
    code = FLASK + """import os
def run(cmd):
    return os.system(cmd)

def build(name):
    return "convert " + name + " out.png"

@app.route("/img")
def img():
    run(build(request.args["f"]))
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-078"]
    assert f.line == 5 and f.confidence == "high"
    assert f.message.startswith("request parameter 'f' reaches os.system() inside run() called at line 12")


def test_helper_that_cleans_its_input_cleans_the_flow(py: PyScan) -> None:
    code = FLASK + """import os
def clean(x):
    return int(x)

@app.route("/n")
def n():
    os.system("sleep %s" % clean(request.args["n"]))
"""
    assert not [f for f in py.run(code) if f.rule_id == "BS-PY-078"]


def test_a_shell_run_on_a_string_nobody_checked_is_medium(py: PyScan) -> None:
    plain = py.run("""import subprocess
def go(cmd):
    subprocess.run(cmd, shell=True)
""")
    assert [(f.rule_id, f.line, f.confidence) for f in plain] == [("BS-PY-078", 3, "medium")]
    listed = py.run("""import subprocess
def go(cmd):
    subprocess.run(cmd)
""")
    assert listed == []  # without a shell the value names one program: not reported
    built = py.run("""import subprocess
def go(name):
    subprocess.run("echo " + name, shell=True)
""")
    assert [(f.rule_id, f.line, f.confidence) for f in built] == [("BS-PY-078", 3, "medium")]


def test_route_parameters_are_sources(py: PyScan) -> None:
    code = FLASK + """import os
@app.route("/rm/<name>")
def rm(name):
    os.remove("/data/" + name)
"""
    assert ("BS-PY-022", 6) in py.rule_lines(code)


def test_django_view_request_is_a_source(py: PyScan) -> None:
    code = """from django.http import HttpResponse
def view(request):
    q = request.GET.get("q")
    return HttpResponse("<p>" + q + "</p>")
"""
    assert ("BS-PY-079", 4) in py.rule_lines(code)


def test_allow_list_membership_sanitises(py: PyScan) -> None:
    code = FLASK + """import os
ALLOWED = {"a.txt", "b.txt"}
@app.route("/r")
def r():
    name = request.args["f"]
    if name not in ALLOWED:
        return "no"
    return open(name).read()
"""
    assert not [f for f in py.shown(code) if f.rule_id == "BS-PY-022"]


def test_percent_without_placeholder_carries_nothing(py: PyScan) -> None:
    code = """import os
def notify(word):
    os.system('notify-send "no such word"' % word)
"""
    assert py.run(code) == []


def test_argument_list_to_a_command_helper_is_not_a_shell_string(py: PyScan) -> None:
    vulnerable = """class Driver:
    def set_qos(self, name):
        self._run_ssh('setqos vvset:%s' % name)
"""
    safe = """class Driver:
    def set_qos(self, name):
        self._run_ssh(['setqos', 'vvset:%s' % name])
"""
    assert ("BS-PY-078", 3) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_validator_called_as_a_statement_checks_its_argument(py: PyScan) -> None:
    checked = FLASK + """import os
@app.route("/key", methods=["DELETE"])
def delete_key():
    name = request.args["name"]
    validate_key_name(name)
    os.remove("keys/%s.key" % name)
    return "ok"
"""
    unchecked = checked.replace("    validate_key_name(name)\n", "    print(name)\n")
    assert "BS-PY-022" not in {r for r, _ in py.rule_lines(checked)}
    assert ("BS-PY-022", 8) in py.rule_lines(unchecked)


def test_list_concatenation_is_an_argument_list_not_a_command_string(py: PyScan) -> None:
    code = """class Driver:
    def ports(self, cmd):
        ssh_cmd = cmd + ['-delim', '!']
        return self._run_ssh(ssh_cmd)
"""
    assert py.rule_lines(code) == set()


def test_exception_handler_sees_values_from_before_the_failing_statement(py: PyScan) -> None:
    code = """import logging
def read_number():
    try:
        user_input = input("Enter a number: ")
        user_input = int(user_input)
    except ValueError:
        logging.error("not a number: " + user_input)
    return user_input
"""
    assert ("BS-PY-117", 7) in py.rule_lines(code)


def test_template_held_in_a_parameter_formats_a_string(py: PyScan) -> None:
    code = """def run_query(query_template, scope, parameters):
    query = query_template % parameters
    exec("result = %s" % query, scope)
    return scope["result"]
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-094"]
    assert f.line == 3 and f.confidence == "medium"
    assert py.run("""def tick(n, width):
    return n % width
""") == []


def test_every_definition_is_analysed_even_when_names_repeat(py: PyScan) -> None:
    code = """import os
class Ping:
    def get(self, request):
        os.system("ping -c 1 " + request.GET["host"])

class Health:
    def get(self, request):
        return "ok"
"""
    assert ("BS-PY-078", 4) in py.rule_lines(code)


def test_ldap_filter_built_from_a_parameter_is_medium(py: PyScan) -> None:
    code = """def find_user(conn, user):
    return conn.search_s("dc=example,dc=com", 2, "(uid=" + user + ")")
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-090"]
    assert f.line == 2 and f.confidence == "medium"


def test_objects_a_framework_hands_to_a_hook_are_not_request_data(py: PyScan) -> None:
    code = """class Middleware:
    def process_response(self, request, response):
        return response

    def process_exception(self, request, exception):
        return None
"""
    assert py.rule_lines(code) == set()


def test_items_appended_to_a_list_flow_into_what_joins_it(py: PyScan) -> None:
    joined = """class Cli:
    def cli_run(self, verb, cli_args):
        parts = []
        for k, v in cli_args.items():
            parts.append(" %s=%s" % (k, v))
        cmd = verb + ''.join(parts)
        return self._run_ssh(cmd, False)
"""
    listed = """class Cli:
    def cli_run(self, verb, cli_args):
        cmd_list = [verb]
        for k, v in cli_args.items():
            cmd_list.append("%s=%s" % (k, v))
        return self._run_ssh(cmd_list, False)
"""
    assert ("BS-PY-078", 7) in py.rule_lines(joined)
    assert py.rule_lines(listed) == set()


def test_a_view_returning_a_list_is_not_writing_html(py: PyScan) -> None:
    code = """def nav_items(request):
    items = []
    for part in request.path_parts:
        items.append(part)
    return items
"""
    assert py.rule_lines(code) == set()


def test_ldap3_filter_given_by_keyword_is_checked(py: PyScan) -> None:
    code = """from flask import Flask, request
import ldap3
app = Flask(__name__)
@app.route("/find")
def find():
    username = request.form["username"]
    search_filter = "(&(objectClass=user)(sAMAccountName={}))".format(username)
    conn = ldap3.Connection(ldap3.Server("localhost"))
    conn.search(search_base="dc=example,dc=com", search_filter=search_filter)
    conn.search(search_base="dc=example,dc=com", search_filter="(objectClass=user)",
                attributes=[username])
    return "ok"
"""
    assert {(r, line) for r, line in py.rule_lines(code) if r == "BS-PY-090"} == {("BS-PY-090", 9)}
