"""Settings we cannot see: jinja2 options spread from a dict, handlers on a blueprint made elsewhere or
guarded by a before_request hook, and a literal called like a function (a missing %)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_autoescape_missing_from_spread_options_is_reported(py: PyScan) -> None:
    code = """from jinja2 import Environment, FileSystemLoader
def make(paths, options=None):
    opts = options if options else {}
    return Environment(loader=FileSystemLoader(paths), **opts)
def make_literal(paths):
    return Environment(loader=FileSystemLoader(paths), **{"trim_blocks": True})
def make_off(paths):
    opts = dict(autoescape=False)
    return Environment(loader=FileSystemLoader(paths), **opts)
"""
    assert py.rule_lines(code) == {("BS-PY-079-autoescape", 4), ("BS-PY-079-autoescape", 6),
                                   ("BS-PY-079-autoescape", 9)}


def test_autoescape_set_in_spread_options_is_not_reported(py: PyScan) -> None:
    code = """from jinja2 import Environment, FileSystemLoader
def make(paths, extra=None):
    opts = {"autoescape": True}
    opts.update(extra or {})
    return Environment(loader=FileSystemLoader(paths), **opts)
def make_set(paths):
    opts = {}
    opts["autoescape"] = True
    return Environment(loader=FileSystemLoader(paths), **opts)
"""
    assert py.shown(code) == []


def test_options_we_cannot_see_are_low_confidence(py: PyScan) -> None:
    code = """from jinja2 import Environment, FileSystemLoader
def make(paths, options):
    return Environment(loader=FileSystemLoader(paths), **options)
"""
    assert py.shown(code) == []
    assert [(f.rule_id, f.line, f.confidence.value) for f in py.run(code)] == [
        ("BS-PY-079-autoescape", 3, "low")]


def test_sensitive_handler_on_a_visible_app_without_login_is_reported(py: PyScan) -> None:
    code = """from flask import Flask, Blueprint
app = Flask(__name__)
admin = Blueprint("admin", __name__)
@app.route("/delete/<int:item_id>", methods=["POST"])
def delete(item_id):
    return "ok"
@admin.route("/settings")
def settings():
    return "ok"
"""
    assert py.rule_lines(code) == {("BS-PY-306", 5), ("BS-PY-306", 8)}


def test_blueprint_made_elsewhere_is_low_and_a_login_hook_covers_its_handlers(py: PyScan) -> None:
    elsewhere = """from flask import request
@mod.route("/delete/<int:item_id>", methods=["POST"])
def delete(item_id):
    return "ok"
"""
    assert py.shown(elsewhere) == []
    assert [(f.rule_id, f.line, f.confidence.value) for f in py.run(elsewhere)] == [("BS-PY-306", 3, "low")]
    hooked = """from flask import Flask, Blueprint, session, abort
app = Flask(__name__)
admin = Blueprint("admin", __name__)
@admin.before_request
def require_admin():
    if not session.get("is_admin"):
        abort(403)
@admin.route("/delete/<int:item_id>", methods=["POST"])
def delete(item_id):
    return "ok"
@app.route("/remove/<int:item_id>", methods=["POST"])
def remove(item_id):
    return "ok"
"""
    assert py.rule_lines(hooked) == {("BS-PY-306", 12)}


def test_a_literal_called_like_a_function_builds_no_query(py: PyScan) -> None:
    code = """from flask import request
def delete(cur):
    cid = request.form["cid"]
    cur.execute("DELETE FROM t WHERE id = %s" (cid,))
    cur.execute("DELETE FROM t WHERE id = %s" % (cid,))
"""
    assert py.rule_lines(code) == {("BS-PY-089", 5)}
