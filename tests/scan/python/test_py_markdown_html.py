"""Markdown rendered to HTML without sanitising (BS-PY-079-markdown)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_markdown_of_stored_text_kept_or_returned_is_reported(py: PyScan) -> None:
    code = """import markdown
import markdown2
def context(obj):
    ctx = {}
    ctx["md"] = markdown.markdown(obj.content, extensions=["extra"])
    return ctx
async def html_content(self):
    text = await self.content
    return markdown2.markdown(text)
def fragment(item):
    item.md = markdown(item.content)
"""
    found = py.shown(code)
    assert [(f.rule_id, f.line) for f in found] == [("BS-PY-079-markdown", 5), ("BS-PY-079-markdown", 9),
                                                     ("BS-PY-079-markdown", 11)]
    assert "raw HTML" in found[0].message


def test_cleaned_escaped_constant_or_safe_mode_markdown_is_not_reported(py: PyScan) -> None:
    code = """import bleach, markdown, markdown2, markupsafe
def cleaned(obj):
    return bleach.clean(markdown.markdown(obj.content), tags=["p", "a"])
def escaped(obj):
    return markdown.markdown(markupsafe.escape(obj.content))
def constant():
    return markdown.markdown("# Help")
def safe(text):
    return markdown2.markdown(text, safe_mode="escape")
def markdown_(text):
    return text
"""
    assert py.shown(code) == []


def test_markdown_handed_to_an_autoescaping_template_is_low_confidence(py: PyScan) -> None:
    code = """import markdown
from flask import render_template
def page(row):
    content = markdown.markdown(row.content)
    return render_template("page.html", content=content)
"""
    assert py.shown(code) == []
    found = [(f.rule_id, f.line, f.confidence.value) for f in py.run(code)]
    assert found == [("BS-PY-079-markdown", 4, "low")]


def test_a_project_function_named_markdown_is_not_the_library(py: PyScan) -> None:
    code = """import html
def markdown(text):
    return "<pre>" + html.escape(text) + "</pre>"
def show(row):
    return markdown(row.content)
"""
    assert py.shown(code) == []
