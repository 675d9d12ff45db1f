"""Policy value types. A Policy is built only by ``load``; it is valid once it exists.

:class:`~blastshield.values.FrozenValue` classes rather than dataclasses: every hook and every
``blastshield run`` loads a policy, and a dataclass costs milliseconds to define.
"""

from __future__ import annotations

from blastshield.effects import Mode, Verdict
from blastshield.values import FrozenValue

_set = object.__setattr__


class Pattern(FrozenValue):
    """One rule pattern with where it came from (for explanations)."""

    __slots__ = ("index", "key", "source", "table", "text")
    text: str
    table: str
    key: str
    index: int
    source: str  # the pattern as written in the file, before ~ and ${WORKSPACE} expand

    def __init__(self, text: str, table: str, key: str, index: int, source: str = "") -> None:
        _set(self, "text", text)
        _set(self, "table", table)
        _set(self, "key", key)
        _set(self, "index", index)
        _set(self, "source", source)

    @property
    def shown(self) -> str:
        return self.source or self.text


class FileRules(FrozenValue):
    __slots__ = ("ask", "default", "deny", "read", "write")
    read: tuple[Pattern, ...]
    write: tuple[Pattern, ...]
    ask: tuple[Pattern, ...]
    deny: tuple[Pattern, ...]
    default: Verdict

    def __init__(self, read: tuple[Pattern, ...] = (), write: tuple[Pattern, ...] = (),
                 ask: tuple[Pattern, ...] = (), deny: tuple[Pattern, ...] = (),
                 default: Verdict = Verdict.ASK) -> None:
        _set(self, "read", read)
        _set(self, "write", write)
        _set(self, "ask", ask)
        _set(self, "deny", deny)
        _set(self, "default", default)


class ListRules(FrozenValue):
    """allow / ask / deny lists with a default: [commands], [network], [mcp]."""

    __slots__ = ("allow", "ask", "default", "deny")
    allow: tuple[Pattern, ...]
    ask: tuple[Pattern, ...]
    deny: tuple[Pattern, ...]
    default: Verdict

    def __init__(self, allow: tuple[Pattern, ...] = (), ask: tuple[Pattern, ...] = (),
                 deny: tuple[Pattern, ...] = (), default: Verdict = Verdict.ASK) -> None:
        _set(self, "allow", allow)
        _set(self, "ask", ask)
        _set(self, "deny", deny)
        _set(self, "default", default)


class EnvRules(FrozenValue):
    __slots__ = ("default", "deny", "pass_")
    pass_: tuple[Pattern, ...]
    deny: tuple[Pattern, ...]
    default: Verdict

    def __init__(self, pass_: tuple[Pattern, ...] = (), deny: tuple[Pattern, ...] = (),
                 default: Verdict = Verdict.ALLOW) -> None:
        _set(self, "pass_", pass_)
        _set(self, "deny", deny)
        _set(self, "default", default)


class AuditSettings(FrozenValue):
    """[audit]: where the flight recorder writes and how."""

    __slots__ = ("checkpoint_every", "otlp", "record_prompts", "store", "synchronous")
    store: str  # "" = <policy dir>/audit.db; a path or a postgresql:// URL
    checkpoint_every: int
    record_prompts: bool
    synchronous: str
    otlp: bool

    def __init__(self, store: str = "", checkpoint_every: int = 100, record_prompts: bool = False,
                 synchronous: str = "FULL", otlp: bool = False) -> None:
        _set(self, "store", store)
        _set(self, "checkpoint_every", checkpoint_every)
        _set(self, "record_prompts", record_prompts)
        _set(self, "synchronous", synchronous)
        _set(self, "otlp", otlp)


class ScanSettings(FrozenValue):
    """[scan]: the gate on written code."""

    __slots__ = ("fail_on", "feedback_severity", "min_confidence", "on_write")
    on_write: bool
    feedback_severity: str
    fail_on: str
    min_confidence: str

    def __init__(self, on_write: bool = True, feedback_severity: str = "medium", fail_on: str = "high",
                 min_confidence: str = "medium") -> None:
        _set(self, "on_write", on_write)
        _set(self, "feedback_severity", feedback_severity)
        _set(self, "fail_on", fail_on)
        _set(self, "min_confidence", min_confidence)


class Policy(FrozenValue):
    __slots__ = ("audit", "commands", "digest", "env", "files", "mcp", "mode", "network", "path", "scan",
                 "version", "workspace")
    path: str
    workspace: str
    digest: str
    version: int
    mode: Mode
    files: FileRules
    commands: ListRules
    network: ListRules
    mcp: ListRules
    env: EnvRules
    audit: AuditSettings
    scan: ScanSettings

    def __init__(self, path: str, workspace: str, digest: str, version: int = 1, mode: Mode = Mode.ENFORCE,
                 files: FileRules | None = None, commands: ListRules | None = None,
                 network: ListRules | None = None, mcp: ListRules | None = None,
                 env: EnvRules | None = None, audit: AuditSettings | None = None,
                 scan: ScanSettings | None = None) -> None:
        _set(self, "path", path)
        _set(self, "workspace", workspace)
        _set(self, "digest", digest)
        _set(self, "version", version)
        _set(self, "mode", mode)
        _set(self, "files", files if files is not None else FileRules())
        _set(self, "commands", commands if commands is not None else ListRules())
        _set(self, "network", network if network is not None else ListRules(default=Verdict.DENY))
        _set(self, "mcp", mcp if mcp is not None else ListRules())
        _set(self, "env", env if env is not None else EnvRules())
        _set(self, "audit", audit if audit is not None else AuditSettings())
        _set(self, "scan", scan if scan is not None else ScanSettings())
