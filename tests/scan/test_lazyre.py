"""lazy(): a pattern compiled on first use behaves as re.compile's, and every scan pattern compiles."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import blastshield.scan
import blastshield.scan.python
from blastshield.scan.lazyre import _LazyPattern, lazy


def test_a_lazy_pattern_answers_like_the_compiled_one() -> None:
    source, flags = r"pass(word|wd)?(?P<n>\d*)", re.I
    lazy_one, compiled = lazy(source, flags), re.compile(source, flags)
    for text in ("PASSWORD12", "my passwd", "nothing", ""):
        for method in ("search", "match", "fullmatch"):
            got, want = getattr(lazy_one, method)(text), getattr(compiled, method)(text)
            assert (got and got.group(0, "n")) == (want and want.group(0, "n"))
        assert lazy_one.findall(text) == compiled.findall(text)
        assert [m.span() for m in lazy_one.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert lazy_one.sub("*", text) == compiled.sub("*", text)
    assert lazy_one.pattern == source


def test_a_bad_pattern_fails_when_first_used_not_when_made() -> None:
    broken = lazy("(unclosed")
    with pytest.raises(re.error):
        broken.search("x")
    with pytest.raises(AttributeError):
        broken.no_such_method  # type: ignore[attr-defined]  # noqa: B018


def _scan_modules() -> list[str]:
    names = []
    for package in (blastshield.scan, blastshield.scan.python):
        names += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                  if not m.ispkg]
    return names


def test_every_lazy_pattern_of_the_scan_modules_compiles() -> None:
    patterns = [value for name in _scan_modules() for value in vars(importlib.import_module(name)).values()
                if isinstance(value, _LazyPattern)]
    assert len(patterns) > 50
    for pattern in patterns:
        pattern.search("")  # compiles it: a typo in a rarely used pattern fails here, not in a scan
