"""What a scan is asked to do (ScanOptions) and what it found (ScanResult): plain data."""

from __future__ import annotations

from dataclasses import dataclass

from blastshield.scan.finding import Confidence, Finding, Severity

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class ScanOptions:
    """Thresholds and modes of one scan.

    Defaults match the CLI: report findings with confidence >= medium (any severity),
    fail on severity >= high.
    """

    min_severity: Severity = Severity.LOW
    min_confidence: Confidence = Confidence.MEDIUM
    fail_on: Severity = Severity.HIGH
    diff_rev: str | None = None  # only findings on lines changed since this git revision
    staged: bool = False  # scan the staged versions (git show :path), changed lines only
    baseline: str | None = None  # JSON file of accepted findings (fingerprints)
    online: bool = False  # ask the package registries about dependencies
    jobs: int | None = None  # worker processes for large trees (None: one per CPU)
    fingerprint_root: str | None = None  # paths in fingerprints are relative to this (default cwd)
    max_file_bytes: int = MAX_FILE_BYTES
    pool_threshold: int = 50  # use a process pool above this many files


@dataclass(frozen=True)
class ScanErrorEntry:
    """A file that could not be (fully) analysed, or was skipped, and why."""

    path: str
    error: str


@dataclass(frozen=True)
class ScanResult:
    """Everything one scan found: findings at or above the thresholds, in path/line order."""

    findings: tuple[Finding, ...]
    errors: tuple[ScanErrorEntry, ...]
    suppressed: int
    baselined: int
    files: int
    skipped: tuple[ScanErrorEntry, ...] = ()
    below_threshold: int = 0  # findings hidden by min_severity / min_confidence

    def failing(self, fail_on: Severity) -> tuple[Finding, ...]:
        """The findings at or above ``fail_on`` (the ones that make the scan exit 1)."""
        return tuple(f for f in self.findings if f.severity.rank >= fail_on.rank)
