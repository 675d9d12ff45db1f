"""The shared vocabulary: effects, actions, verdicts and decisions.

Every host payload, shell command, MCP message and sandbox connection is turned into
an :class:`Action` made of :class:`Effect` values; the policy turns an Action into a
:class:`Decision`. These are plain data: nothing here formats output. They are :class:`FrozenValue` classes
rather than dataclasses: this module is on every hook's and every ``run``'s start-up path.
"""

from __future__ import annotations

import enum

from blastshield.values import FrozenValue

_set = object.__setattr__


class Kind(enum.StrEnum):
    """What an effect does to the world."""

    EXEC = "exec"
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    NET = "net"
    MCP = "mcp"
    ENV = "env"


class Verdict(enum.StrEnum):
    """A decision value. Ordered: allow < ask < deny."""

    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def stricter(self, other: Verdict) -> Verdict:
        """The stricter of two verdicts."""
        return self if self.rank >= other.rank else other


_RANK = {Verdict.ALLOW: 0, Verdict.ASK: 1, Verdict.DENY: 2}


class Mode(enum.StrEnum):
    """How a decision is applied."""

    ENFORCE = "enforce"
    SHADOW = "shadow"  # decide and report, but allow
    LEARN = "learn"  # allow everything, report


#: Markers among a tree reader's filters (they narrow nothing): an argument the analysis cannot
#: read may be an option that widens the read (``rg "$(echo --hidden)" KEY .``). The policy then
#: also judges the read at its widest (hidden files, no filters, links followed) and asks when
#: only that widest read meets a deny. ``UNREAD_EXTRA`` marks a read only the widest view has
#: (the current folder, searched if the unread argument were ``-r``).
UNREAD_OPTIONS = ("unread-options", "")
UNREAD_EXTRA = ("unread-options", "extra")


class Effect(FrozenValue):
    """One thing an action would do.

    ``target`` is the human-readable object of the effect (argv joined, a resolved
    path, ``host:port``, ``server:tool``, a variable name). ``floor`` is the least
    strict verdict the analysis allows for this effect whatever the policy says (for
    example ``ask`` for a program name that cannot be resolved statically); when
    ``floor_form`` is set, an allow rule whose pattern names that token literally
    lifts an ``ask`` floor ("unless the policy allows that exact form"). ``filters`` narrow
    a tree reader's read of a folder to some of the entries below it (``policy.treefilter``:
    grep's ``--include``/``--exclude``/``--exclude-dir``, rg's ``-g``).
    """

    __slots__ = ("argv", "cwd", "filters", "floor", "floor_form", "floor_reason", "host", "kind", "origin",
                 "path", "port", "server", "target", "tool")
    kind: Kind
    target: str
    argv: tuple[str, ...]
    cwd: str | None
    path: str | None
    host: str | None
    port: int | None
    server: str | None
    tool: str | None
    floor: Verdict
    floor_reason: str
    floor_form: str | None
    origin: str
    filters: tuple[tuple[str, str], ...]

    def __init__(self, kind: Kind, target: str, argv: tuple[str, ...] = (), cwd: str | None = None,
                 path: str | None = None, host: str | None = None, port: int | None = None,
                 server: str | None = None, tool: str | None = None, floor: Verdict = Verdict.ALLOW,
                 floor_reason: str = "", floor_form: str | None = None, origin: str = "",
                 filters: tuple[tuple[str, str], ...] = ()) -> None:
        _set(self, "kind", kind)
        _set(self, "target", target)
        _set(self, "argv", argv)
        _set(self, "cwd", cwd)
        _set(self, "path", path)
        _set(self, "host", host)
        _set(self, "port", port)
        _set(self, "server", server)
        _set(self, "tool", tool)
        _set(self, "floor", floor)
        _set(self, "floor_reason", floor_reason)
        _set(self, "floor_form", floor_form)
        _set(self, "origin", origin)
        _set(self, "filters", filters)

    @classmethod
    def exec(cls, argv: tuple[str, ...], cwd: str | None = None, **kw: object) -> Effect:
        return cls(Kind.EXEC, " ".join(argv), argv=argv, cwd=cwd, **kw)  # type: ignore[arg-type]

    @classmethod
    def read(cls, path: str, **kw: object) -> Effect:
        return cls(Kind.READ, path, path=path, **kw)  # type: ignore[arg-type]

    @classmethod
    def write(cls, path: str, **kw: object) -> Effect:
        return cls(Kind.WRITE, path, path=path, **kw)  # type: ignore[arg-type]

    @classmethod
    def delete(cls, path: str, **kw: object) -> Effect:
        return cls(Kind.DELETE, path, path=path, **kw)  # type: ignore[arg-type]

    @classmethod
    def net(cls, host: str, port: int | None = None, **kw: object) -> Effect:
        target = f"{host}:{port}" if port is not None else host
        return cls(Kind.NET, target, host=host, port=port, **kw)  # type: ignore[arg-type]

    @classmethod
    def mcp(cls, server: str, tool: str, **kw: object) -> Effect:
        return cls(Kind.MCP, f"{server}:{tool}", server=server, tool=tool, **kw)  # type: ignore[arg-type]

    @classmethod
    def env(cls, name: str, **kw: object) -> Effect:
        return cls(Kind.ENV, name, **kw)  # type: ignore[arg-type]

    def with_floor(self, floor: Verdict, reason: str, form: str | None = None) -> Effect:
        """A copy whose floor is at least ``floor``."""
        if floor.rank < self.floor.rank:
            return self
        if floor == self.floor and self.floor_reason:
            return self
        return self.replace(floor=floor, floor_reason=reason, floor_form=form)


