"""The shape of one red-team or false-denial case, shared by the case tables.

A case is a shell command, the decision the suite's policy (policy.toml next to this
file) must give it, and for bypass attempts a regular expression naming the effect
that must carry that decision, so a case cannot pass by accident (a deny for an
unrelated reason). ``@HOME@`` and ``@WS@`` in a command are replaced by the test's
home folder and workspace.
"""

from __future__ import annotations

from dataclasses import dataclass

ALLOW = "allow"
ASK = "ask"
DENY = "deny"
# "At least ask": for what DESIGN.md calls statically unresolvable (a variable or a
# substitution as the program name, eval of a computed string, $IFS, aliases). The
# interactive decision may be ask or deny; allow is a bypass.
AT_LEAST_ASK = "ask+"

EXPECTATIONS = (ALLOW, ASK, DENY, AT_LEAST_ASK)


@dataclass(frozen=True, slots=True)
class Case:
    """One command and what must come out of ``blastshield check`` for it.

    ``effect`` is matched (``re.match``, so anchored at the start) against
    ``"<kind> <target>"`` of the effects whose decision is the expected one (for
    ``ask+``: ask or deny). ``None`` means any such effect will do.
    """

    id: str
    command: str
    expect: str
    effect: str | None = None
    note: str = ""
    unresolvable: bool = False  # DESIGN.md: "cannot be resolved statically": deny when non-interactive

    def __post_init__(self) -> None:
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"case {self.id}: unknown expectation {self.expect!r}")


def case(id: str, command: str, expect: str, effect: str | None = None, note: str = "") -> Case:
    return Case(id, command, expect, effect, note)


def unresolvable(id: str, command: str, note: str = "") -> Case:
    """What cannot be resolved statically: at least ask, and deny with ``--non-interactive``."""
    return Case(id, command, AT_LEAST_ASK, None, note, unresolvable=True)
