"""Policy dataclasses. A Policy is built only by ``load``; it is valid once it exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from blastshield.effects import Mode, Verdict


@dataclass(frozen=True, slots=True)
class Pattern:
    """One rule pattern with where it came from (for explanations)."""

    text: str
    table: str
    key: str
    index: int
    source: str = ""  # the pattern as written in the file, before ~ and ${WORKSPACE} expand

    @property
    def shown(self) -> str:
        return self.source or self.text


@dataclass(frozen=True, slots=True)
class FileRules:
    read: tuple[Pattern, ...] = ()
    write: tuple[Pattern, ...] = ()
    ask: tuple[Pattern, ...] = ()
    deny: tuple[Pattern, ...] = ()
    default: Verdict = Verdict.ASK


@dataclass(frozen=True, slots=True)
class ListRules:
    """allow / ask / deny lists with a default: [commands], [network], [mcp]."""

    allow: tuple[Pattern, ...] = ()
    ask: tuple[Pattern, ...] = ()
    deny: tuple[Pattern, ...] = ()
    default: Verdict = Verdict.ASK


@dataclass(frozen=True, slots=True)
class EnvRules:
    pass_: tuple[Pattern, ...] = ()
    deny: tuple[Pattern, ...] = ()
    default: Verdict = Verdict.ALLOW


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """[audit]: where the flight recorder writes and how."""

    store: str = ""  # "" = <policy dir>/audit.db; a path or a postgresql:// URL
    checkpoint_every: int = 100
    record_prompts: bool = False
    synchronous: str = "FULL"
    otlp: bool = False


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """[scan]: the gate on written code."""

    on_write: bool = True
    feedback_severity: str = "medium"
    fail_on: str = "high"
    min_confidence: str = "medium"


@dataclass(frozen=True, slots=True)
class Policy:
    path: str
    workspace: str
    digest: str
    version: int = 1
    mode: Mode = Mode.ENFORCE
    files: FileRules = field(default_factory=FileRules)
    commands: ListRules = field(default_factory=ListRules)
    network: ListRules = field(default_factory=lambda: ListRules(default=Verdict.DENY))
    mcp: ListRules = field(default_factory=ListRules)
    env: EnvRules = field(default_factory=EnvRules)
    audit: AuditSettings = field(default_factory=AuditSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
