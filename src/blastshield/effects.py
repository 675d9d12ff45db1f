"""The shared vocabulary: effects, actions, verdicts and decisions.

Every host payload, shell command, MCP message and sandbox connection is turned into
an :class:`Action` made of :class:`Effect` values; the policy turns an Action into a
:class:`Decision`. These are plain data: nothing here formats output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class Effect:
    """One thing an action would do.

    ``target`` is the human-readable object of the effect (argv joined, a resolved
    path, ``host:port``, ``server:tool``, a variable name). ``floor`` is the least
    strict verdict the analysis allows for this effect whatever the policy says (for
    example ``ask`` for a program name that cannot be resolved statically); when
    ``floor_form`` is set, an allow rule whose pattern names that token literally
    lifts an ``ask`` floor ("unless the policy allows that exact form").
    """

    kind: Kind
    target: str
    argv: tuple[str, ...] = ()
    cwd: str | None = None
    path: str | None = None
    host: str | None = None
    port: int | None = None
    server: str | None = None
    tool: str | None = None
    floor: Verdict = Verdict.ALLOW
    floor_reason: str = ""
    floor_form: str | None = None
    origin: str = ""

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
        from dataclasses import replace

        if floor.rank < self.floor.rank:
            return self
        if floor == self.floor and self.floor_reason:
            return self
        return replace(self, floor=floor, floor_reason=reason, floor_form=form)


@dataclass(frozen=True, slots=True)
class Action:
    """What a host asked to do, as effects. ``summary`` is a short redactable text."""

    host: str
    tool: str
    summary: str
    effects: tuple[Effect, ...]
    cwd: str | None = None


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Where a deciding rule lives: ``file`` ``[table].list[index]`` ``pattern``."""

    file: str
    table: str
    key: str
    index: int | None = None
    pattern: str = ""

    def __str__(self) -> str:
        where = f"[{self.table}].{self.key}"
        if self.index is not None:
            where += f"[{self.index}]"
        text = f"{self.file} {where}"
        return f"{text} {self.pattern!r}" if self.pattern else text


@dataclass(frozen=True, slots=True)
class EffectDecision:
    """The verdict on one effect, with the rule that decided it (None = analysis floor)."""

    effect: Effect
    verdict: Verdict
    rule: RuleRef | None
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on a whole action: the strictest of its effects'.

    ``verdict`` is what the policy decided; ``applied`` is what the host is told after
    the mode (shadow and learn allow everything but keep ``verdict`` for the record).
    """

    verdict: Verdict
    applied: Verdict
    mode: Mode
    effects: tuple[EffectDecision, ...] = field(default_factory=tuple)
    policy_hash: str = ""

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
