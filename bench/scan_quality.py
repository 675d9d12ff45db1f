"""Detection quality of `blastshield scan` on the labeled corpora in ../shared/corpus.

Usage: python bench/scan_quality.py [--corpus DIR] [--lang python|javascript] [--split NAME]
                                    [--misses FILE] [--in-process | --both]

For each split: every sample's code is written to its own file (named after its
`filename`) in a temporary folder, the real CLI scans the folder at default settings
(`blastshield scan DIR --format json`), and findings are mapped back to samples. Prints,
per split and pooled per language, the figures defined in the corpus README: recall, CWE
recall, line recall, false-positive rate and pairs right. "same cwe" next to the false-positive
rate counts only safe samples flagged with a CWE they are labeled for: a corpus's safe
sample is usually safe only for its own weakness (Asleep-at-the-Keyboard's fixed scenarios
often still build SQL from request data), so the gap between the two shows findings that
are real but off-label. A pair group (one pair_id with
both kinds present) counts as right when every vulnerable member is flagged and no safe
member is; for two-member pairs that is exactly the README's definition.

Until `blastshield scan` exists the analyzers are called in-process (said in the output),
keeping only findings at the engine's default threshold (confidence >= medium).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass
class Tally:
    vuln: int = 0
    safe: int = 0
    hit: int = 0
    cwe_hit: int = 0
    lined: int = 0
    line_hit: int = 0
    fp: int = 0
    fp_label: int = 0  # safe samples flagged with the CWE they are labeled for (the fix itself flagged)
    pairs: int = 0
    pairs_right: int = 0
    unparsed: int = 0
    fp_rules: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, other: Tally) -> None:
        for name in ("vuln", "safe", "hit", "cwe_hit", "lined", "line_hit", "fp", "fp_label", "pairs",
                     "pairs_right", "unparsed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.fp_rules.update(other.fp_rules)

    def row(self, label: str) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:5.1f}%" if b else "   n/a"

        pairs = f"{self.pairs_right}/{self.pairs}" if self.pairs else "-"
        return (f"{label:<42} vuln {self.vuln:4d} safe {self.safe:4d} | recall {pct(self.hit, self.vuln)}"
                f" cwe {pct(self.cwe_hit, self.vuln)} line {pct(self.line_hit, self.lined)}"
                f" | fp {pct(self.fp, self.safe)} (same cwe {pct(self.fp_label, self.safe)})"
                f" | pairs {pairs:>8} | unparsed {self.unparsed}")


def load_split(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cli_available() -> bool:
    return importlib.util.find_spec("blastshield.cli.commands.scan") is not None


def scan_with_cli(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    proc = subprocess.run([sys.executable, "-m", "blastshield", "scan", str(folder), "--format", "json"],
                          capture_output=True, text=True, check=False, cwd=folder)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"blastshield scan failed with exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    data = json.loads(proc.stdout)
    return list(data.get("findings", [])), list(data.get("errors", []))


def scan_in_process(folder: Path, lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    module = "blastshield.scan.python" if lang == "python" else "blastshield.scan.javascript"
    try:
        analyzer = importlib.import_module(module)
    except ImportError:
        return [], [{"path": str(folder), "message": f"{module} is not built yet"}]
    from blastshield.errors import BlastshieldError

    findings: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for file in sorted(folder.iterdir()):
        try:
            found = analyzer.analyze(str(file), file.read_bytes())
        except BlastshieldError as exc:
            errors.append({"path": str(file), "message": exc.message})
            continue
        for f in found:
            if CONFIDENCE_RANK[str(f.confidence)] >= CONFIDENCE_RANK["medium"]:
                findings.append({"rule_id": f.rule_id, "cwe": f.cwe, "path": f.path, "line": f.line,
                                 "end_line": f.end_line, "confidence": str(f.confidence),
                                 "message": f.message})
    return findings, errors


def cwe_number(label: str) -> int | None:
    digits = "".join(ch for ch in label if ch.isdigit())
    return int(digits) if digits else None


def measure(samples: list[dict[str, Any]], in_process: bool, misses: list[str]) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bs-quality-") as tmp:
        folder = Path(tmp)
        by_file: dict[str, dict[str, Any]] = {}
        for s in samples:
            name = os.path.basename(s["filename"])
            (folder / name).write_text(s["code"], encoding="utf-8")
            by_file[name] = s
        lang = samples[0]["lang"]
        findings, errors = scan_in_process(folder, lang) if in_process else scan_with_cli(folder)
    per_file: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for f in findings:
        per_file[os.path.basename(str(f["path"]))].append(f)
    tally.unparsed = sum(1 for e in errors if os.path.basename(str(e.get("path", ""))) in by_file)
    flagged: dict[str, bool] = {}
    for name, s in by_file.items():
        found = per_file.get(name, [])
        flagged[s["id"]] = bool(found)
        if s["vulnerable"]:
            tally.vuln += 1
            labels = {cwe_number(c) for c in s.get("cwe") or []}
            tally.hit += bool(found)
            tally.cwe_hit += any(int(f["cwe"]) in labels for f in found)
            if s.get("line"):
                tally.lined += 1
                tally.line_hit += any(abs(int(f["line"]) - int(s["line"])) <= 2 for f in found)
            if not found:
                misses.append(f"MISS {','.join(s.get('cwe') or [])} {s['id']}")
        else:
            tally.safe += 1
            if found:
                tally.fp += 1
                tally.fp_label += any(int(f["cwe"]) in {cwe_number(c) for c in s.get("cwe") or []}
                                      for f in found)
                tally.fp_rules.update({f["rule_id"] for f in found})
                misses.append(f"FP {s['id']} " + "; ".join(f"{f['rule_id']}@{f['line']}" for f in found))
    groups: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for s in samples:
        if s.get("pair_id"):
            groups[s["pair_id"]].append(s)
    for members in groups.values():
        kinds = {m["vulnerable"] for m in members}
        if kinds == {True, False}:
            tally.pairs += 1
            tally.pairs_right += all(flagged[m["id"]] == m["vulnerable"] for m in members)
    return tally


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--lang", choices=("python", "javascript"))
    ap.add_argument("--split", help="only splits whose file path contains this text")
    ap.add_argument("--misses", type=Path, help="write missed and falsely flagged sample ids here")
    ap.add_argument("--in-process", action="store_true", help="call the analyzers directly, not the CLI")
    ap.add_argument("--both", action="store_true",
                    help="measure the analyzers alone and the full CLI (engine, secrets, deps) side by side")
    args = ap.parse_args()
    if args.both:
        return measure_both(args)
    if not args.corpus.is_dir():
        print(f"corpus folder {args.corpus} is absent: nothing to measure (skipped)")
        return 0
    in_process = args.in_process or not cli_available()
    print("mode:", "analyzers called in-process (the scan CLI is not available)" if in_process and not
          args.in_process else "in-process (--in-process)" if in_process else "blastshield scan CLI")
    pooled: dict[str, Tally] = {}
    misses: list[str] = []
    for path in sorted(args.corpus.glob("*/samples*.jsonl")):
        if args.split and args.split not in str(path):
            continue
        samples = load_split(path)
        if not samples or (args.lang and samples[0]["lang"] != args.lang):
            continue
        tally = measure(samples, in_process, misses)
        lang = samples[0]["lang"]
        print(tally.row(f"{lang} {path.parent.name}/{path.stem.removeprefix('samples-')}"))
        pooled.setdefault(lang, Tally()).add(tally)
    for lang, tally in pooled.items():
        print(tally.row(f"POOLED {lang}"))
        if tally.fp_rules:
            ranked = tally.fp_rules.most_common()
            print("   false positives by rule:", ", ".join(f"{r} {n}" for r, n in ranked))
    if args.misses:
        args.misses.write_text("\n".join(misses) + "\n", encoding="utf-8")
    return 0


def measure_both(args: argparse.Namespace) -> int:
    """Two rows per split: the language analyzer alone, then the full CLI; pooled rows for each."""
    if not args.corpus.is_dir():
        print(f"corpus folder {args.corpus} is absent: nothing to measure (skipped)")
        return 0
    pooled: dict[tuple[str, str], Tally] = {}
    misses: list[str] = []
    modes = [("analyzer", True)] + ([("cli", False)] if cli_available() else [])
    for path in sorted(args.corpus.glob("*/samples*.jsonl")):
        if args.split and args.split not in str(path):
            continue
        samples = load_split(path)
        if not samples or (args.lang and samples[0]["lang"] != args.lang):
            continue
        lang = samples[0]["lang"]
        for mode, in_process in modes:
            tally = measure(samples, in_process, misses if mode == "analyzer" else [])
            print(tally.row(f"{mode:<8} {path.parent.name}/{path.stem.removeprefix('samples-')}"))
            pooled.setdefault((lang, mode), Tally()).add(tally)
    for (lang, mode), tally in pooled.items():
        print(tally.row(f"POOLED {lang} {mode}"))
    if args.misses:
        args.misses.write_text("\n".join(misses) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
