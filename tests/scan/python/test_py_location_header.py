"""A Location header set by hand from request data is an open redirect (BS-PY-601), like redirect(url)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_location_header_from_request_data_is_an_open_redirect(py: PyScan) -> None:
    code = """from flask import Flask, Response, request, make_response
from django.http import HttpResponse
app = Flask(__name__)
@app.route("/a")
def a():
    url = request.args.get("url")
    return Response("moved", status=302, headers={"Location": url})
@app.route("/b")
def b():
    response = make_response("moved", 302)
    response.headers["Location"] = request.args["next"]
    return response
def c(request):
    resp = HttpResponse(status=302)
    resp["Location"] = request.GET["next"]
    return resp
"""
    assert {(r, line) for r, line in py.rule_lines(code) if r == "BS-PY-601"} == {
        ("BS-PY-601", 7), ("BS-PY-601", 11), ("BS-PY-601", 15)}


def test_fixed_or_checked_location_and_other_dict_keys_are_not_redirects(py: PyScan) -> None:
    code = """from flask import Flask, Response, request
from urllib.parse import urlparse
app = Flask(__name__)
@app.route("/a")
def a():
    return Response("moved", status=302, headers={"Location": "/home"})
@app.route("/b")
def b():
    url = request.args["next"]
    if urlparse(url).netloc != "":
        return Response("no", status=400)
    return Response("moved", status=302, headers={"Location": url})
@app.route("/c")
def c():
    place = {}
    place["Location"] = request.args["city"]
    return "ok"
"""
    assert [f for f in py.shown(code) if f.rule_id == "BS-PY-601"] == []