class Action(FrozenValue):
    """What a host asked to do, as effects. ``summary`` is a short redactable text."""

    __slots__ = ("cwd", "effects", "host", "summary", "tool")
    host: str
    tool: str
    summary: str
    effects: tuple[Effect, ...]
    cwd: str | None

    def __init__(self, host: str, tool: str, summary: str, effects: tuple[Effect, ...],
                 cwd: str | None = None) -> None:
        _set(self, "host", host)
        _set(self, "tool", tool)
        _set(self, "summary", summary)
        _set(self, "effects", effects)
        _set(self, "cwd", cwd)


class RuleRef(FrozenValue):
    """Where a deciding rule lives: ``file`` ``[table].list[index]`` ``pattern``."""

    __slots__ = ("file", "index", "key", "pattern", "table")
    file: str
    table: str
    key: str
    index: int | None
    pattern: str

    def __init__(self, file: str, table: str, key: str, index: int | None = None,
                 pattern: str = "") -> None:
        _set(self, "file", file)
        _set(self, "table", table)
        _set(self, "key", key)
        _set(self, "index", index)
        _set(self, "pattern", pattern)

    def __str__(self) -> str:
        where = f"[{self.table}].{self.key}"
        if self.index is not None:
            where += f"[{self.index}]"
        text = f"{self.file} {where}"
        return f"{text} {self.pattern!r}" if self.pattern else text


class EffectDecision(FrozenValue):
    """The verdict on one effect, with the rule that decided it (None = analysis floor)."""

    __slots__ = ("effect", "reason", "rule", "verdict")
    effect: Effect
    verdict: Verdict
    rule: RuleRef | None
    reason: str

    def __init__(self, effect: Effect, verdict: Verdict, rule: RuleRef | None, reason: str) -> None:
        _set(self, "effect", effect)
        _set(self, "verdict", verdict)
        _set(self, "rule", rule)
        _set(self, "reason", reason)


class Decision(FrozenValue):
    """The verdict on a whole action: the strictest of its effects'.

    ``verdict`` is what the policy decided; ``applied`` is what the host is told after
    the mode (shadow and learn allow everything but keep ``verdict`` for the record).
    """

    __slots__ = ("applied", "effects", "mode", "policy_hash", "verdict")
    verdict: Verdict
    applied: Verdict
    mode: Mode
    effects: tuple[EffectDecision, ...]
    policy_hash: str

    def __init__(self, verdict: Verdict, applied: Verdict, mode: Mode,
                 effects: tuple[EffectDecision, ...] = (), policy_hash: str = "") -> None:
        _set(self, "verdict", verdict)
        _set(self, "applied", applied)
        _set(self, "mode", mode)
        _set(self, "effects", effects)
        _set(self, "policy_hash", policy_hash)

    @property
    def deciding(self) -> EffectDecision | None:
        """The effect decision that set the verdict (first strictest), if any."""
        best: EffectDecision | None = None
        for item in self.effects:
            if best is None or item.verdict.rank > best.verdict.rank:
                best = item
        return best

    def explain(self) -> str:
        """One line: what decided it and why. Plain text, no formatting."""
        top = self.deciding
        if top is None:
            return "no effects: nothing to decide"
        rule = str(top.rule) if top.rule is not None else "analysis"
        return f"{top.verdict} {top.effect.kind} {top.effect.target}: {top.reason} ({rule})"
