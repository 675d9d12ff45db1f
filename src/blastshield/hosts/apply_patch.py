"""Codex ``apply_patch`` text → the files it adds, updates, moves and deletes → effects.

The patch format (Codex's own edit tool)::

    *** Begin Patch
    *** Add File: path/new.py
    +line
    *** Update File: path/old.py
    *** Move to: path/renamed.py
    @@ def f():
    -a
    +b
    *** Delete File: path/gone.py
    *** End Patch

Codex reads each header from the line with its surrounding whitespace trimmed, so an
indented header still names a file; content lines start with ``+``/``-``/`` `` and can
never be taken for a header. Every file the patch names is judged: a patch is allowed
only if every one of its writes and deletes is.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from blastshield.effects import Effect
from blastshield.errors import PayloadError


class PatchOp(enum.StrEnum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class PatchFile:
    """One file the patch touches; ``move_to`` is set when an update also renames it."""

    op: PatchOp
    path: str
    move_to: str | None = None


_HEADERS = (("*** Add File:", PatchOp.ADD), ("*** Update File:", PatchOp.UPDATE),
            ("*** Delete File:", PatchOp.DELETE))
_MOVE = "*** Move to:"


def parse_patch(text: str) -> tuple[PatchFile, ...]:
    """The files a patch names, in order. Raises PayloadError when it names none."""
    files: list[PatchFile] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("***"):
            continue
        if line.startswith(_MOVE):
            target = line[len(_MOVE):].strip()
            if not files or files[-1].op is not PatchOp.UPDATE or not target:
                raise PayloadError("apply_patch: '*** Move to:' must follow an '*** Update File:' header "
                                   "and name a path", hint="blastshield cannot judge this patch; denied")
            last = files.pop()
            files.append(PatchFile(last.op, last.path, target))
            continue
        for prefix, op in _HEADERS:
            if line.startswith(prefix):
                path = line[len(prefix):].strip()
                if not path:
                    raise PayloadError(f"apply_patch: {prefix!r} header without a path",
                                       hint="blastshield cannot judge this patch; denied")
                files.append(PatchFile(op, path))
                break
    if not files:
        raise PayloadError("apply_patch: the patch names no file (no '*** Add File:', '*** Update File:' "
                           "or '*** Delete File:' header)", hint="blastshield cannot judge it; denied")
    return tuple(files)


def patch_effects(text: str, cwd: str) -> tuple[Effect, ...]:
    """Write effects for added/updated files (and a move's target), delete effects for deletions
    (and a move's source)."""
    effects: list[Effect] = []
    for item in parse_patch(text):
        if item.op is PatchOp.DELETE:
            effects.append(Effect.delete(item.path, cwd=cwd))
            continue
        effects.append(Effect.write(item.path, cwd=cwd))
        if item.move_to is not None:
            effects.append(Effect.write(item.move_to, cwd=cwd))
            effects.append(Effect.delete(item.path, cwd=cwd))
    return tuple(effects)


def written_files(text: str, cwd: str) -> tuple[str, ...]:
    """Absolute paths of the files that exist after the patch with new content (for scanning)."""
    try:
        files = parse_patch(text)
    except PayloadError:
        return ()
    out: list[str] = []
    for item in files:
        if item.op is PatchOp.DELETE:
            continue
        path = item.move_to or item.path
        path = os.path.expanduser(path)
        out.append(path if os.path.isabs(path) else os.path.join(cwd, path))
    return tuple(dict.fromkeys(out))
