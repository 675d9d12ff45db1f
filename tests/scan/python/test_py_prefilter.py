"""The prefiltered pattern checks (prefilter.CHECKS): every name a check can act on contains one of
its triggers, so a file without them has nothing that check could flag; and the prefilter stands
aside where the parser's names may differ from the source bytes."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from blastshield.scan.python import analyze, prefilter
from blastshield.scan.python import patterns_creds as creds
from blastshield.scan.python import patterns_crypto as crypto
from blastshield.scan.python import patterns_files as files
from blastshield.scan.python import patterns_hosts as hosts
from blastshield.scan.python import patterns_markdown as markdown
from blastshield.scan.python import patterns_regex as redos
from blastshield.scan.python import patterns_upload as upload
from blastshield.scan.python import patterns_web as web

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as C
    import sre_parse


def language(pattern: str) -> set[str]:
    """Every text a finite pattern (alternations, optional parts, small classes) matches; anchors
    match no text. Fails on unbounded repeats: their texts cannot be listed."""
    return _texts(list(sre_parse.parse(pattern)))


def _texts(items: list[tuple[Any, Any]]) -> set[str]:
    out = {""}
    for op, arg in items:
        if op == C.LITERAL:
            options = {chr(arg)}
        elif op == C.AT:
            continue
        elif op == C.BRANCH:
            options = set().union(*(_texts(list(alt)) for alt in arg[1]))
        elif op == C.SUBPATTERN:
            options = _texts(list(arg[-1]))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = arg
            assert high <= 3, "unbounded repeat"
            inner = _texts(list(sub))
            options = set()
            for count in range(low, high + 1):
                texts = {""}
                for _ in range(count):
                    texts = {a + b for a in texts for b in inner}
                options |= texts
        elif op == C.IN:
            assert all(kind == C.LITERAL for kind, _ in arg), "only literal classes"
            options = {chr(value) for _, value in arg}
        else:
            raise AssertionError(f"cannot list the texts of {op}")
        out = {a + b for a in out for b in options}
    return out


# What each check acts on, read from the module's own tables and patterns, plus the few names its
# code spells inline (copied from the code next to where it tests them). WHOLE: call names compared
# whole (their last part is an identifier of the file) and attribute names; INSIDE: texts a check
# finds inside a longer name or string (only a fragment trigger can vouch for those).
WHOLE: dict[str, list[str]] = {
    "patterns_web": [*web.ROUTE_METHODS, "json.dumps"],
    "patterns_hosts": ["netloc", "hostname", *hosts.REGEX_CALLS],
    "patterns_upload": ["files", "FILES", *upload.UPLOAD_TYPES],
    "patterns_crypto": [
        *crypto.IV_MODES, *(f"modes.{m}" for m in crypto.MODE_CLASSES), *crypto.SALTED_KDFS,
        *crypto.RANDOM_PICKS, *crypto.CLEARTEXT_CLIENTS, "ssl.wrap_socket", "OpenSSL.SSL.Context",
        "ssl.SSLContext", "re.sub", "re.compile", "re.subn", "re.findall", "set_cookie",
        *language(crypto.MAC_CALL.pattern), "hmac.new().digest", "hmac.new().hexdigest", "hmac.digest"],
    "patterns_creds": [*creds.LOGIN_METHODS, *creds.POSITIONAL],
    "patterns_files": [*files.MODE_CALLS, "extract"],
    "patterns_markdown": [*markdown.MARKDOWN_CALLS],
    "patterns_regex": [*redos.REGEX_CALLS],
}
INSIDE: dict[str, list[str]] = {
    "patterns_hosts": [*language(hosts.URLISH.pattern)],
    "patterns_crypto": [*language(crypto.MAC_NAME.pattern)],
    "patterns_creds": ["@"],
    "patterns_markdown": ["markdown"],
}


def test_the_table_lists_every_optional_pattern_module_once() -> None:
    assert sorted(module for module, _, _, _ in prefilter.CHECKS) == sorted(WHOLE)
    for module, function, fragments, words in prefilter.CHECKS:
        assert callable(getattr(importlib.import_module(f"blastshield.scan.python.{module}"), function))
        assert fragments or words
        assert all(t == t.lower() and t.isascii() for t in (*fragments, *words))
        assert all(w.isidentifier() for w in words)


@pytest.mark.parametrize(("module", "fragments", "words"), [(m, f, w) for m, _, f, w in prefilter.CHECKS])
def test_every_name_a_check_acts_on_has_one_of_its_triggers(module: str, fragments: tuple[str, ...],
                                                             words: tuple[str, ...]) -> None:
    whole, inside = WHOLE[module], INSIDE.get(module, [])
    assert len(whole) + len(inside) >= 1
    missing = [n for n in whole if n.rsplit(".", 1)[-1].lower() not in words
               and not any(f in n.lower() for f in fragments)]
    missing += [n for n in inside if not any(f in n.lower() for f in fragments)]
    assert missing == []


def test_words_count_only_as_whole_identifiers() -> None:
    assert prefilter.has_word(b"import re\nre.sub(p, r, s)", b"sub")
    assert prefilter.has_word(b"sub", b"sub") and prefilter.has_word(b"(sub)", b"sub")
    assert not prefilter.has_word(b"import subprocess\nx.subn_total = 1_sub", b"sub")
    assert prefilter.has_word(b"subprocess; sub_x; x.sub(1)", b"sub")


def test_finite_patterns_are_listed_in_full() -> None:
    assert language(r"(^|_)(ab|c)d?$") == {"ab", "abd", "c", "cd", "_ab", "_abd", "_c", "_cd"}
    assert {"referer", "referrer", "url", "site"} <= language(hosts.URLISH.pattern)
    with pytest.raises(AssertionError):
        language(r"a+")


def _flagged(code: str) -> list[str]:
    return [f.rule_id for f in analyze("sample.py", code.encode("utf-8"))]


def test_a_file_without_triggers_skips_the_modules_and_one_with_them_loads_and_flags(tmp_path: Path) -> None:
    probe = """
