"""Dangerous calls, by CWE, and how sure a finding is given what reaches them."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from blastshield.scan.finding import Confidence, RuleSpec
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.hits import CallInfo, SinkHit
from blastshield.scan.python.names import arg, const_str, is_true, kwarg, last
from blastshield.scan.python.values import EXTERNAL, PARAM, SLOT, SOURCE, UNKNOWN, URL_PATH_SLOT, Origin, Val
from blastshield.scan.rules import python_taint as R

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


def grade(hit: SinkHit) -> tuple[Confidence, Origin] | None:
    live = hit.val.live_for(hit.spec.cwe)
    if not live:
        return None
    top = live[0]
    if top.kind == SOURCE:
        return H, top
    if top.kind == EXTERNAL:
        if hit.external is not None:
            return hit.external, top
        live = [o for o in live if o.kind in (PARAM, UNKNOWN)]
        if not live:
            return None
        top = live[0]
    if hit.building and hit.val.built:
        return M, top
    return (hit.weak, top) if hit.weak is not None else None


# Sinks that run a string, and the rule for a string of theirs built by formatting only numbers into it.
FORMATTED: dict[str, tuple[RuleSpec, str]] = {
    R.SQL_INJECTION.id: (R.SQL_FORMATTED, "SQL statement"),
    R.COMMAND_INJECTION.id: (R.COMMAND_FORMATTED, "shell command line"),
    R.CODE_INJECTION.id: (R.CODE_FORMATTED, "Python code"),
}


def slot_finding(hit: SinkHit) -> tuple[RuleSpec, Origin, str] | None:
    """What a sink still shows when every origin was cleared only by its place in a string.

    - SQL (BS-PY-089-format): a number in a %d slot, or a caller's parameter in an identifier slot
      (a table name). Not injection today, but a statement built by formatting, one edit (%d -> %s, a
      new caller) from BS-PY-089. Shell command lines (BS-PY-078-format) and code given to eval/exec
      (BS-PY-094-format) built from numbers likewise.
    - URL (BS-PY-918-path): request data in the path of a URL whose scheme and host are fixed. It cannot
      change the host, but '../' and '?' reach other endpoints of that service (partial SSRF).
    """
    if not hit.val.built and hit.spec is not R.SSRF:
        return None
    formatted = FORMATTED.get(hit.spec.id)
    for o in sorted(hit.val.origins, key=lambda o: o.desc):
        if formatted is not None and SLOT in o.safe_for and (
                -1 in o.safe_for or (o.kind == PARAM and hit.spec is R.SQL_INJECTION)):
            spec, what = formatted
            return (spec, o, f"{o.desc} is formatted into the text of the {what} run by {hit.sink}")
        if hit.spec is R.SSRF and URL_PATH_SLOT in o.safe_for and o.kind == SOURCE and -1 not in o.safe_for:
            return (R.SSRF_PATH, o, f"{o.desc} sets the path of the URL requested by {hit.sink}")
    return None


SHELL_CALLS = frozenset({"os.system", "os.popen", "os.popen2", "os.popen3", "commands.getoutput",
                         "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput",
                         "popen2.popen2", "platform.popen"})
PROCESS_CALLS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call",
                           "subprocess.check_output", "subprocess.Popen", "asyncio.create_subprocess_shell",
                           "asyncio.create_subprocess_exec", "pty.spawn"})
EXEC_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "cmd", "cmd.exe",
                    "powershell", "/usr/bin/bash", "/usr/bin/sh"})
SQL_METHODS = frozenset({"execute", "executemany", "executescript", "raw", "extra", "read_sql",
                         "read_sql_query", "mogrify", "exec_driver_sql", "query"})
SQL_LIKE_METHOD = lazy(r"exec|query|sql|^get$|fetch|^select|^insert|^update|^delete|^raw", re.I)
SQL_STATEMENT = lazy(r"^\W*(select\b.*\bfrom|insert\s+into|update\b.*\bset|delete\s+from|"
                           r"replace\s+into|"
                           r"create\s+(user|table)|drop\s+(table|user)|alter\s+table)\b", re.I | re.S)
COMMAND_METHOD = lazy(r"^(exec_command|run_command|run_cmd|execute_command|_?run_ssh\w*|ssh_exec\w*|"
                            r"_?execute_cli|shell_exec|run_shell\w*|_?cli_run|exec_cmd)$", re.I)
# Names of a project's own command runners (self._execute(cmd), host.run(cmd), ssh.exec(cmd)): a sink
# only when what they get reads as a command line built by formatting (see looks_like_command).
RUNNER_NAME = lazy(r"^_*(run|execute|exec|call|spawn|system|popen|shell|sh|ssh|cmd|command|"
                         r"check_output|check_call)(_\w+)?$|[a-z](_run|_exec|_execute|_cmd|_command|_ssh|"
                         r"_shell|_cli)$", re.I)
# Variables named as a command line: cmd, command, ssh_cmd, cmdline, shell_command.
COMMAND_VAR = lazy(r"^_?(cmd|command)(_?line|_?str|_?string)?$|_(cmd|command)(_?line)?$", re.I)
COMMAND_LINE = lazy(r"^(?:X\s+)*[a-z][\w.+-]*(?:\s+(?:X|-{1,2}[a-z][\w-]*(?:=\S*)?|[\w./:=@,+!%-]+|"
                          r"'[^']*'|\"[^\"]*\"|[|;&<>]+|\d[\w.]*))+\s*$", re.I)
TEMPLATE_SLOT = lazy(r"\{[^{}]*\}|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
HTML_MARKUP = lazy(r"<\s*[a-zA-Z][\w-]*(\s[^<>]*)?/?>|<\s*/\s*[a-zA-Z]")
# Calls that take a string without running it: a query passed to them is not executed there.
NOT_EXECUTING = frozenset({"print", "str", "repr", "len", "format", "join", "append", "extend", "insert",
                           "add_row", "encode", "decode", "strip", "split", "replace", "lower", "upper",
                           "write", "writelines",
                           "assertEqual", "assertIn", "assert_called_with", "assert_called_once_with", "echo",
                           "secho", "debug", "info", "warning", "warn", "error", "exception", "critical",
                           "startswith", "endswith", "match", "search", "findall", "sub", "compile", "dumps",
                           "loads", "hash", "md5", "sha1", "sha256", "update", "get", "setdefault", "set",
                           "send", "sendall", "emit", "render", "escape", "quote", "dedent", "textwrap"})
# Shell helpers called by bare name in fragments or after a star import: os.system, subprocess.* ...
BARE_PROCESS = {"system": "os.system", "popen": "os.popen", "getoutput": "subprocess.getoutput",
                "check_output": "subprocess.check_output", "check_call": "subprocess.check_call",
                "Popen": "subprocess.Popen", "getstatusoutput": "subprocess.getstatusoutput"}
# Salt execution modules run commands through __salt__['cmd.run'](...).
SALT_COMMANDS = lazy(r"^cmd\.(run\w*|shell|exec_code\w*|script\w*)$")
SQL_WORDS = lazy(r"\b(select|insert|update|delete|drop|create|alter|replace|where|from|into|values|"
                       r"pragma|grant|truncate|exec|attach)\b", re.I)
SQL_FIRST_WORD = lazy(r"^\W*(select|insert|update|delete|drop|create|alter|replace|attach|detach|"
                            r"pragma|grant|revoke|truncate|with|begin|commit|rollback|show|describe|use|set|call)\b",
                            re.I)
CODE_CALLS = {"eval": 0, "exec": 0, "compile": 0, "builtins.eval": 0, "builtins.exec": 0,
              "execfile": 0}
PATH_CALLS = {"open": 0, "io.open": 0, "codecs.open": 0, "os.remove": 0, "os.unlink": 0, "os.rmdir": 0,
              "os.removedirs": 0, "os.rename": 0, "os.replace": 0, "os.listdir": 0, "os.makedirs": 0,
              "os.mkdir": 0, "shutil.rmtree": 0, "shutil.copy": 0, "shutil.copyfile": 0,
              "shutil.copy2": 0, "shutil.move": 0, "flask.send_file": 0, "send_file": 0,
              "os.chmod": 0, "os.chown": 0, "django.http.FileResponse": 0, "FileResponse": 0,
              "starlette.responses.FileResponse": 0, "fastapi.responses.FileResponse": 0,
              "pathlib.Path.open": 0, "os.truncate": 0}
URL_CALLS = {"requests.get": 0, "requests.post": 0, "requests.put": 0, "requests.delete": 0,
             "requests.head": 0, "requests.patch": 0, "requests.options": 0, "requests.request": 1,
             "urllib.request.urlopen": 0, "urllib.request.Request": 0, "urllib2.urlopen": 0,
             "urllib2.Request": 0, "urllib.urlopen": 0, "httpx.get": 0, "httpx.post": 0,
             "httpx.request": 1, "http.client.HTTPConnection": 0, "http.client.HTTPSConnection": 0,
             "httplib.HTTPConnection": 0, "aiohttp.request": 1, "urllib3.request": 1}
REDIRECT_CALLS = frozenset({"flask.redirect", "redirect", "django.shortcuts.redirect", "bottle.redirect",
                            "django.http.HttpResponseRedirect", "HttpResponseRedirect",
                            "django.http.HttpResponsePermanentRedirect",
                            "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse",
                            "RedirectResponse", "werkzeug.utils.redirect"})
HTML_CALLS = frozenset({"flask.make_response", "make_response", "flask.Response", "Response",
                        "django.http.HttpResponse", "HttpResponse", "markupsafe.Markup", "flask.Markup",
                        "Markup", "jinja2.Markup", "django.utils.safestring.mark_safe", "mark_safe",
                        "starlette.responses.HTMLResponse", "fastapi.responses.HTMLResponse", "HTMLResponse",
                        "werkzeug.wrappers.Response"})
RENDER_CALLS = frozenset({"render", "render_template", "render_to_response", "render_to_string",
                          "TemplateResponse"})
# Template variables that hold a link target (href/src): next, dest, back_link, return_url ...
LINK_KEY = lazy(r"^(url|href|link|next|dest|destination|goto|return_to|continue|callback|back)$|"
                      r"_(url|link|href)$|^(back|return|redirect|next)_", re.I)
# Objects whose write() sends the HTTP response body.
RESPONSE_WRITERS = frozenset({"request", "req", "self.request", "response", "resp", "self.response",
                              "self.response.out", "response.out"})
TEMPLATE_CALLS = frozenset({"flask.render_template_string", "render_template_string", "jinja2.Template",
                            "Template", "mako.template.Template", "django.template.Template",
                            "string.Template", "from_string"})
PICKLE_CALLS = frozenset({"pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads",
                          "_pickle.load", "marshal.loads", "marshal.load", "dill.loads", "dill.load",
                          "jsonpickle.decode", "joblib.load", "pandas.read_pickle", "shelve.open",
                          "pickle.Unpickler", "cloudpickle.loads", "cloudpickle.load", "torch.load"})
XML_CALLS = frozenset({"lxml.etree.fromstring", "lxml.etree.parse", "lxml.etree.XML",
                       "xml.etree.ElementTree.fromstring", "xml.etree.ElementTree.parse",
                       "xml.etree.ElementTree.XML", "xml.dom.minidom.parseString", "xml.dom.minidom.parse",
                       "xml.sax.parseString", "xml.sax.parse", "xml.dom.pulldom.parseString",
                       "xml.etree.cElementTree.fromstring", "xml.etree.cElementTree.parse"})
REGEX_CALLS = frozenset({"re.compile", "re.match", "re.search", "re.fullmatch", "re.findall", "re.finditer",
                         "re.sub", "re.subn", "re.split", "regex.compile", "regex.match", "regex.search"})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})
LDAP_METHODS = frozenset({"search_s", "search_st", "search_ext", "search_ext_s", "search"})
LDAP_KEYWORDS = frozenset({"search_filter", "filterstr", "search_base", "base"})
XPATH_METHODS = frozenset({"xpath", "XPath", "findall", "iterfind", "findtext", "find", "evaluate"})


def check(ci: CallInfo) -> list[SinkHit]:
    """Every sink this call is, with the value that reaches it."""
    hits: list[SinkHit] = []
    name, method = ci.name, ci.method
    first = ci.val(0)

    if name in SHELL_CALLS and first is not None:
        hits.append(SinkHit(R.COMMAND_INJECTION, first, f"{name}()", building=True, weak=M))
    elif name in PROCESS_CALLS or name.startswith(EXEC_PREFIXES):
        hits.extend(_process(ci))
    if name in CODE_CALLS and first is not None:
        hits.append(SinkHit(R.CODE_INJECTION, first, f"{name}()", building=True, weak=M))
    if method in SQL_METHODS and first is not None and _sqlish(ci, first):
        hits.append(SinkHit(R.SQL_INJECTION, first, f"{method}()", building=True, weak=L))
    elif first is not None and first.built and SQL_LIKE_METHOD.search(method or name) \
            and SQL_STATEMENT.search(first.text):
        # the file's own query helper (db.get(q), execute_query(q)) given an SQL statement built by formatting
        hits.append(SinkHit(R.SQL_INJECTION, first, f"{method or name}()", building=True, weak=L))
    if first is not None and (COMMAND_METHOD.match(method or name) or (
            not ci.own and first.built and name not in PROCESS_CALLS and name not in SHELL_CALLS
            and name not in CODE_CALLS and RUNNER_NAME.search(method or name)
            and looks_like_command(first.text)) or _held_command(ci)):
        hits.append(SinkHit(R.COMMAND_INJECTION, first, f"{method or name}()", building=True, weak=L))
    if isinstance(ci.node.func, ast.Subscript) and SALT_COMMANDS.match(const_str(ci.node.func.slice) or "") \
            and first is not None:
        hits.append(SinkHit(R.COMMAND_INJECTION, first, f"{const_str(ci.node.func.slice)}()", building=True,
                            weak=L))
    if not any(h.spec is R.SQL_INJECTION for h in hits) and method not in NOT_EXECUTING and \
            not (method in LOG_METHODS and "log" in ci.receiver):
        # the project's own query helper: sql.queryDB(conn, text), db.add(query), _run_command(q)
        for given in [*ci.args, *ci.kwargs.values()]:
            if given.built and SQL_STATEMENT.search(given.text):
                hits.append(SinkHit(R.SQL_INJECTION, given, f"{method or name or 'a call'}()", building=True,
                                    weak=L))
                break
    if name in ("sqlalchemy.text", "text") and first is not None and SQL_WORDS.search(first.text):
        hits.append(SinkHit(R.SQL_INJECTION, first, "sqlalchemy.text()", building=True, weak=L))
    if name in PATH_CALLS:
        v = ci.val(PATH_CALLS[name])
        if v is not None:
            hits.append(SinkHit(R.PATH_TRAVERSAL, v, f"{name}()", external=L, weak=None))
    if method == "save" and first is not None and ci.node.args and (first.text or (
            ci.recv is not None and ci.recv.tainted)):
        # upload.save(path), image.save(path): the file is written wherever the path points
        hits.append(SinkHit(R.PATH_TRAVERSAL, first, f"{ci.receiver or 'file'}.save()", external=L,
                            weak=None))
    if name in URL_CALLS:
        v = ci.val(URL_CALLS[name], "url")
        if v is not None:
            hits.append(SinkHit(R.SSRF, v, f"{name}()", external=L, weak=None))
    if name in REDIRECT_CALLS and first is not None:
        hits.append(SinkHit(R.OPEN_REDIRECT, first, f"{last(name)}()", external=None, weak=None))
    if name in HTML_CALLS and first is not None:
        hits.append(SinkHit(R.XSS, first, f"{last(name)}()", building=bool(HTML_MARKUP.search(first.text)),
                            external=L, weak=None))
    if name in HTML_CALLS:
        for key in ("content_type", "mimetype", "headers"):  # Response(..., content_type=v): header values
            if key in ci.kwargs:
                hits.append(SinkHit(R.HEADER_INJECTION, ci.kwargs[key], f"{last(name)}({key}=)",
                                    external=None, weak=None))
    if method == "write" and ci.receiver in RESPONSE_WRITERS and first is not None:
        # Twisted/MoinMoin request.write, webapp2 self.response.out.write, Django response.write: the body
        markup = bool(HTML_MARKUP.search(first.text))
        hits.append(SinkHit(R.XSS, first, f"{ci.receiver}.write()", building=markup, external=L, weak=None))
    if method in ("writerow", "writerows") and ("writer" in ci.receiver or "csv" in ci.receiver) and ci.args:
        # csv.writer(f).writerow(row): a cell starting with '=' is a formula to the spreadsheet that opens it
        hits.append(SinkHit(R.CSV_INJECTION, ci.args[0], f"CSV {method}()", external=None, weak=None))
    if (name in TEMPLATE_CALLS or method == "from_string") and first is not None:
        hits.append(SinkHit(R.TEMPLATE_INJECTION, first, f"{last(name) or method}()", external=L, weak=None))
    if name in PICKLE_CALLS and first is not None:
        literal = name == "shelve.open" and const_str(ci.node.args[0] if ci.node.args else None) is not None
        hits.append(SinkHit(R.DESERIALISATION, first, f"{name}()", external=L if literal else M,
                            weak=L if literal else M))
    if name in XML_CALLS and first is not None:
        hits.append(SinkHit(R.XXE, first, f"{name}()", external=L, weak=None))
    if name in REGEX_CALLS and first is not None:
        hits.append(SinkHit(R.REDOS, first, f"{name}()", external=L, weak=None))
    if method in LOG_METHODS and ("log" in ci.receiver or name.startswith("logging.")):
        for v in ci.args:
            hits.append(SinkHit(R.LOG_INJECTION, v, f"logging {method}()", external=None, weak=None))
    if method in LDAP_METHODS and (method != "search" or any(k in ci.receiver for k in ("ldap", "conn"))):
        # python-ldap passes the filter by position; ldap3 often by keyword (search_filter=, search_base=)
        ldap_given = [*ci.args, *(v for k, v in ci.kwargs.items() if k in LDAP_KEYWORDS)]
        for v in ldap_given:
            hits.append(SinkHit(R.LDAP_INJECTION, v, f"LDAP {method}()", building=True, external=L,
                                weak=None))
    if method in XPATH_METHODS and first is not None and _xpathish(ci, first):
        hits.append(SinkHit(R.XPATH_INJECTION, first, f"{method}()", building=True, external=L, weak=None))
    header_call = method in ("set", "add") and ci.receiver.endswith("headers")
    if method in ("add_header", "set_header") or header_call:
        for v in ci.args[1:2]:
            hits.append(SinkHit(R.HEADER_INJECTION, v, f"header {method}()", external=None, weak=None))
    return hits


def template_links(call: ast.Call, method: str, value_of: Callable[[ast.expr], Val]) -> list[SinkHit]:
    """render('page.html', {'next': url}): a URL handed to a template lands in href/src, where HTML escaping
    leaves 'javascript:alert(1)' working. Only URLs not checked for their scheme or host count."""
    if method not in RENDER_CALLS:
        return []
    given: list[tuple[str | None, ast.expr]] = [(k.arg, k.value) for k in call.keywords if k.arg]
    for a in call.args[:3]:
        if isinstance(a, ast.Dict):
            given.extend((const_str(k), v) for k, v in zip(a.keys, a.values, strict=True) if k is not None)
    hits: list[SinkHit] = []
    for key, node in given:
        if key and LINK_KEY.search(key):
            v = value_of(node)
            live = Val(frozenset(o for o in v.origins if not o.is_safe_for(601)), v.built, v.text)
            hits.append(SinkHit(R.XSS, live, f"the '{key}' link of a template", external=None, weak=None))
    return hits


def _held_command(ci: CallInfo) -> bool:
    """``cmd = 'git show :%s' % name; get_output(cmd)``: a variable named as a command, holding a command line
    built by formatting, handed to a helper (whatever its name) — the helper runs it."""
    node = ci.node.args[0] if ci.node.args else None
    first = ci.val(0)
    return isinstance(node, ast.Name) and first is not None and first.built \
        and bool(COMMAND_VAR.search(node.id)) and not ci.own and ci.method not in NOT_EXECUTING \
        and ci.method not in LOG_METHODS and ci.name not in PROCESS_CALLS and ci.name not in SHELL_CALLS \
        and looks_like_command(first.text) \
        and first.text.split()[0].islower() and ", " not in first.text  # a program name, not a sentence


def looks_like_command(text: str) -> bool:
    """A command line template: a program name then arguments, options or placeholders, on one line."""
    if not text or "\n" in text.strip() or SQL_FIRST_WORD.search(text) or len(text) > 400:
        return False
    plain = TEMPLATE_SLOT.sub("X", text).strip()
    words = plain.split()
    return len(words) >= 2 and words.count("X") < len(words) and bool(COMMAND_LINE.match(plain))


def _process(ci: CallInfo) -> list[SinkHit]:
    node = ci.node
    first_node = arg(node, 0, "args")
    first = ci.val(0, "args")
    if first_node is None or first is None:
        return []
    shell = is_true(kwarg(node, "shell")) or ci.name == "asyncio.create_subprocess_shell"
    label = f"{ci.name}(shell=True)" if shell else f"{ci.name}()"
    if shell:
        return [SinkHit(R.COMMAND_INJECTION, first, label, building=True, weak=M)]
    if isinstance(first_node, (ast.List, ast.Tuple)) and first_node.elts:
        elts = ci.first_elts or []
        prog = const_str(first_node.elts[0])
        if prog in SHELLS and len(elts) >= 3 and const_str(first_node.elts[1]) in ("-c", "/c"):
            return [SinkHit(R.COMMAND_INJECTION, elts[2], f"{ci.name}([{prog}, -c, ...])",
                            building=True, weak=L)]
        if prog is None and elts:
            return [SinkHit(R.COMMAND_INJECTION, elts[0], f"{label} as the program name",
                            external=L, weak=None)]
        return []
    # A string without a shell names one program; a list held in a variable is opaque.
    return [SinkHit(R.COMMAND_INJECTION, first, label, external=L, weak=None)]


def _sqlish(ci: CallInfo, first: Val) -> bool:
    if ci.method in ("executescript", "read_sql", "read_sql_query", "exec_driver_sql"):
        return True
    if SQL_WORDS.search(first.text):
        return True
    # A query held in a variable we could not see being built: only a definite source counts.
    return bool(first.live_for(89)) and first.live_for(89)[0].kind == SOURCE and ci.method != "query"


def _xpathish(ci: CallInfo, first: Val) -> bool:
    if ci.method in ("xpath", "XPath"):
        return True
    if ci.method == "evaluate":
        return "xpath" in ci.receiver or "/" in first.text
    return "[" in first.text or "/" in first.text or "@" in first.text


def string_slot_safety(prefix: str) -> frozenset[int]:
    """CWEs a piece interpolated after ``prefix`` cannot cause, whoever controls it weakly.

    A URL whose scheme and host are fixed before the piece cannot be turned to another
    host (918, 601). An SQL identifier slot (after FROM/INTO/UPDATE/JOIN/TABLE) or a
    LIMIT/OFFSET holds a name or number that code, not users, usually supplies; these only
    apply to origins without a visible source (see values.Val).
    """
    out: set[int] = set()
    if re.match(r"^\s*[a-zA-Z][\w+.-]*://[^/?#\s]+[/?#]", prefix) or re.match(r"^/[\w-]", prefix):
        out.update((918, 601))
    if re.search(r"\b(from|into|update|join|table|exists)\s+[`\"\[]?$",
                 prefix, re.I):
        out.add(89)
    return frozenset(out)
