"""What a file glob would read, found on disk within a fixed budget.

Used for tools that read every file a glob matches (Gemini CLI's ``read_many_files``): each
matched file becomes a read effect, so ``**/.env`` is judged as the ``.env`` files it
reads. The walk is bounded by the number of directory entries it visits, because a hook
that runs out of time lets the tool run on hosts without a fail-closed switch: past the
budget, the result says so and the caller asks. Symlinked folders are not entered; each
one is reported as read, so a link to ``~/.ssh`` is judged as ``~/.ssh``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MAX_ENTRIES = 20_000
MAX_FILES = 500


@dataclass(frozen=True, slots=True)
class GlobReads:
    root: str  # the glob's fixed leading folder (absolute)
    files: tuple[str, ...]  # matched files
    linked_dirs: tuple[str, ...]  # symlinked folders under root that the glob could enter
    complete: bool  # False when the budget ran out before the walk finished


def split_glob(pattern: str) -> tuple[str, str]:
    """('fixed/leading/folders', 'rest/with/*wildcards')."""
    fixed: list[str] = []
    parts = pattern.split("/")
    for index, part in enumerate(parts):
        if any(ch in part for ch in "*?[{"):
            return "/".join(fixed) or ("/" if pattern.startswith("/") else ""), "/".join(parts[index:])
        fixed.append(part)
    return "/".join(fixed[:-1]) or ("/" if pattern.startswith("/") else ""), parts[-1]


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob (``**``, ``*``, ``?``, ``[...]``, ``{a,b}``) as a regex over '/'-separated paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = end + 1
            continue
        elif ch == "{" and "}" in pattern[i + 1:]:
            end = pattern.index("}", i + 1)
            out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1:end].split(",")) + ")")
            i = end + 1
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_reads(pattern: str, cwd: str, *, max_entries: int = MAX_ENTRIES,
               max_files: int = MAX_FILES) -> GlobReads:
    expanded = os.path.expanduser(pattern)
    fixed, rest = split_glob(expanded)
    root = fixed if os.path.isabs(fixed) else os.path.join(cwd, fixed)
    regex = glob_regex(rest)
    deep = "**" in rest or "/" in rest
    files: list[str] = []
    linked: list[str] = []
    seen = 0
    for folder, dirs, names in os.walk(root):
        rel_folder = os.path.relpath(folder, root)
        prefix = "" if rel_folder == "." else rel_folder + "/"
        seen += len(dirs) + len(names)
        if seen > max_entries or len(files) > max_files:
            return GlobReads(root, tuple(files), tuple(linked), False)
        for name in names:
            if regex.match(prefix + name):
                files.append(os.path.join(folder, name))
        if not deep:
            break
        linked += [p for p in (os.path.join(folder, n) for n in dirs) if os.path.islink(p)]
    return GlobReads(root, tuple(files), tuple(linked), len(files) <= max_files)
