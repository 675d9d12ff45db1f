"""``blastshield`` itself run from a command line: which of its commands change its own state.

An agent that runs ``blastshield init --force``, ``blastshield learn --write`` or
``blastshield log new-key`` through its shell tool would rewrite the policy, the host's hook
configuration or the signing keys. Those are write effects on built-in protected paths,
so the policy denies them like any other write there. Read-only commands (check, scan,
report, doctor, ...) have no effect beyond the files they are told to write.
"""

from __future__ import annotations

import os

from blastshield.effects import Kind
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.files import FileContext

_READ_ONLY = frozenset({"check", "scan", "doctor", "demo", "--version", "-h", "--help"})
_RUNS_OTHERS = frozenset({"run", "mcp-proxy"})


def _policy_dir(cmd: Cmd) -> str:
    """The .blastshield folder the command would use: --policy's, else the nearest above cwd."""
    argv = cmd.argv
    for i, arg in enumerate(argv):
        if arg == "--policy" and i + 1 < len(argv):
            return os.path.dirname(os.path.join(cmd.cwd, argv[i + 1]))
        if arg.startswith("--policy="):
            return os.path.dirname(os.path.join(cmd.cwd, arg.split("=", 1)[1]))
    current = cmd.cwd
    while True:
        if os.path.isfile(os.path.join(current, ".blastshield", "policy.toml")):
            return os.path.join(current, ".blastshield")
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.join(cmd.cwd, ".blastshield")
        current = parent


def blastshield(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``blastshield SUBCOMMAND ...`` (also ``python -m blastshield``)."""
    words = [a for a in cmd.argv[1:] if not a.startswith("-") or a in _READ_ONLY]
    sub = words[0] if words else ""
    rest = set(cmd.argv[2:])
    state = _policy_dir(cmd)
    writes: list[str] = []
    if sub in _READ_ONLY:
        return
    if sub == "init":
        workspace = os.path.dirname(state)
        writes += [os.path.join(state, "policy.toml"), os.path.join(workspace, ".claude", "settings.json")]
    elif sub == "learn":
        if "--write" in rest:
            writes.append(os.path.join(state, "policy.toml"))
    elif sub == "hook":
        writes.append(os.path.join(state, "audit.db"))
    elif sub == "log":
        if "new-key" in rest:
            writes.append(os.path.join(ctx.home, ".config", "blastshield", "keys", "signing.key"))
    elif sub == "mcp":
        if "approve" in rest:
            writes.append(os.path.join(state, "mcp-pins.json"))
    elif sub == "review":
        if "--no-save" not in rest:
            writes.append(os.path.join(state, "review-state.json"))
    elif sub == "report":
        for i, arg in enumerate(cmd.argv):
            if arg == "--html" and i + 1 < len(cmd.argv):
                writes.append(cmd.argv[i + 1])
            elif arg.startswith("--html="):
                writes.append(arg.split("=", 1)[1])
    elif sub in _RUNS_OTHERS:
        out.ask(f"blastshield {sub} starts another program", form=sub)
    else:
        out.ask(f"blastshield {sub or '(no command)'}: not a command blastshield can judge", form=sub or None)
    for path in writes:
        out.effects.extend(ctx.file_effects(Kind.WRITE, path, True, cmd.cwd, "blastshield"))
