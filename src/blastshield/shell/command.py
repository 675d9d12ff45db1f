"""The plain data the shell analyzer passes between its parts.

A :class:`Cmd` is one simple command as it would run (argv after quote removal and
static expansion, the directory it runs in, what feeds its standard input). Program
knowledge (:mod:`blastshield.shell.effects`) and wrapper knowledge
(:mod:`blastshield.shell.unwrap`) turn a Cmd into an :class:`Outcome`: effects, floors
for the command's own exec effect, and inner commands or scripts to analyse in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blastshield.effects import Effect, Verdict


@dataclass(frozen=True, slots=True)
class Stdin:
    """What feeds a command's standard input.

    ``kind`` is ``pipe``, ``heredoc``, ``herestring`` or ``file``; ``text`` is the content
    when it is statically known; ``download`` is true when it comes from the network.
    """

    kind: str
    text: str | None = None
    download: bool = False


@dataclass(slots=True)
class Cmd:
    """One simple command. ``known[i]`` is False when ``argv[i]`` is not statically known
    (it then holds the source text); ``dl[i]`` marks an argument built from a download."""

    argv: tuple[str, ...]
    known: tuple[bool, ...]
    dl: tuple[bool, ...]
    cwd: str
    origin: str = ""
    stdin: Stdin | None = None
    assigns: dict[str, str | None] = field(default_factory=dict)
    # placeholder token -> the paths it stands for (empty: unknown), e.g. find's "{}"
    placeholders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stdin_args: bool = False  # xargs-style: more arguments come from standard input
    remote: bool = False
    globs: tuple[bool, ...] = ()  # globs[i]: argv[i] has unquoted glob characters (bash expands)
    name: str = field(init=False, compare=False)  # the program's base name

    def __post_init__(self) -> None:
        self.name = self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    def tail(self, start: int, *, origin: str, stdin: Stdin | None = None, cwd: str | None = None,
             stdin_args: bool = False) -> Cmd:
        """The inner command ``argv[start:]`` run by a wrapper."""
        return Cmd(self.argv[start:], self.known[start:], self.dl[start:], cwd or self.cwd, origin,
                   stdin if stdin is not None else self.stdin, dict(self.assigns),
                   dict(self.placeholders), stdin_args or self.stdin_args, self.remote,
                   self.globs[start:])

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


@dataclass(frozen=True, slots=True)
class Floor:
    """A least verdict for a command's own exec effect.

    ``unresolved`` marks "not statically resolvable" (ask, deny when non-interactive);
    ``form`` is the literal token an allow rule must name to lift an ask floor.
    """

    verdict: Verdict
    reason: str
    form: str | None = None
    unresolved: bool = False


@dataclass(slots=True)
class Inner:
    """Something a wrapper runs: a command, or a script text (``sh -c``, ``eval``)."""

    origin: str
    cmd: Cmd | None = None
    script: str | None = None
    positional: tuple[str, ...] = ()
    remote: bool = False
    stdin: Stdin | None = None


@dataclass(slots=True)
class Outcome:
    effects: list[Effect] = field(default_factory=list)
    floors: list[Floor] = field(default_factory=list)
    inner: list[Inner] = field(default_factory=list)
    downloads_to: list[str] = field(default_factory=list)  # files a download writes

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