import sys
from blastshield.scan.python import analyze
quiet = analyze("a.py", b"def total(items):\\n    return sum(i.price for i in items)\\n")
before = "blastshield.scan.python.patterns_markdown" in sys.modules
loud = analyze("b.py", b"import markdown\\ndef page(obj):\\n    return markdown.markdown(obj.body)\\n")
print(quiet == [], before, "blastshield.scan.python.patterns_markdown" in sys.modules,
      [f.rule_id for f in loud])
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=tmp_path, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    expected = ["True", "False", "True", "['BS-PY-079-markdown']"]
    assert out.stdout.strip().split(maxsplit=3) == expected, out.stderr


def test_names_the_parser_normalises_from_non_ascii_spellings_still_reach_the_checks() -> None:
    # Fullwidth letters: the parser reads these identifiers as `markdown` (NFKC); the bytes never say it.
    wide = "\uff4d\uff41\uff52\uff4b\uff44\uff4f\uff57\uff4e"  # markdown in fullwidth letters
    code = f"import {wide}\ndef page(obj):\n    return {wide}.markdow\uff4e(obj.body)\n"
    assert b"markdown" not in code.encode("utf-8").lower()
    assert not prefilter.filterable(code.encode("utf-8"))
    assert _flagged(code) == ["BS-PY-079-markdown"]


def test_a_coding_declaration_turns_the_prefilter_off() -> None:
    assert prefilter.filterable(b"import os\n")
    assert not prefilter.filterable(b"# -*- coding: utf-7 -*-\nimport os\n")
    assert not prefilter.filterable("x = '\u00e9'\n".encode())


def test_a_password_url_spelled_with_escapes_is_still_checked() -> None:
    # No '@' in the bytes: the escape spells it, and the backslash keeps the check in.
    code = 'import psycopg2\nconn = psycopg2.connect("postgresql://admin:Sup3rS3cret\\x40db.internal/app")\n'
    assert b"@" not in code.encode()
    assert "BS-PY-798" in _flagged(code.replace("connect", "open_db"))


def test_the_cheap_word_test_before_the_csv_neutraliser_pattern_passes_every_name_it_matches() -> None:
    from blastshield.scan.python import sanitizers

    names = language(sanitizers.CSV_NEUTRALISERS.pattern)
    assert {"neutralise", "escape_csv", "safecell", "defang_formula"} <= names
    assert all(sanitizers._csv_word(name) and sanitizers._csv_word(name.upper()) for name in names)
    assert not sanitizers._csv_word("render") and sanitizers._csv_word("neutral\u0131ze")
