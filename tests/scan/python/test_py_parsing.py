"""Unparseable input is an error naming the file and line; fragments and Python 2 keep their lines."""

from __future__ import annotations

import pytest

from blastshield.errors import ScanError
from blastshield.scan.python import analyze


def test_garbage_raises_scan_error_with_path_and_line() -> None:
    with pytest.raises(ScanError) as info:
        analyze("broken.py", b"def f(:\n    return )\n" + b"x = (\n" * 3 + b"y ===== 2\n" * 30)
    assert info.value.message.startswith("broken.py: cannot parse as Python 3 (line 1")
    assert info.value.exit_code == 2


def test_null_bytes_are_an_error_not_a_crash() -> None:
    with pytest.raises(ScanError, match=r"^nul\.py: cannot parse as Python 3"):
        analyze("nul.py", b"x = 1\x00\n")


def test_indented_fragment_keeps_its_line_numbers() -> None:
    fragment = (b"        cursor = db.cursor()\n"
                b"        cursor.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)\n"
                b"    return cursor.fetchall()\n")
    found = analyze("frag.py", fragment)
    assert [(f.rule_id, f.line) for f in found] == [("BS-PY-089", 2)]


def test_python2_print_and_except_are_tolerated() -> None:
    source = (b"import os\n"
              b"def run(name):\n"
              b"    try:\n"
              b"        os.system('echo ' + name)\n"
              b"    except OSError, e:\n"
              b"        print 'failed', e\n")
    found = analyze("old.py", source)
    assert [(f.rule_id, f.line, f.confidence) for f in found] == [("BS-PY-078", 4, "medium")]


def test_deeply_nested_expression_is_an_error_not_a_crash() -> None:
    source = b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n"
    with pytest.raises(ScanError, match=r"deep\.py: "):
        analyze("deep.py", source)


def test_fragment_starting_inside_a_call_keeps_its_line_numbers() -> None:
    source = (b"            timeout=3,\n"
              b"            retries=2)\n"
              b"import os\n"
              b"def clean(path):\n"
              b"    os.system('rm -rf ' + path)\n")
    found = analyze("cut.py", source)
    assert [(f.rule_id, f.line) for f in found] == [("BS-PY-078", 5)]


def test_fragment_starting_inside_a_docstring_is_read_as_code_after_the_closing_quotes() -> None:
    code = (
        "    >>> frame = load(path)\n"
        "    >>> frame.plot()\n"
        '    """\n'
        "    import os\n"
        "    name = os.environ['MODULE']\n"
        "    handler = eval('handlers.%s.run' % name)\n"
        "    if handler is None:\n"
        "        handler = default\n"
        '    """\n'
    )
    found = [(f.rule_id, f.line) for f in analyze("frag.py", code.encode())]
    assert ("BS-PY-094", 6) in found


def test_a_file_that_is_only_a_docstring_is_still_parsed() -> None:
    code = '"""Module docs.\n\nNothing else here.\n"""\n'
    assert analyze("doc.py", code.encode()) == []
