"""Scan code for vulnerabilities (Python, JavaScript/TypeScript), committed secrets and
look-alike or invented dependencies.

examples:
  blastshield scan                                 # the current directory
  blastshield scan src/ --format sarif -o blastshield.sarif
  blastshield scan --diff origin/main              # only findings on lines changed since a revision
  blastshield scan --staged                        # the staged versions (pre-commit)
  blastshield scan --write-baseline .blastshield-baseline.json   # accept today's findings
  blastshield scan --baseline .blastshield-baseline.json         # report only new ones

suppress one finding with a comment on its line or the line above (a reason is required):
  # blastshield: ignore[BS-PY-078] argv is a constant list built above

exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import os
import sys

NAME = "scan"
HELP = "scan files, a diff or staged changes for vulnerabilities, secrets and bad dependencies"

SEVERITIES = ("low", "medium", "high", "critical")
CONFIDENCES = ("low", "medium", "high")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--diff", metavar="REV", help="report only findings on lines changed since REV")
    which.add_argument("--staged", action="store_true", help="scan the staged versions of changed files")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--fail-on", choices=SEVERITIES, default="high",
                        help="exit 1 when a finding is at least this severe (default: high)")
    parser.add_argument("--min-confidence", choices=CONFIDENCES, default="medium",
                        help="report findings at least this certain (default: medium)")
    parser.add_argument("--min-severity", choices=SEVERITIES, default="low",
                        help="report findings at least this severe (default: low)")
    parser.add_argument("--baseline", metavar="FILE", help="accept the findings listed in FILE")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="write every current finding to FILE (then exit 0)")
    parser.add_argument("--online", action="store_true",
                        help="ask PyPI/npm whether dependencies exist and how new they are")
    parser.add_argument("--jobs", type=_positive, metavar="N", help="worker processes (default: one per CPU)")


class _ProgressBar:
    """A one-line bar on stderr, redrawn in place (only used when stderr is a terminal)."""

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < 20:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\rscanning [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from blastshield.errors import UsageError
    from blastshield.report.json import render_json
    from blastshield.report.sarif import render_sarif
    from blastshield.report.text import render_text
    from blastshield.scan.baseline import write_baseline
    from blastshield.scan.engine import ScanOptions, scan_paths
    from blastshield.scan.finding import Confidence, Severity
    from blastshield.scan.registry import all_rules

    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline do not go together",
                         hint="write a new baseline without --baseline")
    anchor = args.write_baseline or args.baseline
    options = ScanOptions(
        min_severity=Severity(args.min_severity), min_confidence=Confidence(args.min_confidence),
        fail_on=Severity(args.fail_on), diff_rev=args.diff, staged=args.staged, baseline=args.baseline,
        online=args.online, jobs=args.jobs,
        fingerprint_root=os.path.dirname(os.path.abspath(anchor)) if anchor else None,
    )
    progress = _ProgressBar() if sys.stderr.isatty() else None
    try:
        result = scan_paths(args.paths, options, progress=progress)
    finally:
        if progress:
            progress.close()

    if args.format == "json":
        report = render_json(result)
    elif args.format == "sarif":
        report = render_sarif(result, all_rules())
    else:
        color = not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        report = render_text(result, fail_on=options.fail_on, color=color)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(report)
        except OSError as exc:
            raise UsageError(f"--output {args.output}: cannot write ({exc.strerror or exc})") from None
    else:
        sys.stdout.write(report)

    if args.write_baseline:
        count = write_baseline(args.write_baseline, result.findings)
        print(f"blastshield: wrote {count} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
        return 0
    return 1 if result.failing(options.fail_on) else 0
