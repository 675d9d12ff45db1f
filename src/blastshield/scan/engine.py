"""The scan engine: files × (language analysis, secrets, dependencies) → filtered findings.

``scan_paths`` walks files (in a process pool on large trees); ``scan_file`` scans one
file already in memory (the write-time hook). Each analysis runs isolated: whatever it
raises becomes an error entry for that file and the scan goes on.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence

from blastshield.scan import baseline as baseline_file
from blastshield.scan.files import Candidate, display_path, looks_binary, walk
from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.options import ScanErrorEntry, ScanOptions, ScanResult
from blastshield.scan.suppress import is_suppressed, parse_suppressions

TYPE_CHECKING = False  # gitdiff (and subprocess) only load for --diff / --staged
if TYPE_CHECKING:
    from blastshield.scan.gitdiff import ChangeSet

__all__ = ["ANALYZERS", "ScanErrorEntry", "ScanOptions", "ScanResult", "scan_file", "scan_paths"]

# THE table: file extension → (language, module whose ``analyze(path, source)`` returns findings).
ANALYZERS: dict[str, tuple[str, str]] = {
    ".py": ("python", "blastshield.scan.python"),
    ".pyw": ("python", "blastshield.scan.python"),
    ".js": ("javascript", "blastshield.scan.javascript"),
    ".jsx": ("javascript", "blastshield.scan.javascript"),
    ".mjs": ("javascript", "blastshield.scan.javascript"),
    ".cjs": ("javascript", "blastshield.scan.javascript"),
    ".ts": ("javascript", "blastshield.scan.javascript"),
    ".tsx": ("javascript", "blastshield.scan.javascript"),
}
# Extensionless scripts: interpreter named on the shebang line → the extension it is analysed as.
SHEBANG_EXTENSIONS = {b"python": ".py", b"node": ".js"}

Analyzer = Callable[[str, bytes], list[Finding]]
Progress = Callable[[int, int], None]

_loaded: dict[str, Analyzer | str] = {}


class _FileOutcome:
    __slots__ = ("below_threshold", "errors", "findings", "scanned", "skipped", "suppressed", "unavailable")

    def __init__(self, scanned: int = 0) -> None:
        self.findings: list[Finding] = []
        self.errors: list[ScanErrorEntry] = []
        self.skipped: list[ScanErrorEntry] = []
        self.unavailable: dict[str, str] = {}  # language → why
        self.suppressed = 0
        self.below_threshold = 0
        self.scanned = scanned

    def merge(self, other: _FileOutcome) -> None:
        self.findings += other.findings
        self.errors += other.errors
        self.skipped += other.skipped
        for language, why in other.unavailable.items():
            self.unavailable.setdefault(language, why)
        self.suppressed += other.suppressed
        self.below_threshold += other.below_threshold
        self.scanned += other.scanned


def _analyzer(module: str) -> Analyzer | str:
    """The module's ``analyze`` function, or why it cannot be loaded (cached per process)."""
    if module not in _loaded:
        try:
            function: Analyzer = importlib.import_module(module).analyze
            _loaded[module] = function
        except Exception as exc:  # ImportError, or a broken analyzer package
            _loaded[module] = f"{type(exc).__name__}: {exc}"
    return _loaded[module]


def _extension(path: str, source: bytes) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext or not source.startswith(b"#!"):
        return ext
    first = source.split(b"\n", 1)[0]
    return next((e for word, e in SHEBANG_EXTENSIONS.items() if word in first), "")


