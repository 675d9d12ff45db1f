"""Response bodies written with write() (Twisted, MoinMoin, webapp2, Django), templates filled from
locals(), a project's own escape() helpers, and configuration objects hung on the request."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_request_data_written_to_the_response_body_is_reported(py: PyScan) -> None:
    code = """def render_GET(self, request):
    name = request.args.get(b'name')[0]
    request.write(b'<h1>Hello ' + name + b'</h1>')

def get(self):
    self.response.out.write('<p>%s</p>' % self.request.get('q'))
"""
    found = py.rule_lines(code)
    assert ("BS-PY-079", 3) in found and ("BS-PY-079", 6) in found


def test_escaped_data_written_to_the_response_body_is_clean(py: PyScan) -> None:
    code = """from html import escape
def render_GET(self, request):
    name = request.args.get(b'name')[0]
    request.write(b'<h1>Hello ' + escape(name) + b'</h1>')

def get(self):
    self.response.out.write('<p>%s</p>' % utils.escape_html(self.request.get('q')))
"""
    assert py.rule_lines(code) == set()


def test_file_write_is_not_a_response(py: PyScan) -> None:
    code = """def save(request, out):
    out.write(request.form['text'])
"""
    assert ("BS-PY-079", 2) not in py.rule_lines(code)


def test_template_filled_from_locals_reads_each_named_local(py: PyScan) -> None:
    vulnerable = """def dialog(request):
    name = request.values.get('pagename', '')
    title = 'Links'
    request.write('<h1>%(title)s</h1><input value="%(name)s">' % locals())
"""
    safe = """def dialog(request):
    name = request.values.get('pagename', '')
    name_escaped = wikiutil.escape(name)
    title = 'Links'
    request.write('<h1>%(title)s</h1><input value="%(name_escaped)s">' % locals())
"""
    assert ("BS-PY-079", 4) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_format_with_locals_reads_each_named_local(py: PyScan) -> None:
    vulnerable = """import os
def run(request):
    target = request.args['host']
    count = 3
    os.system('ping -c {count} {target}'.format(**locals()))
"""
    safe = """import os, shlex
def run(request):
    target = shlex.quote(request.args['host'])
    count = 3
    os.system('ping -c {count} {target}'.format(**locals()))
"""
    assert ("BS-PY-078", 5) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_configuration_carried_by_the_request_is_not_request_data(py: PyScan) -> None:
    code = """def page(request):
    static = request.cfg.url_prefix_static
    root = request.script_root
    title = request.registry.settings.site.title
    request.write('<script src="%s/app.js"></script><a href="%s">%s</a>' % (static, root, title))
"""
    assert py.rule_lines(code) == set()


def test_request_url_handed_to_a_template_link_is_reported(py: PyScan) -> None:
    code = """def get(self):
    self.render('login.html', {
        'apiKey': config.get('api_key'),
        'dest': self.request.get('dest'),
    })

def page(request):
    return render(request, 'page.html', back_link=request.GET['back'])
"""
    found = py.rule_lines(code)
    assert ("BS-PY-079", 2) in found and ("BS-PY-079", 8) in found


def test_template_link_checked_for_its_scheme_or_host_is_clean(py: PyScan) -> None:
    code = """from urllib.parse import urlparse
def page(request):
    back = request.GET.get('back')
    if urlparse(back).scheme != '':
        back = '/'
    return render(request, 'page.html', {'back_link': back, 'title': request.GET.get('title')})

def get(self):
    dest = self.request.get('dest')
    check_redirect_url(dest)
    self.render('login.html', {'dest': dest})
"""
    assert py.rule_lines(code) == set()
