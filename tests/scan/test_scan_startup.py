"""The write-time scan of one Python file starts without the standard library's slow-to-import
helpers (dataclasses and inspect, pathlib): its value classes are plain ``__slots__`` classes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from blastshield.scan.finding import Confidence, Finding, Severity
from blastshield.scan.options import ScanErrorEntry, ScanOptions
from blastshield.scan.python.values import Origin, Val

_PROBE = """
import sys
from blastshield.scan.engine import ScanOptions, scan_file
result = scan_file(sys.argv[1], open(sys.argv[1], 'rb').read(), ScanOptions())
assert result.findings, result
print(sorted(m for m in ('dataclasses', 'inspect', 'pathlib') if m in sys.modules))
"""


def test_scanning_one_python_file_imports_no_dataclasses_inspect_or_pathlib(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text("import subprocess\nimport flask\n\n\ndef run(cmd):\n"
                      "    return subprocess.run(input(), shell=True)\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", _PROBE, str(target)], capture_output=True, text=True,
                         check=True, cwd=tmp_path, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]", out.stderr


def test_values_compare_and_hash_by_their_fields() -> None:
    a, b = Origin("source", "request parameter 'q'"), Origin("source", "request parameter 'q'")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Origin("source", "request parameter 'q'", 0) and a != a.sanitised(frozenset({78}))
    assert Val(frozenset({a}), True, "x") == Val(frozenset({b}), True, "x")
    assert Val(frozenset({a})) != Val(frozenset({a}), True) and Val() == Val(frozenset(), False, "")
    assert "desc=\"request parameter 'q'\"" in repr(a) and repr(Val()).startswith("Val(origins=")


def test_findings_and_options_keep_their_defaults_and_replace() -> None:
    f = Finding("BS-PY-078", 78, Severity.HIGH, Confidence.HIGH, "a.py", 3, 3, "m", "fix")
    assert (f.column, f.fingerprint) == (0, "")
    marked = f.replace(fingerprint="abc")
    assert marked.fingerprint == "abc" and marked != f and marked.replace(fingerprint="") == f
    options = ScanOptions(online=True)
    assert options.min_confidence is Confidence.MEDIUM and options.online and options.pool_threshold == 50
    assert options == ScanOptions(online=True) != ScanOptions()
    assert ScanErrorEntry("a.py", "binary") == ScanErrorEntry("a.py", "binary")