def _crash(what: str, exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return f"{what} failed: {text[:200]}"


def _analyse(display: str, real: str, source: bytes, options: ScanOptions) -> _FileOutcome:
    """Every analysis that applies to one file, isolated from each other, then thresholds,
    suppressions and fingerprints."""
    from blastshield.errors import ScanError

    out = _FileOutcome(scanned=1)
    raw: list[Finding] = []
    ext = _extension(display, source)
    language = ""
    if ext in ANALYZERS:
        language, module = ANALYZERS[ext]
        analyze = _analyzer(module)
        if isinstance(analyze, str):
            out.unavailable[language] = analyze
        else:
            try:
                raw += analyze(display, source)
            except ScanError as exc:
                out.errors.append(ScanErrorEntry(display, exc.diagnostics()))
            except Exception as exc:
                out.errors.append(ScanErrorEntry(display, _crash(f"{language} analysis", exc)))
    text = source.decode("utf-8", errors="replace")
    try:
        from blastshield.scan import secrets

        raw += secrets.analyze(display, text)
    except Exception as exc:
        out.errors.append(ScanErrorEntry(display, _crash("secret detection", exc)))
    try:
        from blastshield.scan import deps

        dep_outcome = deps.analyze(display, real, text, language, online=options.online)
        raw += dep_outcome.findings
        out.errors += [ScanErrorEntry(display, message) for message in dep_outcome.errors]
    except Exception as exc:
        out.errors.append(ScanErrorEntry(display, _crash("dependency check", exc)))

    shown = [f for f in _dedupe(raw) if f.at_least(options.min_severity, options.min_confidence)]
    out.below_threshold = len(raw) - len(shown)
    covers, problems = parse_suppressions(source)
    out.errors += [ScanErrorEntry(display, p.message) for p in problems]
    kept = [f for f in shown if not is_suppressed(f, covers)]
    out.suppressed = len(shown) - len(kept)
    if kept:
        root = options.fingerprint_root or os.getcwd()
        out.findings = baseline_file.with_fingerprints(kept, text.splitlines(),
                                                       baseline_file.relative_to(real, root))
    return out


# CWEs of hard-coded credentials: a language rule's finding on a line that also has a secret finding
# is the same problem said twice; the secret finding (kind, masked value) is kept.
_CREDENTIAL_CWES = frozenset({259, 321, 798})


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One report per credential, and no exact repeats.

    A credential on one line of one file said by both a language rule and the secret rule is
    reported once, as the secret rule says it (it names the kind and masks the value), with
    one exception: outside test code, when the secret rule doubts the value (low: a
    default-grade password such as "root") and the language rule is surer (it saw the value
    handed to a login call, where it is a credential in use), the language finding stands.
    In test code the secret rule's judgement always wins (literal passwords there are usually
    deliberate fakes).
    """
    from blastshield.scan.secrets import in_tests

    rank = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
    secret_rank: dict[tuple[str, int], int] = {}
    language_rank: dict[tuple[str, int], int] = {}
    for f in findings:
        if f.rule_id.startswith("BS-SECRET-"):
            where = (f.path, f.line)
            secret_rank[where] = max(secret_rank.get(where, -1), rank[f.confidence])
        elif f.cwe in _CREDENTIAL_CWES:
            where = (f.path, f.line)
            language_rank[where] = max(language_rank.get(where, -1), rank[f.confidence])
    seen: set[tuple[str, str, int, str]] = set()
    unique: list[Finding] = []
    for f in findings:
        where = (f.path, f.line)
        if where in secret_rank and where in language_rank:
            secret_wins = (in_tests(f.path) or secret_rank[where] > 0
                           or language_rank[where] <= secret_rank[where])
            if f.rule_id.startswith("BS-SECRET-") != secret_wins and (
                    f.rule_id.startswith("BS-SECRET-") or f.cwe in _CREDENTIAL_CWES):
                continue
        key = (f.rule_id, f.path, f.line, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _read(candidate: Candidate, options: ScanOptions, staged_root: str | None,
          out: _FileOutcome) -> bytes | None:
    try:
        if staged_root is not None:
            from blastshield.scan import gitdiff

            source = gitdiff.staged_blob(candidate.real, staged_root)
        else:
            if os.path.getsize(candidate.real) > options.max_file_bytes:
                out.skipped.append(ScanErrorEntry(candidate.display,
                                                  f"larger than {options.max_file_bytes} bytes"))
                return None
            with open(candidate.real, "rb") as handle:
                source = handle.read(options.max_file_bytes + 1)
    except Exception as exc:  # unreadable file, or git failing on it
        reason = exc.diagnostics() if hasattr(exc, "diagnostics") else (
            getattr(exc, "strerror", None) or type(exc).__name__)
        out.errors.append(ScanErrorEntry(candidate.display, f"cannot read: {reason}"))
        return None
    if len(source) > options.max_file_bytes:
        out.skipped.append(ScanErrorEntry(candidate.display, f"larger than {options.max_file_bytes} bytes"))
        return None
    if looks_binary(source):
        out.skipped.append(ScanErrorEntry(candidate.display, "binary"))
        return None
    return source


def _scan_chunk(chunk: Sequence[Candidate], options: ScanOptions, staged_root: str | None) -> _FileOutcome:
    out = _FileOutcome()
    for candidate in chunk:
        source = _read(candidate, options, staged_root, out)
        if source is not None:
            out.merge(_analyse(candidate.display, candidate.real, source, options))
    return out


def _finish(total: _FileOutcome, options: ScanOptions, changes: ChangeSet | None,
            real_of: dict[str, str]) -> ScanResult:
    findings = total.findings
    if changes is not None:
        findings = [f for f in findings if changes.touches(real_of.get(f.path, ""), f.line, f.end_line)]
    baselined = 0
    if options.baseline:
        findings, baselined = baseline_file.apply_baseline(findings, baseline_file.load_baseline(
            options.baseline))
    errors = list(total.errors)
    for language, why in sorted(total.unavailable.items()):
        errors.append(ScanErrorEntry("", f"{language} analysis unavailable ({why}); "
                                         f"{language} files were checked for secrets and dependencies only"))
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule_id))
    return ScanResult(tuple(findings), tuple(errors), total.suppressed, baselined, total.scanned,
                      tuple(total.skipped), total.below_threshold)


def scan_file(path: str, source: bytes, options: ScanOptions) -> ScanResult:
    """Scan one file's content (the write-time case): no walking, no process pool.

    ``path`` names the file (it need not exist on disk); findings carry it relative to cwd.
    """
    cwd = os.getcwd()
    display = display_path(path, cwd) if os.path.isabs(path) or os.path.exists(path) else path
    real = os.path.realpath(path)
    if options.baseline:  # fail on a bad baseline before analysing anything
        baseline_file.load_baseline(options.baseline)
    outcome = _FileOutcome()
    if len(source) > options.max_file_bytes:
        outcome.skipped.append(ScanErrorEntry(display, f"larger than {options.max_file_bytes} bytes"))
    elif looks_binary(source):
        outcome.skipped.append(ScanErrorEntry(display, "binary"))
    else:
        outcome = _analyse(display, real, source, options)
    changes = None
    if options.diff_rev:
        from blastshield.scan import gitdiff

        changes = gitdiff.changed_since(options.diff_rev, [path], cwd)
    return _finish(outcome, options, changes, {display: real})


def scan_paths(paths: Sequence[str], options: ScanOptions, *, progress: Progress | None = None) -> ScanResult:
    """Scan files and directory trees. With ``diff_rev`` or ``staged``, only changed files are read
    and only findings on changed lines are kept (the analyses still see whole files)."""
    cwd = os.getcwd()
    targets = list(paths) or ["."]
    if options.baseline:
        baseline_file.load_baseline(options.baseline)
    changes: ChangeSet | None = None
    staged_root: str | None = None
    if options.staged or options.diff_rev:
        from blastshield.scan import gitdiff
    if options.staged:
        changes = gitdiff.staged_changes(targets, cwd)
        staged_root = gitdiff.repo_root(cwd)
    elif options.diff_rev:
        changes = gitdiff.changed_since(options.diff_rev, targets, cwd)
    if changes is not None:
        candidates = [Candidate(display_path(real, cwd), real) for real in sorted(changes.lines)
                      if staged_root is not None or os.path.isfile(real)]
    else:
        candidates = list(walk(targets, cwd))
    real_of = {c.display: c.real for c in candidates}
    total = _FileOutcome()
    if len(candidates) <= options.pool_threshold or (options.jobs or os.cpu_count() or 1) <= 1:
        for done, candidate in enumerate(candidates, start=1):
            total.merge(_scan_chunk([candidate], options, staged_root))
            if progress:
                progress(done, len(candidates))
    else:
        _scan_in_pool(candidates, options, staged_root, total, progress)
    return _finish(total, options, changes, real_of)


def _scan_in_pool(candidates: list[Candidate], options: ScanOptions, staged_root: str | None,
                  total: _FileOutcome, progress: Progress | None) -> None:
    import concurrent.futures  # only large trees pay for it

    workers = max(1, options.jobs or os.cpu_count() or 1)
    size = max(1, min(32, len(candidates) // (workers * 8) or 1))
    chunks = [candidates[i:i + size] for i in range(0, len(candidates), size)]
    done = 0
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_scan_chunk, chunk, options, staged_root): chunk for chunk in chunks}
        for future in concurrent.futures.as_completed(futures):
            chunk = futures[future]
            try:
                total.merge(future.result())
            except Exception as exc:  # a worker died (e.g. killed); report its files, go on
                total.errors += [ScanErrorEntry(c.display, _crash("scan worker", exc)) for c in chunk]
            done += len(chunk)
            if progress:
                progress(done, len(candidates))
