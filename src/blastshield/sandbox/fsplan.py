"""Policy → file-system plan: what the sandbox sees read-only, read-write, or not at all.

The plan is plain data (an ordered list of mounts plus the roots Landlock gets); ``bwrap``
turns it into bubblewrap arguments. Rules:

- System run-time directories (/usr, /etc, /lib*, /opt, ...), the Python that runs the
  launcher and the blastshield package are read-only. Home is an empty tmpfs; /tmp and
  /var/tmp are fresh tmpfs.
- ``[files] read`` globs whose literal prefix is a directory or file (``~/.cache/**``)
  are bound read-only, ``[files] write`` ones read-write; the workspace is read-write
  when the policy lets the agent write there, else read-only. A grant whose glob
  narrows below a directory (``src/**/*.py``) cannot be expressed as a mount and is
  left out (fail closed); it is listed in ``notes``.
- ``[files] deny`` hides (an empty, unreadable file or an empty read-only directory);
  ``[files] ask`` becomes read-only (nobody can be asked inside). Globs that name files
  anywhere (``**/.env``) are found by walking the granted user trees (not the read-only
  system directories) within a budget; when the budget runs out the pattern is listed in
  ``unenforced``. /tmp and /var/tmp are always private inside, even when a policy grants them.
- Built-in protections: the policy folder, the log, host hook configs, .git/hooks,
  .git/config and shell start-up files become read-only; signing keys are hidden.
- Deny beats every grant; a deeper mount beats a shallower one.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Iterable

from blastshield.paths import is_within
from blastshield.policy import fswalk
from blastshield.policy.builtin import PROTECTIONS
from blastshield.policy.globs import literal_prefix
from blastshield.policy.model import Policy

TYPE_CHECKING = False  # typing only for mypy (Final marks the read-only fields)
if TYPE_CHECKING:
    from typing import Final

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
               "/nix/store", "/snap")
#: Readable system files that hold host secrets: hidden inside.
SYSTEM_SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
                  "/etc/sudoers.d", "/etc/ssl/private", "/etc/ssh/ssh_host_rsa_key",
                  "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key",
                  "/etc/ssh/ssh_host_dsa_key", "/etc/security/opasswd")
WALK_BUDGET = 200_000
_PRIVATE_SCRATCH = frozenset({"/tmp", "/var/tmp"})


class MountKind(enum.IntEnum):
    """Applied in this order at equal depth; the value is the priority."""

    TMPFS = 0
    SYMLINK = 1
    READ_ONLY = 2
    READ_WRITE = 3
    HIDE = 4
    PROTECT = 5  # re-bind an existing path read-only over a writable tree


_Rule = tuple[str, MountKind, str]  # a pattern, the mount a match gets, why

# Plain classes, not dataclasses: building a dataclass costs ~0.3 ms at import, on every run.
class Mount:
    __slots__ = ("kind", "path", "target", "why")

    def __init__(self, kind: MountKind, path: str, target: str = "", why: str = "") -> None:
        self.kind: Final = kind
        self.path: Final = path
        self.target: Final = target  # for SYMLINK: the link text
        self.why: Final = why

    def __repr__(self) -> str:
        return f"Mount({self.kind.name}, {self.path!r}, target={self.target!r}, why={self.why!r})"


class FsPlan:
    __slots__ = ("mounts", "notes", "readable", "unenforced", "workspace_writable", "writable")

    def __init__(self, mounts: tuple[Mount, ...], readable: tuple[str, ...], writable: tuple[str, ...],
                 workspace_writable: bool, notes: tuple[str, ...] = (),
                 unenforced: tuple[str, ...] = ()) -> None:
        self.mounts: Final = mounts
        self.readable: Final = readable  # Landlock read/execute roots
        self.writable: Final = writable  # Landlock read/write roots
        self.workspace_writable: Final = workspace_writable
        self.notes: Final = notes
        self.unenforced: Final = unenforced


class _Builder:
    def __init__(self, policy: Policy, home: str, runtime_paths: tuple[str, ...], walk_budget: int) -> None:
        self.policy = policy
        self.home = home
        self.runtime_paths = runtime_paths
        self.walk_budget = walk_budget
        self.mounts: list[Mount] = []
        self.notes: list[str] = []
        self.unenforced: list[str] = []

    def add(self, kind: MountKind, path: str, why: str, target: str = "") -> None:
        self.mounts.append(Mount(kind, path, target, why))


def runtime_paths() -> tuple[str, ...]:
    """What the launcher itself needs: the Python installation and the blastshield package."""
    import blastshield

    package = os.path.dirname(os.path.realpath(blastshield.__file__))
    python = os.path.realpath(sys.executable)
    prefixes = {os.path.realpath(sys.base_prefix), os.path.dirname(os.path.dirname(python))}
    return (*sorted(prefixes), package)


def plan_filesystem(policy: Policy, home: str, *, extra_protected: Iterable[str] = (),
                    runtime: tuple[str, ...] | None = None, walk_budget: int = WALK_BUDGET) -> FsPlan:
    b = _Builder(policy, home, runtime if runtime is not None else runtime_paths(), walk_budget)
    _system(b)
    grants_ro, grants_rw = _grants(b)
    ws = policy.workspace
    workspace_writable = any(is_within(ws, root) for root in grants_rw)
    if not any(is_within(ws, root) for root in (*grants_ro, *grants_rw)):
        grants_ro.append(ws)
    for root in grants_ro:
        b.add(MountKind.READ_ONLY, root, "[files] read")
    for root in grants_rw:
        b.add(MountKind.READ_WRITE, root, "[files] write")
    # Anywhere-globs (``**/.env``) name the user's files: they are searched in the granted user
    # trees, not in the distribution's read-only system directories.
    user_trees = sorted({t for t in (*grants_ro, *grants_rw) if not _is_system(t)})
    denied = _denials(b, user_trees)
    denied_at = len(b.mounts)
    protected = _protections(b, user_trees, tuple(extra_protected))
    _walk_anywhere(b, user_trees, denied, denied_at, protected)
    mounts = _order(b.mounts)
    # a protected path is bound read-only, so Landlock lets it be read too (inside a writable
    # tree that changes nothing; outside every grant it is what makes it readable)
    readable = tuple(sorted({m.path for m in mounts if m.kind in _READ_ONLY_BINDS}))
    writable = tuple(sorted({m.path for m in mounts if m.kind in (MountKind.READ_WRITE, MountKind.TMPFS)}))
    return FsPlan(mounts, readable, writable, workspace_writable, tuple(b.notes), tuple(b.unenforced))


def _system(b: _Builder) -> None:
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            b.add(MountKind.SYMLINK, path, "system run-time", target=os.readlink(path))
        elif os.path.isdir(path):
            b.add(MountKind.READ_ONLY, path, "system run-time")
    for path in b.runtime_paths:
        if os.path.exists(path):
            b.add(MountKind.READ_ONLY, path, "launcher run-time")
    for path in ("/tmp", "/var/tmp", b.home):
        if path != "/":
            b.add(MountKind.TMPFS, path, "private scratch space")
    for path in SYSTEM_SECRETS:
        if os.path.lexists(path):
            b.add(MountKind.HIDE, path, "host secret")


def _grants(b: _Builder) -> tuple[list[str], list[str]]:
    files = b.policy.files
    out: tuple[list[str], list[str]] = ([], [])
    for patterns, bucket in ((files.read, out[0]), (files.write, out[1])):
        for pattern in patterns:
            if pattern.text.startswith("**"):
                b.notes.append(f"[files].{pattern.key}[{pattern.index}] {pattern.text!r} names no "
                               "directory; not mounted (the hooks still apply it)")
                continue
            prefix, rest = literal_prefix(pattern.text)
            if rest not in ("", "**"):
                b.notes.append(f"[files].{pattern.key}[{pattern.index}] {pattern.text!r} narrows below "
                               f"{prefix}; not mounted (fail closed)")
                continue
            real = os.path.realpath(prefix)
            if real in _PRIVATE_SCRATCH:
                b.notes.append(f"[files].{pattern.key}[{pattern.index}] {pattern.text!r}: the sandbox has "
                               f"its own private {real}; the host's is not shared")
                continue
            if os.path.exists(real) and real != "/":
                bucket.append(real)
    return out


def _denials(b: _Builder, user_trees: list[str]) -> list[_Rule]:
    """Mount what deny and ask name; returns the anywhere-globs, to be searched for."""
    files = b.policy.files
    anywhere: list[_Rule] = []
    for patterns, kind, why in ((files.deny, MountKind.HIDE, "[files] deny"),
                                (files.ask, MountKind.PROTECT, "[files] ask (read-only inside)")):
        for pattern in patterns:
            _apply_pattern(b, pattern.text, kind, why, user_trees, anywhere)
    return anywhere


def _protections(b: _Builder, user_trees: list[str], extra: tuple[str, ...]) -> list[_Rule]:
    """Mount what the built-in protections name; returns the anywhere-globs, to be searched for."""
    anywhere: list[_Rule] = []
    ws = b.policy.workspace
    for protection in PROTECTIONS:
        if not protection.in_sandbox:
            continue
        kind = MountKind.HIDE if protection.reads_too else MountKind.PROTECT
        for raw in protection.patterns:
            text = raw.replace("${WORKSPACE}", ws)
            text = b.home + text[1:] if text.startswith("~") else text
            _apply_pattern(b, text, kind, f"built-in protection {protection.id}", user_trees, anywhere)
    for path in (b.policy.path, os.path.dirname(b.policy.path), *extra):
        real = os.path.realpath(path)
        if os.path.exists(real) and _visible(real, user_trees):
            b.add(MountKind.PROTECT, real, "built-in protection policy-and-log")
    for sub in (".git/hooks", ".git/config"):
        path = os.path.join(ws, sub)
        if os.path.exists(path):
            b.add(MountKind.PROTECT, path, "built-in protection git-hooks")
    return anywhere


def _visible(path: str, trees: Iterable[str]) -> bool:
    return any(is_within(path, tree) for tree in trees)


def _apply_pattern(b: _Builder, pattern: str, kind: MountKind, why: str, user_trees: list[str],
                   anywhere: list[_Rule]) -> None:
    if pattern.startswith("**"):
        anywhere.append((pattern, kind, why))
        return
    prefix, rest = literal_prefix(pattern)
    if not os.path.lexists(prefix):  # nothing there to mount or search (realpath costs an lstat a part)
        return
    real = os.path.realpath(prefix)
    if rest in ("", "**"):
        visible_trees = (*user_trees, *SYSTEM_DIRS, *b.runtime_paths)
        covers_tree = any(is_within(tree, real) for tree in user_trees)
        if os.path.lexists(real) and (_visible(real, visible_trees) or covers_tree):
            b.add(kind, real, why)
        return
    if os.path.isdir(real):
        roots = [real] if _visible(real, user_trees) else [t for t in user_trees if is_within(t, real)]
        for root in roots:
            found, complete = _walk(b.walk_budget, [root], ([(pattern, kind, why)],))
            b.mounts.extend(found[0])
            if not complete:
                b.unenforced.append(f"{why} {pattern!r}: more than {b.walk_budget} entries below {root}")


def _walk_anywhere(b: _Builder, trees: list[str], denied: list[_Rule], denied_at: int,
                   protected: list[_Rule]) -> None:
    """One walk of the user trees for the deny/ask and the protections' anywhere-globs; their mounts
    go where each list's own walk would have put them (after its other mounts)."""
    if not denied and not protected:
        return
    found, complete = _walk(b.walk_budget, trees, (denied, protected))
    b.mounts[denied_at:denied_at] = found[0]
    b.mounts.extend(found[1])
    if not complete:
        for pattern, _, why in (*denied, *protected):
            b.unenforced.append(f"{why} {pattern!r}: more than {b.walk_budget} entries to search")


