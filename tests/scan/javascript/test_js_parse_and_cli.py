"""Grammar choice, broken input, and the JavaScript analysis driven through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from js_helpers import hits, line_of

from blastshield.errors import ScanError
from blastshield.scan.javascript import analyze
from blastshield.scan.javascript.parse import grammar_for


def test_grammar_is_picked_by_extension():
    assert [grammar_for(n) for n in ("a.js", "a.jsx", "a.mjs", "a.cjs", "a.ts", "a.tsx", "A.TS")] == [
        "javascript", "javascript", "javascript", "javascript", "typescript", "tsx", "typescript"]


def test_typescript_generics_and_type_assertions_parse_and_analyse():
    src = """
        function first<T>(items: T[]): T { return items[0]; }
        export const run = (input: string): void => {
          const code = <string>input;
          eval(code as string);  // SINK
        };
    """
    assert ("BS-JS-095", line_of(src, "// SINK")) in hits(src, name="run.ts")


def test_fragment_with_syntax_errors_is_still_analysed():
    src = """
            }
          },
          render: function () {
            return <div dangerouslySetInnerHTML={{ __html: this.props.body }} />;  // SINK
          }
        });
        eval(userInput);  // EVAL
    """
    found = hits(src)
    assert ("BS-JS-079", line_of(src, "// SINK")) in found
    assert ("BS-JS-095", line_of(src, "// EVAL")) in found


def test_fragment_cut_from_the_middle_of_an_object_is_analysed():
    src = """
        /** Run a shell command. */
        _runShellCmd: function(command) {
          var t = this;
          t.shellCmd = ChildProcess.exec(command, function(err, stdout) {  // SINK
            if (err) {
              t._output('exit ' + err.code);
    """
    assert ("BS-JS-078", line_of(src, "// SINK")) in hits(src)


def test_unparseable_input_raises_scan_error_naming_the_file():
    with pytest.raises(ScanError, match=r"notes\.js"):
        analyze("notes.js", b"@@@ ### !!! ~~~ \x00\x01 ::: ;;; )))) ((((")


def test_empty_file_has_no_findings():
    assert analyze("empty.ts", b"") == []
    assert analyze("comment.js", b"// nothing here\n") == []


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_cli_reports_js_findings_with_rule_line_and_confidence(env):
    _write(env.workspace, "server/app.js", (
        "const { exec } = require('child_process');\n"
        "app.get('/ping', (req, res) => {\n"
        "  exec('ping -c 1 ' + req.query.host);\n"
        "  res.end();\n"
        "});\n"))
    _write(env.workspace, "server/safe.ts", (
        "import { execFile } from 'child_process';\n"
        "export function ping(host: string) {\n"
        "  execFile('ping', ['-c', '1', host]);\n"
        "}\n"))
    result = env.run("scan", "server", "--format", "json")
    assert result.code == 1, result.stderr
    doc = result.json()
    found = [(f["rule_id"], f["path"], f["line"], f["confidence"], f["cwe"]) for f in doc["findings"]]
    assert found == [("BS-JS-078", "server/app.js", 3, "high", 78)]
