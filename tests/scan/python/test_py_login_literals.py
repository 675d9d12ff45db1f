"""Literal passwords handed to a login call: by position, inside URLs, and empty ones (BS-PY-798)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_a_password_passed_by_position_to_a_database_connect_is_reported(py: PyScan) -> None:
    code = """import MySQLdb
def connect():
    return MySQLdb.connect("db.internal", "app", "Wq8#nT2vLx", "orders")
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-798"]
    assert f.line == 3 and f.confidence == "medium" and "MySQLdb.connect()" in f.message
    assert "Wq8#nT2vLx" not in f.message  # never repeat the secret


def test_a_password_passed_by_position_to_a_mail_login_is_reported(py: PyScan) -> None:
    code = """import smtplib
def send(msg):
    s = smtplib.SMTP_SSL("smtp.example.com")
    s.login("reports@example.com", "k9!Vb77qPz")
    s.send_message(msg)
"""
    assert ("BS-PY-798", 4) in py.rule_lines(code)


def test_a_password_inside_a_connection_url_is_reported(py: PyScan) -> None:
    code = """from sqlalchemy import create_engine
engine = create_engine("postgresql://app:Gx72kPq9w@db.internal/orders")
"""
    assert ("BS-PY-798", 2) in py.rule_lines(code)


def test_default_grade_password_given_to_a_login_is_reported(py: PyScan) -> None:
    code = """import MySQLdb
def a():
    return MySQLdb.connect(host="localhost",
                           user="root",
                           passwd="root", db="test")
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line, f.confidence) == ("BS-PY-798", 5, "medium")
    assert "MySQLdb.connect() logs in with the literal 'passwd'" in f.message


def test_empty_password_for_a_named_account_is_reported(py: PyScan) -> None:
    code = """import MySQLdb
def b():
    return MySQLdb.connect(host="localhost", user="root", passwd="", db="test")
def c():
    return MySQLdb.connect(host="localhost", passwd="", db="test")
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line) == ("BS-PY-798", 3)
    assert f.message == "MySQLdb.connect() logs in with an empty 'passwd' — the account has no password"


def test_very_short_login_passwords_are_low_confidence(py: PyScan) -> None:
    code = """import MySQLdb
def c():
    return MySQLdb.connect(host="localhost", user="root", passwd="pw", db="test")
"""
    found = {(f.rule_id, f.line, str(f.confidence)) for f in py.run(code)}
    assert ("BS-PY-798", 3, "low") in found
    assert py.rule_lines(code) == set()


def test_default_grade_password_merely_assigned_stays_low(py: PyScan) -> None:
    found = py.run("password = 'password'\nDB_PASS = 'root'\n")
    assert {(f.rule_id, f.line, str(f.confidence)) for f in found} == {
        ("BS-PY-798", 1, "low"), ("BS-PY-798", 2, "low")}


def test_passwords_from_the_environment_and_placeholders_are_not_reported(py: PyScan) -> None:
    code = """import os, MySQLdb
def a():
    return MySQLdb.connect(host="localhost", user=os.environ["DB_USER"], passwd=os.environ["DB_PASSWORD"])
def b():
    return MySQLdb.connect(host="localhost", user="<username>", passwd="<password>")
def c():
    return MySQLdb.connect(host="localhost", user="", passwd="")
def d(url):
    return create_engine("postgresql://app:${DB_PASSWORD}@db/orders")
"""
    assert [f for f in py.run(code) if f.rule_id == "BS-PY-798"] == []


def test_password_compared_with_a_module_constant_is_a_hard_coded_credential(py: PyScan) -> None:
    code = """from flask import Flask, request
app = Flask(__name__)
admin_password = "1234"
@app.route("/check", methods=["POST"])
def check():
    password = request.form["password"]
    if password == admin_password:
        return "Logged in"
    return "Wrong password"
"""
    found = [(f.rule_id, f.line) for f in py.shown(code)]
    assert found == [("BS-PY-798", 7)]
    assert "admin_password" in py.shown(code)[0].message


def test_password_compared_with_a_placeholder_or_a_reassigned_name_is_not_reported(py: PyScan) -> None:
    code = """import os
EXPECTED = "changeme"
current = "a1"
current = os.environ["PW"]
def check(password):
    return password == EXPECTED or password == current
"""
    assert [f for f in py.shown(code) if f.rule_id == "BS-PY-798"] == []


def test_a_password_compared_with_blanks_is_an_emptiness_check(py: PyScan) -> None:
    code = """def change(password, confirm_password):
    if password == ' ':
        return 'empty'
    if confirm_password != '   ':
        return 'mismatch'
    if password == 'Sw0rdf1sh!':
        return 'ok'
"""
    assert [line for rule, line in py.rule_lines(code) if rule == "BS-PY-798"] == [6]
