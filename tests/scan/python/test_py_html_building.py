"""HTML assembled by string formatting from values nobody escaped, handed back by a helper."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_helper_returning_formatted_html_is_reported(py: PyScan) -> None:
    code = """def gravatar(user, url, size):
    return ('<img src="%s" width="%s" height="%s" alt="%s" class="gravatar"/>' %
            (url, size, size, user.get_full_name() or user.username))
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-079"]
    assert f.line == 2 and f.confidence == "medium" and "HTML returned by this function" in f.message


def test_format_html_or_escape_makes_it_clean(py: PyScan) -> None:
    code = """from django.utils.html import format_html, escape
def gravatar(user, url, size):
    return format_html('<img src="{0}" width="{1}" alt="{2}"/>', url, size, user.username)

def label(text):
    return "<b>" + escape(text) + "</b>"
"""
    assert py.rule_lines(code) == set()


def test_plain_text_and_constant_html_are_not_html_building(py: PyScan) -> None:
    code = """def greet(name):
    return f"Welcome, {name}!"

def footer():
    return "<p>" + "(c) 2024" + "</p>"
"""
    assert py.rule_lines(code) == set()


def test_mark_safe_of_built_html_is_medium(py: PyScan) -> None:
    code = """from django.utils.safestring import mark_safe
def badge(label):
    return mark_safe('<span class="badge">%s</span>' % label)
"""
    found = {(f.rule_id, f.line, f.confidence) for f in py.shown(code)}
    assert ("BS-PY-079", 3, "medium") in found
