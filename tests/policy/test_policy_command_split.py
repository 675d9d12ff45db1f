"""Command patterns split exactly as shlex.split splits them, with or without quotes."""

from __future__ import annotations

import shlex

import pytest

from blastshield.errors import PolicyError
from blastshield.policy.match import split_command_pattern

_PATTERNS = ["git status", "git diff *", "  ls\t-la \n *  ", "", "   ", "npm run #build", "a\rb",
             "echo a\u00a0b", "x\x0by \x0cz", "python -m pytest *", "git log --format=%H%x00 *", "rm -rf *",
             "grep 'a b' *", 'sh -c "echo $HOME"', "echo a\\ b", "echo 'it''s'", "kubectl get pods -o=json",
             "é ü *", "a\u2003b c"]


@pytest.mark.parametrize("pattern", _PATTERNS)
def test_split_is_shlex_split(pattern: str) -> None:
    assert split_command_pattern(pattern) == tuple(shlex.split(pattern))


def test_unbalanced_quotes_are_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="No closing quotation"):
        split_command_pattern("git commit -m 'oops")
