"""What a scan is asked to do (ScanOptions) and what it found (ScanResult): plain data."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Finding, Severity
from blastshield.values import FrozenValue

MAX_FILE_BYTES = 1_000_000


class ScanOptions(FrozenValue):
    """Thresholds and modes of one scan.

    Defaults match the CLI: report findings with confidence >= medium (any severity),
    fail on severity >= high.
    """

    __slots__ = ("baseline", "diff_rev", "fail_on", "fingerprint_root", "jobs", "max_file_bytes",
                 "min_confidence", "min_severity", "online", "pool_threshold", "staged")
    min_severity: Severity
    min_confidence: Confidence
    fail_on: Severity
    diff_rev: str | None  # only findings on lines changed since this git revision
    staged: bool  # scan the staged versions (git show :path), changed lines only
    baseline: str | None  # JSON file of accepted findings (fingerprints)
    online: bool  # ask the package registries about dependencies
    jobs: int | None  # worker processes for large trees (None: one per CPU)
    fingerprint_root: str | None  # paths in fingerprints are relative to this (default cwd)
    max_file_bytes: int
    pool_threshold: int  # use a process pool above this many files

    def __init__(self, min_severity: Severity = Severity.LOW, min_confidence: Confidence = Confidence.MEDIUM,
                 fail_on: Severity = Severity.HIGH, diff_rev: str | None = None, staged: bool = False,
                 baseline: str | None = None, online: bool = False, jobs: int | None = None,
                 fingerprint_root: str | None = None, max_file_bytes: int = MAX_FILE_BYTES,
                 pool_threshold: int = 50) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "min_severity", min_severity)
        setattr_(self, "min_confidence", min_confidence)
        setattr_(self, "fail_on", fail_on)
        setattr_(self, "diff_rev", diff_rev)
        setattr_(self, "staged", staged)
        setattr_(self, "baseline", baseline)
        setattr_(self, "online", online)
        setattr_(self, "jobs", jobs)
        setattr_(self, "fingerprint_root", fingerprint_root)
        setattr_(self, "max_file_bytes", max_file_bytes)
        setattr_(self, "pool_threshold", pool_threshold)


class ScanErrorEntry(FrozenValue):
    """A file that could not be (fully) analysed, or was skipped, and why."""

    __slots__ = ("error", "path")
    path: str
    error: str

    def __init__(self, path: str, error: str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "error", error)


class ScanResult(FrozenValue):
    """Everything one scan found: findings at or above the thresholds, in path/line order."""

    __slots__ = ("baselined", "below_threshold", "errors", "files", "findings", "skipped", "suppressed")
    findings: tuple[Finding, ...]
    errors: tuple[ScanErrorEntry, ...]
    suppressed: int
    baselined: int
    files: int
    skipped: tuple[ScanErrorEntry, ...]
    below_threshold: int  # findings hidden by min_severity / min_confidence

    def __init__(self, findings: tuple[Finding, ...], errors: tuple[ScanErrorEntry, ...], suppressed: int,
                 baselined: int, files: int, skipped: tuple[ScanErrorEntry, ...] = (),
                 below_threshold: int = 0) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "findings", findings)
        setattr_(self, "errors", errors)
        setattr_(self, "suppressed", suppressed)
        setattr_(self, "baselined", baselined)
        setattr_(self, "files", files)
        setattr_(self, "skipped", skipped)
        setattr_(self, "below_threshold", below_threshold)

    def failing(self, fail_on: Severity) -> tuple[Finding, ...]:
        """The findings at or above ``fail_on`` (the ones that make the scan exit 1)."""
        return tuple(f for f in self.findings if f.severity.rank >= fail_on.rank)
