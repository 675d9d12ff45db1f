"""BS-PY-1236: request data written into CSV cells, where a leading '=' is a spreadsheet formula."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py

FLASK = "import csv\nfrom flask import Flask, request\napp = Flask(__name__)\n"


def test_request_data_written_as_csv_cells_is_reported(py: PyScan) -> None:
    code = FLASK + """@app.route('/export')
def export():
    row = request.args.get('row', '').split(',')
    with open('export.csv', 'w', newline='') as fh:
        writer = csv.writer(fh)
        writer.writerow(row)
        csv.writer(fh).writerows([[request.form['name'], 1]])
"""
    found = py.shown(code)
    assert {(f.rule_id, f.line) for f in found} == {("BS-PY-1236", 9), ("BS-PY-1236", 10)}
    assert "request parameter 'row' reaches CSV writerow()" in next(f.message for f in found if f.line == 9)


def test_neutralised_or_numeric_cells_and_own_data_are_clean(py: PyScan) -> None:
    code = FLASK + """def neutralise(cell):
    return "'" + cell if cell[:1] in ('=', '+', '-', '@') else cell

@app.route('/export')
def export():
    with open('export.csv', 'w', newline='') as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise(c) for c in request.args.get('row', '').split(',')])
        writer.writerow([int(request.args['count'])])
        writer.writerow(['name', 'count'])
"""
    assert py.rule_lines(code) == set()



def test_own_helpers_are_trusted_by_name_only_when_named_as_escapers(py: PyScan) -> None:
    code = FLASK + """from flask import make_response
def render(name):
    return '<b>' + name + '</b>'

def reverse(text):
    return text[::-1]

@app.route('/r')
def page():
    csv.writer(open('o.csv', 'w')).writerow([reverse(request.args['cell'])])
    return make_response(render(request.args['name']))
"""
    found = py.rule_lines(code)
    assert ("BS-PY-1236", 13) in found and ("BS-PY-079", 14) in found
