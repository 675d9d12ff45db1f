"""Fingerprints that survive line moves, and the baseline file of accepted findings.

A fingerprint hashes the rule id, the file's path (relative to a root), the text of the
finding's line with whitespace collapsed, and the occurrence number of that triple in
the file. Moving code up or down keeps it; editing the flagged line changes it. For
secret findings the line text is replaced by the finding's message (kind + masked
value), so not even a hash of a secret's line lands in a baseline file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence

from blastshield.errors import ScanError
from blastshield.scan.finding import Finding
from blastshield.sha256 import sha256_hex

BASELINE_VERSION = 1


def relative_to(path: str, root: str) -> str:
    """``path`` relative to ``root`` in POSIX form when it lies below root, else absolute."""
    absolute = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if absolute == real_root or absolute.startswith(real_root.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, real_root).replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def with_fingerprints(findings: Sequence[Finding], lines: Sequence[str], rel_path: str) -> list[Finding]:
    """Return the findings with ``fingerprint`` set; ``lines`` is the file's text split in lines."""
    seen: Counter[tuple[str, str]] = Counter()
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.line, f.column, f.rule_id)):
        if f.rule_id.startswith("BS-SECRET"):
            anchor = f.message
        else:
            anchor = " ".join(lines[f.line - 1].split()) if 0 < f.line <= len(lines) else ""
        key = (f.rule_id, anchor)
        seen[key] += 1
        digest = sha256_hex("\0".join((f.rule_id, rel_path, anchor, str(seen[key]))).encode())[:32]
        out.append(f.replace(fingerprint=digest))
    return out


def load_baseline(path: str) -> Counter[str]:
    """Fingerprints accepted by the baseline file (a multiset: each entry absorbs one finding)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ScanError(f"baseline {path}: no such file",
                        hint="create it with `blastshield scan --write-baseline FILE`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScanError(f"baseline {path}: cannot read ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise ScanError(f"baseline {path}: not valid JSON (line {exc.lineno})",
                        hint="regenerate it with `blastshield scan --write-baseline FILE`") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ScanError(f"baseline {path}: expected an object with \"version\": {BASELINE_VERSION}",
                        hint="regenerate it with `blastshield scan --write-baseline FILE`")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ScanError(f"baseline {path}: field \"findings\" must be a list")
    accepted: Counter[str] = Counter()
    for index, entry in enumerate(entries):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ScanError(f"baseline {path}: findings[{index}] has no \"fingerprint\" string")
        accepted[fingerprint] += 1
    return accepted


def apply_baseline(findings: Iterable[Finding], accepted: Counter[str]) -> tuple[list[Finding], int]:
    """Split off the findings the baseline accepts; return (the rest, how many were accepted)."""
    budget = Counter(accepted)
    kept: list[Finding] = []
    absorbed = 0
    for f in findings:
        if budget[f.fingerprint] > 0:
            budget[f.fingerprint] -= 1
            absorbed += 1
        else:
            kept.append(f)
    return kept, absorbed


def write_baseline(path: str, findings: Iterable[Finding]) -> int:
    """Write every finding's fingerprint (plus rule, path and line for humans); return the count."""
    entries = [{"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path, "line": f.line}
               for f in findings]
    document = {"version": BASELINE_VERSION, "tool": "blastshield", "findings": entries}
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise ScanError(f"baseline {path}: cannot write ({exc.strerror or exc})") from None
    return len(entries)