def _walk(budget: int, roots: list[str], groups: tuple[list[_Rule], ...]) -> tuple[list[list[Mount]], bool]:
    """For each group, a mount for every entry below ``roots`` that one of its patterns matches (the
    first in order), and False when the walk stopped after ``budget`` entries (what it found by then
    is still mounted: with ``--allow-weaker`` that hides more than nothing)."""
    lists = tuple([(pattern, (kind, why)) for pattern, kind, why in group] for group in groups)
    found, complete = fswalk.walk(roots, lists, budget)
    return [[Mount(rule[1][0], path, "", rule[1][1]) for path, rule in hits] for hits in found], complete


def _order(mounts: list[Mount]) -> tuple[Mount, ...]:
    """Deeper beats shallower, deny beats grants; drop what a deeper/stronger mount makes moot."""
    best: dict[str, Mount] = {}
    for mount in mounts:
        current = best.get(mount.path)
        if current is None or mount.kind > current.kind:
            best[mount.path] = mount
    hidden = [m.path for m in best.values() if m.kind is MountKind.HIDE]
    writable = [m.path for m in best.values() if m.kind is MountKind.READ_WRITE]
    kept: list[Mount] = []
    for mount in best.values():
        if any(is_within(mount.path, h) and mount.path != h for h in hidden):
            continue  # inside something hidden: deny wins
        if mount.kind is MountKind.READ_ONLY and any(
                is_within(mount.path, w) and mount.path != w for w in writable) and \
                not _is_system(mount.path):
            continue  # a read grant inside a write grant adds nothing
        kept.append(mount)
    kept.sort(key=lambda m: (m.path.rstrip("/").count("/"), m.kind, m.path))
    return _drop_repeated_read_only(kept)


_READ_ONLY_BINDS = (MountKind.READ_ONLY, MountKind.PROTECT)


def _drop_repeated_read_only(mounts: list[Mount]) -> tuple[Mount, ...]:
    """A read-only bind of a path whose nearest enclosing mount already binds it read-only adds
    nothing (same host files, same flags): leave it out, bubblewrap pays per mount."""
    kept: dict[str, Mount] = {}
    for mount in mounts:  # shallow first, so every enclosing mount is decided before
        if mount.kind in _READ_ONLY_BINDS and _nearest_kind(kept, mount.path) in _READ_ONLY_BINDS:
            continue
        kept[mount.path] = mount
    return tuple(kept.values())


def _nearest_kind(kept: dict[str, Mount], path: str) -> MountKind | None:
    parent = os.path.dirname(path)
    while True:
        if parent in kept:
            return kept[parent].kind
        if parent == os.path.dirname(parent):
            return None
        parent = os.path.dirname(parent)


def _is_system(path: str) -> bool:
    return any(is_within(path, root) for root in SYSTEM_DIRS)
