"""Fragments that start inside a block or end on an opener, Python 2 exec statements, calls of call
results, database ``find()`` results, and command lines held in a variable named as one."""

from __future__ import annotations

from typing import Any

from blastshield.scan.python.parsing import parse

PyScan = Any  # the `py` fixture from conftest.py


# ---- fragments ----------------------------------------------------------------------------------
def test_else_branch_of_a_block_the_fragment_starts_inside_is_analysed(py: PyScan) -> None:
    code = """            if done:
                total += 1
        else:
            value = eval(handle.readline())
"""
    assert ("BS-PY-094", 4) in py.rule_lines(code)


def test_the_else_branch_keeps_its_lines_and_stays_a_branch() -> None:
    text = "        x = 1\n    else:\n        y = 2\nz = 3\n"
    tree = parse("frag.py", text.encode())
    kinds = [type(s).__name__ for s in tree.body]
    assert kinds == ["If", "Assign"]
    branch = tree.body[0]
    assert branch.lineno == 1 and branch.end_lineno == 3
    assert [s.lineno for s in branch.orelse] == [3]  # type: ignore[attr-defined]


def test_fragment_cut_after_a_block_opener_keeps_the_code_before_it(py: PyScan) -> None:
    code = '''"""
with open(path) as fd:
    source = fd.read()
try:
    exec(source, namespace)
except Exception:
'''
    assert ("BS-PY-094", 5) in py.rule_lines(code)


def test_python2_exec_statement_is_read_as_the_exec_call(py: PyScan) -> None:
    code = """print 'loading plugin'
plugin = open(plugin_path).read()
exec plugin in namespace
"""
    assert ("BS-PY-094", 3) in py.rule_lines(code)


def test_python2_exec_of_a_literal_is_clean(py: PyScan) -> None:
    code = """print 'setting up'
exec "x = 1" in namespace
"""
    assert py.rule_lines(code) == set()


# ---- flows --------------------------------------------------------------------------------------
def test_a_sink_inside_the_called_expression_is_seen(py: PyScan) -> None:
    code = """def build(network, classes):
    return eval('get_' + network + '_symbol')(num_classes=classes)
"""
    assert ("BS-PY-094", 2) in py.rule_lines(code)


def test_calling_a_literal_lookup_result_is_clean(py: PyScan) -> None:
    code = """HANDLERS = {'a': len}
def run(key, value):
    return HANDLERS[key](value)
"""
    assert py.rule_lines(code) == set()


def test_documents_from_a_database_find_are_not_a_number(py: PyScan) -> None:
    code = """import pickle
def features(collection):
    for doc in collection.find({'kind': 'image'}):
        yield pickle.loads(doc['vector'])
"""
    assert ("BS-PY-502-pickle", 4) in py.rule_lines(code)


def test_str_find_still_gives_a_number(py: PyScan) -> None:
    code = """import pickle
def offset(text):
    where = text.find(':')
    return pickle.loads(where)
"""
    assert py.rule_lines(code) == set()


# ---- command lines held in a variable named as one ----------------------------------------------
def test_formatted_command_line_in_a_cmd_variable_reaches_any_helper(py: PyScan) -> None:
    code = """def staged(filename):
    show_cmd = "git show :%s" % filename
    return get_output(show_cmd)
"""
    found = py.shown(code)
    assert [(f.rule_id, f.line) for f in found] == [("BS-PY-078", 3)]
    assert "get_output()" in found[0].message and found[0].confidence == "medium"


def test_argument_list_in_a_cmd_variable_is_clean(py: PyScan) -> None:
    code = """def staged(filename):
    show_cmd = ["git", "show", ":" + filename]
    return get_output(show_cmd)
"""
    assert py.rule_lines(code) == set()


def test_cmd_variable_logged_or_holding_prose_is_clean(py: PyScan) -> None:
    code = """def staged(log, filename):
    cmd = "git show :%s" % filename
    log.debug(cmd)
    print(cmd)
    notice_cmd = "Could not find the file %s in the index, sorry" % filename
    report(notice_cmd)
"""
    assert py.rule_lines(code) == set()
