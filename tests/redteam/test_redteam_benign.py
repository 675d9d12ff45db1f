"""False-denial suite: ordinary developer commands must come out exactly as the policy says.

Each case runs the real CLI (``blastshield check --json``) in a subprocess; allow must
be allow and ask must be ask (never deny).
"""

from __future__ import annotations

import pytest
import redteam_cases_benign
import redteam_cases_evasions
import redteam_cases_payloads
import redteam_cases_structure
from redteam_case import ALLOW, ASK, Case
from redteam_harness import Workspace, assert_case, describe

BENIGN: list[Case] = redteam_cases_benign.CASES
# Everyday structure (pipes, loops, substitutions, redirections, here-docs) is where an
# over-cautious analyzer would call things unresolvable; headless runs must still allow it.
HEADLESS: list[Case] = [c for c in redteam_cases_benign.COMPOUND + redteam_cases_benign.EDITING
                        if c.expect == ALLOW]


@pytest.mark.parametrize("item", BENIGN, ids=[c.id for c in BENIGN])
def test_ordinary_command_decided_as_policy_says(redteam: Workspace, item: Case) -> None:
    assert_case(redteam, item)


@pytest.mark.parametrize("item", HEADLESS, ids=[c.id for c in HEADLESS])
def test_ordinary_command_allowed_non_interactive(redteam: Workspace, item: Case) -> None:
    code, data, _ = redteam.check(item.command, "--non-interactive")
    assert (data.get("decision"), code) == ("allow", 0), f"{item.command!r}\n{describe(data)}"


def test_benign_table_is_large_distinct_and_exact() -> None:
    ids = [c.id for c in BENIGN]
    commands = [c.command for c in BENIGN]
    assert len(BENIGN) >= 150
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})
    assert len(set(commands)) == len(commands), sorted({c for c in commands if commands.count(c) > 1})
    assert {c.expect for c in BENIGN} <= {ALLOW, ASK}
    hostile = {c.command for c in redteam_cases_structure.CASES + redteam_cases_payloads.CASES
               + redteam_cases_evasions.CASES}
    assert hostile.isdisjoint(commands)
