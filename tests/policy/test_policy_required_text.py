"""required_text: a run of plain characters that every path a glob matches contains.

The file-system plan skips a rule for a path that lacks its required text, so this must never
be wrong: checked against path_matches on many generated globs and paths."""

from __future__ import annotations

import random

import pytest

from blastshield.policy.globs import glob_to_regex, required_text
from blastshield.policy.match import path_matches

_GLOB_ATOMS = ["a", "b", ".", "/", "*", "**", "**/", "/**", "?", "[ab]", "[!a]", "[]a]", "[!]b]", "x",
               "\\", "-", "[.]"]
_PATH_ATOMS = ["a", "b", ".", "/", "x", "]", "\\", "-", "!"]


@pytest.mark.parametrize("seed", range(4))
def test_every_match_contains_the_required_text(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(600):
        glob = "".join(rng.choice(_GLOB_ATOMS) for _ in range(rng.randint(1, 6)))
        try:
            required = required_text(glob)
        except ValueError:
            continue
        for _ in range(25):
            path = "".join(rng.choice(_PATH_ATOMS) for _ in range(rng.randint(0, 9)))
            if path_matches(glob, path):
                checked += 1
                assert required in path, (glob, path, required)
    assert checked > 50  # the generator does produce matches to check


def test_required_text_of_the_usual_globs() -> None:
    assert required_text("**/.git/hooks/**") == ".git/hooks"
    assert required_text("**/.claude/settings*.json") == ".claude/settings"
    assert required_text("/home/u/.ssh/**") == "/home/u/.ssh"
    assert required_text("**/x[[]1].pem") == "1].pem"
    assert required_text("**") == ""


def test_a_close_bracket_first_in_a_negated_class_belongs_to_the_class() -> None:
    assert glob_to_regex("[!]]x") == "[^]]x"
    assert path_matches("[!]]x", "ax") and not path_matches("[!]]x", "]x")
    with pytest.raises(ValueError, match="unterminated"):
        glob_to_regex("[!]")
