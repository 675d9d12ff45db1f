"""policy.globs: the regex-free glob matcher (what `run` plans with) decides what the glob's regex
decides (what the hooks decide with), on many generated globs and paths, and the translation to
a regex is unchanged."""

from __future__ import annotations

import random
import re

import pytest

from blastshield.policy import globs
from blastshield.policy.match import path_matches

_GLOB_ATOMS = ["a", "b", ".", "/", "*", "**", "**/", "/**", "?", "x", "\\", "-", "ab/", ".env", "+", "(", "$"]
_CLASS_ATOMS = ["[ab]", "[!a]", "[]a]", "[!]b]", "[.]", "[a-c]"]
_PATH_ATOMS = ["a", "b", ".", "/", "x", "]", "\\", "-", "!", "ab", ".env", "\n", "+", "(", "$", "//"]


def _regex_fullmatch(glob: str, path: str) -> bool:
    return re.fullmatch(globs.glob_to_regex(glob), path, re.DOTALL) is not None


@pytest.mark.parametrize("seed", range(6))
def test_the_matcher_agrees_with_the_regex(seed: int) -> None:
    rng = random.Random(seed)
    atoms = _GLOB_ATOMS + (_CLASS_ATOMS if seed % 2 else [])
    matched = 0
    for _ in range(700):
        glob = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 7)))
        for _ in range(30):
            path = "".join(rng.choice(_PATH_ATOMS) for _ in range(rng.randint(0, 10)))
            expected = _regex_fullmatch(glob, path)
            assert globs.fullmatch(glob, path) is expected, (glob, path)
            assert globs.path_matches(glob, path) is path_matches(glob, path), (glob, path)
            matched += expected
    assert matched > 200  # the generator does produce matches, not only misses


@pytest.mark.parametrize(("glob", "path", "expected"), [
    ("**/.env", "/home/u/ws/.env", True),
    ("**/.env", "/home/u/ws/.envrc", False),
    ("**/.env", ".env", True),
    ("**/.git/hooks/**", "/ws/.git/hooks", True),
    ("**/.git/hooks/**", "/ws/.git/hooks/pre-commit", True),
    ("**/.git/hooks/**", "/ws/.git/hooksx", False),
    ("**/.blastshield/audit.db*", "/ws/sub/.blastshield/audit.db-wal", True),
    ("**/.claude/settings*.json", "/ws/.claude/settings.local.json", True),
    ("**/.claude/settings*.json", "/ws/.claude/x/settings.json", False),
    ("/home/u/.ssh/**", "/home/u/.ssh", True),
    ("/home/u/.ssh/**", "/home/u/.sshx", False),
    ("/a/*/c", "/a/b/c", True),
    ("/a/*/c", "/a/b/x/c", False),
    ("/a/**/c", "/a/b/x/c", True),
    ("/a/?", "/a//", False),
    ("**/id_[!.]*", "/ws/id_rsa", True),  # a class: matched by the regex
    ("**/id_[!.]*", "/ws/id_.pub", False),
])
def test_the_usual_globs(glob: str, path: str, expected: bool) -> None:
    assert globs.fullmatch(glob, path) is expected
    assert _regex_fullmatch(glob, path) is expected


def test_translation_and_escaping() -> None:
    assert globs.glob_to_regex("**/.env") == r"(?:.*/)?\.env"
    assert globs.glob_to_regex("/a b/**") == r"/a\ b(?:/.*)?"
    assert globs.glob_to_regex("x**y*?") == "x.*y[^/]*[^/]"
    assert globs.glob_to_regex("[!]]x") == "[^]]x"
    text = "".join(chr(c) for c in range(32, 127)) + "\t\n\r\v\f é"
    assert globs.escape(text) == re.escape(text)
    with pytest.raises(ValueError):
        globs.tokens("a[bc")
