"""Git as a scan input: the lines changed since a revision, and the staged versions of files."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from blastshield.errors import ScanError

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_ENV = {"GIT_PAGER": "cat", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}


@dataclass(frozen=True)
class ChangeSet:
    """Changed lines per file (resolved absolute path → line numbers on the new side)."""

    lines: dict[str, frozenset[int]]

    def touches(self, real_path: str, line: int, end_line: int) -> bool:
        changed = self.lines.get(real_path)
        if not changed:
            return False
        return any(n in changed for n in range(line, max(line, end_line) + 1))


def _git(args: Sequence[str], cwd: str) -> bytes:
    env = dict(os.environ)
    env.update(_GIT_ENV)
    try:
        proc = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, env=env,
                              capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise ScanError("git is not installed", hint="--diff and --staged need git on PATH") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        first = detail[0] if detail else f"exit {proc.returncode}"
        raise ScanError(f"git {args[0]} failed in {cwd}: {first}")
    return proc.stdout


def repo_root(cwd: str) -> str:
    """The resolved top level of the git work tree containing ``cwd``."""
    out = _git(["rev-parse", "--show-toplevel"], cwd).decode().strip()
    if not out:
        raise ScanError(f"{cwd} is not inside a git work tree", hint="--diff and --staged need a repository")
    return os.path.realpath(out)


def _unquote(name: bytes) -> str:
    """A path from a diff header; git C-quotes names with unusual characters."""
    text = name.decode("utf-8", errors="surrogateescape")
    if text.startswith('"') and text.endswith('"'):
        raw = text[1:-1].encode("latin-1", errors="backslashreplace").decode("unicode_escape")
        text = raw.encode("latin-1", errors="replace").decode("utf-8", errors="replace")
    return text


def _parse_unified_zero(patch: bytes, root: str) -> dict[str, set[int]]:
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in patch.splitlines():
        if line.startswith(b"+++ "):
            target = line[4:].rstrip(b"\t")
            if target == b"/dev/null":
                current = None
                continue
            name = _unquote(target)
            if name.startswith("b/"):
                name = name[2:]
            current = changed.setdefault(os.path.realpath(os.path.join(root, name)), set())
        elif current is not None and line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                current.update(range(start, start + count))
    return changed


def _pathspecs(paths: Sequence[str], cwd: str) -> list[str]:
    return [os.path.realpath(p if os.path.isabs(p) else os.path.join(cwd, p)) for p in paths]


def changed_since(rev: str, paths: Sequence[str], cwd: str) -> ChangeSet:
    """Lines changed in the work tree since ``rev`` (``git diff -U0 REV``), plus untracked files.

    An untracked (not ignored) file counts as wholly changed: it is new since any revision.
    """
    if rev.startswith("-"):
        raise ScanError(f"--diff {rev}: a revision cannot start with '-'")
    root = repo_root(cwd)
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
    specs = ["--", *_pathspecs(paths, cwd)]
    patch = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", rev, *specs], root)
    changed = _parse_unified_zero(patch, root)
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard", *specs], root)
    for name in filter(None, untracked.split(b"\0")):
        full = os.path.realpath(os.path.join(root, name.decode("utf-8", errors="surrogateescape")))
        changed[full] = set(range(1, _line_count(full) + 1))
    return ChangeSet({k: frozenset(v) for k, v in changed.items() if v})


def staged_changes(paths: Sequence[str], cwd: str) -> ChangeSet:
    """Lines changed in the index relative to HEAD (``git diff --cached -U0``)."""
    root = repo_root(cwd)
    specs = ["--", *_pathspecs(paths, cwd)]
    patch = _git(["diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-renames",
                  "--diff-filter=ACMR", *specs], root)
    return ChangeSet({k: frozenset(v) for k, v in _parse_unified_zero(patch, root).items() if v})


def staged_blob(real_path: str, root: str) -> bytes:
    """The staged content of a file (``git show :path``); ``root`` is the repo's top level."""
    rel = os.path.relpath(real_path, root).replace(os.sep, "/")
    return _git(["show", f":{rel}"], root)


def _line_count(path: str) -> int:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
