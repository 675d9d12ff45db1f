"""Red-team suite: bypass attempts against shell analysis, each through the real CLI.

Each case runs ``blastshield check --policy <policy.toml> --cwd <workspace> --json --
'<command>'`` in a subprocess and asserts the decision, the exit code, and the effect
that carries the decision (see redteam_harness.assert_case).
"""

from __future__ import annotations

import pytest
import redteam_cases_evasions
import redteam_cases_hunt_code
import redteam_cases_hunt_git
import redteam_cases_hunt_tools
import redteam_cases_payloads
import redteam_cases_structure
from redteam_case import ALLOW, Case
from redteam_harness import Workspace, assert_case, assert_denied_non_interactive

BYPASSES: list[Case] = (redteam_cases_structure.CASES + redteam_cases_payloads.CASES
                         + redteam_cases_evasions.CASES + redteam_cases_hunt_git.CASES
                         + redteam_cases_hunt_code.CASES + redteam_cases_hunt_tools.CASES)
UNRESOLVABLE: list[Case] = [c for c in BYPASSES if c.unresolvable]


@pytest.mark.parametrize("item", BYPASSES, ids=[c.id for c in BYPASSES])
def test_bypass_attempt_is_caught(redteam: Workspace, item: Case) -> None:
    assert_case(redteam, item)


@pytest.mark.parametrize("item", UNRESOLVABLE, ids=[c.id for c in UNRESOLVABLE])
def test_unresolvable_is_denied_non_interactive(redteam: Workspace, item: Case) -> None:
    assert_denied_non_interactive(redteam, item)


def test_bypass_table_is_large_distinct_and_never_expects_allow() -> None:
    ids = [c.id for c in BYPASSES]
    commands = [c.command for c in BYPASSES]
    assert len(BYPASSES) >= 150
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})
    assert len(set(commands)) == len(commands), sorted({c for c in commands if commands.count(c) > 1})
    assert [c.id for c in BYPASSES if c.expect == ALLOW] == []
    families = {c.id.split("-")[0] for c in BYPASSES}
    assert families >= {"compound", "control", "subst", "procsub", "heredoc", "herestring", "redirect",
                        "wrap", "code", "dl", "net", "sec", "obf", "env"}
