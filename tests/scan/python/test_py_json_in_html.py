"""JSON serialised without HTML escaping and handed to a template or marked safe (BS-PY-079-json)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_json_dumps_in_a_template_context_is_reported(py: PyScan) -> None:
    code = """import json
def edit_workflow(request, workflow):
    return render("editor/workflow.mako", request, {
        "workflow_json": json.dumps(workflow.data),
        "can_edit_json": json.dumps(workflow is None or workflow.is_editable(request.user)),
    })
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line, f.confidence) == ("BS-PY-079-json", 4, "medium")
    assert "render()" in f.message and "</script>" in f.message


def test_json_marked_safe_through_a_name_is_reported(py: PyScan) -> None:
    code = """import json
from django.utils.safestring import mark_safe
def json_dumps(value, indent=None):
    result = json.dumps(value, indent=indent, cls=DjbletsJSONEncoder)
    return mark_safe(result)
"""
    assert py.rule_lines(code) == {("BS-PY-079-json", 5)}


def test_html_safe_encoders_booleans_and_escaped_data_are_not_reported(py: PyScan) -> None:
    encoder = """import json
def edit(request, data):
    return render("editor.mako", request, {"data_json": json.dumps(data, cls=JSONEncoderForHTML)})
"""
    boolean = """import json
def edit(request, doc):
    return render("editor.mako", request, {"can_edit": json.dumps(doc is None or doc.editable)})
"""
    escaped = """import json
def search(request):
    query = {"q": antixss(request.GET.get("q", ""))}
    return render("search.mako", request, {"query": json.dumps(query)})
"""
    api = """import json
def api(request, data):
    return HttpResponse(json.dumps(data), content_type="application/json")
"""
    for code in (encoder, boolean, escaped, api):
        assert "BS-PY-079-json" not in {r for r, _ in py.rule_lines(code)}
