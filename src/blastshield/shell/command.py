"""The plain data the shell analyzer passes between its parts.

A :class:`Cmd` is one simple command as it would run (argv after quote removal and
static expansion, the directory it runs in, what feeds its standard input). Program
knowledge (:mod:`blastshield.shell.effects`) and wrapper knowledge
(:mod:`blastshield.shell.unwrap`) turn a Cmd into an :class:`Outcome`: effects, floors
for the command's own exec effect, and inner commands or scripts to analyse in turn.
"""

from __future__ import annotations

from typing import NamedTuple

from blastshield.effects import Effect, Verdict

# Plain classes and NamedTuples rather than dataclasses: this module is on the hook's
# import path, and each dataclass definition costs a fraction of a millisecond.


class Stdin(NamedTuple):
    """What feeds a command's standard input.

    ``kind`` is ``pipe``, ``heredoc``, ``herestring`` or ``file``; ``text`` is the content
    when it is statically known; ``download`` is true when it comes from the network.
    """

    kind: str
    text: str | None = None
    download: bool = False


class Cmd:
    """One simple command. ``known[i]`` is False when ``argv[i]`` is not statically known
    (it then holds the source text); ``dl[i]`` marks an argument built from a download;
    ``placeholders`` maps a token (find's ``{}``) to the paths it stands for (empty:
    unknown); ``stdin_args``: more arguments come from standard input (xargs);
    ``globs[i]``: ``argv[i]`` has unquoted glob characters that bash expands."""

    __slots__ = (
        "argv",
        "assigns",
        "cwd",
        "dl",
        "globs",
        "known",
        "name",
        "origin",
        "placeholders",
        "remote",
        "selects",
        "stdin",
        "stdin_args",
    )

    def __init__(self, argv: tuple[str, ...], known: tuple[bool, ...], dl: tuple[bool, ...], cwd: str,
                 origin: str = "", stdin: Stdin | None = None,
                 assigns: dict[str, str | None] | None = None,
                 placeholders: dict[str, tuple[str, ...]] | None = None, stdin_args: bool = False,
                 remote: bool = False, globs: tuple[bool, ...] = (),
                 selects: tuple[tuple[str, str], ...] = ()) -> None:
        self.argv = argv
        self.known = known
        self.dl = dl
        self.cwd = cwd
        self.origin = origin
        self.stdin = stdin
        self.assigns: dict[str, str | None] = assigns if assigns is not None else {}
        self.placeholders: dict[str, tuple[str, ...]] = placeholders if placeholders is not None else {}
        self.stdin_args = stdin_args
        self.remote = remote
        self.globs = globs
        self.selects = selects  # filters on what a placeholder stands for (find -type f -name PAT)
        self.name = argv[0].rsplit("/", 1)[-1] if argv else ""  # the program's base name

    def __repr__(self) -> str:
        return f"Cmd({self.argv!r}, cwd={self.cwd!r}, origin={self.origin!r})"

    def tail(self, start: int, *, origin: str, stdin: Stdin | None = None, cwd: str | None = None,
             stdin_args: bool = False) -> Cmd:
        """The inner command ``argv[start:]`` run by a wrapper."""
        return Cmd(self.argv[start:], self.known[start:], self.dl[start:], cwd or self.cwd, origin,
                   stdin if stdin is not None else self.stdin, dict(self.assigns),
                   dict(self.placeholders), stdin_args or self.stdin_args, self.remote,
                   self.globs[start:], self.selects)

    def glob(self, i: int) -> bool:
        """Does ``argv[i]`` hold a glob that bash expands before the program runs?"""
        return i < len(self.globs) and self.globs[i]

    def derived(self, argv: tuple[str, ...], *, origin: str, known: bool = True,
                stdin_args: bool = False, cwd: str | None = None) -> Cmd:
        """A new command with an argv built by a wrapper (all arguments equally known)."""
        n = len(argv)
        return Cmd(argv, (known,) * n, (False,) * n, cwd or self.cwd, origin, self.stdin,
                   dict(self.assigns), dict(self.placeholders), stdin_args or self.stdin_args,
                   self.remote)


class Floor(NamedTuple):
    """A least verdict for a command's own exec effect.

    ``unresolved`` marks "not statically resolvable" (ask, deny when non-interactive);
    ``form`` is the literal token an allow rule must name to lift an ask floor.
    """

    verdict: Verdict
    reason: str
    form: str | None = None
    unresolved: bool = False


class Inner:
    """Something a wrapper runs: a command, or a script text (``sh -c``, ``eval``)."""

    __slots__ = ("cmd", "origin", "positional", "remote", "script", "stdin")

    def __init__(self, origin: str, cmd: Cmd | None = None, script: str | None = None,
                 positional: tuple[str, ...] = (), remote: bool = False,
                 stdin: Stdin | None = None) -> None:
        self.origin = origin
        self.cmd = cmd
        self.script = script
        self.positional = positional
        self.remote = remote
        self.stdin = stdin


class Outcome:
    """What program and wrapper knowledge found for one command."""

    __slots__ = ("downloads_to", "effects", "floors", "inner")

    def __init__(self) -> None:
        self.effects: list[Effect] = []
        self.floors: list[Floor] = []
        self.inner: list[Inner] = []
        self.downloads_to: list[str] = []  # files a download writes

    def floor(self, verdict: Verdict, reason: str, form: str | None = None,
              unresolved: bool = False) -> None:
        self.floors.append(Floor(verdict, reason, form, unresolved))

    def ask(self, reason: str, form: str | None = None) -> None:
        self.floors.append(Floor(Verdict.ASK, reason, form))

    def unresolved(self, reason: str) -> None:
        self.floors.append(Floor(Verdict.ASK, reason, None, True))

    def deny(self, reason: str) -> None:
        self.floors.append(Floor(Verdict.DENY, reason))

    def merge(self, other: Outcome) -> None:
        self.effects.extend(other.effects)
        self.floors.extend(other.floors)
        self.inner.extend(other.inner)
        self.downloads_to.extend(other.downloads_to)
