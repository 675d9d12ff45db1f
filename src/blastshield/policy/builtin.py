"""Built-in protections: paths the agent may never change, whatever the policy says.

Each protection has a stable id and a docs line (docs/policy.md lists them). Writing
or deleting any of these paths is denied; reading blastshield's signing keys is
denied too. A recursive delete of ``/``, the home folder, the workspace or one of
its ancestors is denied as well.
"""

from __future__ import annotations

import functools
import os

from blastshield.paths import home_dir, is_within
from blastshield.policy.globs import glob_to_regex, literal_prefix
from blastshield.policy.match import path_matches
from blastshield.values import FrozenValue

TYPE_CHECKING = False  # re only for mypy here: `run` imports this module and plans without re
if TYPE_CHECKING:
    import re
    from typing import Any


class Protection(FrozenValue):
    __slots__ = ("doc", "id", "in_sandbox", "patterns", "reads_too")
    id: str
    doc: str
    patterns: tuple[str, ...]  # "~" and "${WORKSPACE}" expanded at check time
    reads_too: bool
    in_sandbox: bool  # also mounted read-only (or hidden) by `blastshield run`

    def __init__(self, id: str, doc: str, patterns: tuple[str, ...], reads_too: bool = False,
                 in_sandbox: bool = True) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "doc", doc)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "reads_too", reads_too)
        object.__setattr__(self, "in_sandbox", in_sandbox)


def _glob_literal(path: str) -> str:
    """``path`` with glob characters escaped (a folder name may hold ``[``, ``*`` or ``?``)."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in path)


def _site_folders() -> list[str]:
    """The running interpreter's site-packages folders (resolved; none under ``python -S``)."""
    import site
    import sys

    if "site" not in sys.modules or not hasattr(site, "getsitepackages"):
        return []
    return sorted({os.path.realpath(folder) for folder in site.getsitepackages()})


def _install_patterns() -> tuple[str, ...]:
    """blastshield's own code and the interpreter that runs the hook: change either and every
    later decision is someone else's (the package folder also holds run's launcher and caches)."""
    import sys

    import blastshield

    package = os.path.realpath(os.path.dirname(os.path.abspath(blastshield.__file__)))
    # the interpreter as the hook command names it and as it resolves (paths are judged resolved)
    found = [package, package + "/**", os.path.abspath(sys.executable), os.path.realpath(sys.executable),
             os.path.join(sys.prefix, "pyvenv.cfg")]
    for folder in _site_folders():
        found += [os.path.join(folder, "sitecustomize.py"), os.path.join(folder, "usercustomize.py")]
    return tuple(_glob_literal(path) if not path.endswith("/**") else _glob_literal(path[:-3]) + "/**"
                 for path in found)


def _startup_patterns() -> tuple[str, ...]:
    """``*.pth`` files in the interpreter's site-packages: Python runs their import lines at every
    start, the hook's included."""
    return tuple(_glob_literal(folder) + "/*.pth" for folder in _site_folders())


PROTECTIONS: tuple[Protection, ...] = (
    Protection("policy-and-log", "blastshield's policy, audit log and state in the workspace",
               ("${WORKSPACE}/.blastshield/**", "**/.blastshield/policy.toml",
                "**/.blastshield/audit.db*")),
    Protection("signing-keys", "blastshield's signing keys and user configuration",
               ("~/.config/blastshield/**",), reads_too=True),
    Protection("host-config", "every agent host's hook and permission configuration",
               ("**/.claude/settings.json", "**/.claude/settings.local.json",
                "**/.claude/settings*.json", "**/.cursor/hooks.json", "**/.gemini/settings.json",
                "**/.codex/**", "**/.mcp.json", "**/.cursor/mcp.json",
                "/etc/claude-code/**", "/etc/cursor/**")),
    Protection("git-hooks", "git hooks and git configuration (code that runs on git commands)",
               ("**/.git/hooks/**", "**/.git/config", "**/.git/config.worktree", "**/.git/commondir",
                "**/.git/modules/**/hooks/**", "**/.git/modules/**/config", "~/.gitconfig",
                "~/.config/git/**")),
    Protection("shell-startup", "shell start-up files (code that runs in every new shell)",
               ("**/.bashrc", "**/.bash_profile", "**/.bash_login", "**/.bash_logout",
                "**/.profile", "**/.zshrc", "**/.zshenv", "**/.zprofile", "**/.zlogin",
                "**/.kshrc", "~/.config/fish/**", "/etc/profile", "/etc/profile.d/**",
                "/etc/bash.bashrc", "/etc/zsh/**", "/etc/environment")),
    Protection("blastshield-install", "blastshield's own installed code and the Python that runs its hooks",
               _install_patterns()),
    # Hooks only: `run` would walk the whole site-packages folder for these at every start (a
    # sandboxed `pip install` may also need to write one); docs/sandbox.md says what that leaves.
    Protection("python-startup", "Python start-up files (.pth) of the interpreter that runs the hooks",
               _startup_patterns(), in_sandbox=False),
)


def _expand(pattern: str, workspace: str, home: str) -> str:
    return pattern.replace("${WORKSPACE}", workspace).replace("~", home, 1) \
        if pattern.startswith("~") else pattern.replace("${WORKSPACE}", workspace)


def protection_for(path: str, *, writing: bool, workspace: str,
                   extra: tuple[str, ...] = ()) -> tuple[Protection, str] | None:
    """The protection (and matching pattern) that forbids touching ``path``, if any.

    ``extra`` adds resolved paths that belong to this deployment (the policy file and the
    audit store when they live outside the workspace).
    """
    home = home_dir()
    # one match decides a miss: a "**" pattern matching path.lstrip("/") also matches path
    # (its regex begins with ".*" or "(?:.*/)?"), so the combined regex is a superset test
    if _combined(writing, workspace, home).fullmatch(path) is not None:
        for protection in PROTECTIONS:  # which one: only walked on a hit
            if not writing and not protection.reads_too:
                continue
            for pattern in protection.patterns:
                if path_matches(_expand(pattern, workspace, home), path):
                    return protection, pattern
    if writing:
        for item in extra:
            if path == item or path.startswith(item + "-") or is_within(path, item):
                return PROTECTIONS[0], item
    return None


@functools.lru_cache(maxsize=64)
def _combined(writing: bool, workspace: str, home: str) -> re.Pattern[str]:
    """One regex for every protection that applies: a miss (the common case) costs one match."""
    parts = [glob_to_regex(_expand(pattern, workspace, home))
             for protection in PROTECTIONS if writing or protection.reads_too
             for pattern in protection.patterns]
    import re  # the hooks' decisions only: `run` plans without it

    return re.compile("|".join(f"(?:{part})" for part in parts), re.DOTALL)


def unreadable_below(folder: str, workspace: str) -> tuple[Protection, str] | None:
    """A protection that forbids reading something strictly inside ``folder`` (so a program that
    reads the whole tree would read it): the protection and its pattern, or None."""
    home = home_dir()
    for protection in PROTECTIONS:
        if protection.reads_too:
            for pattern in protection.patterns:
                prefix, _ = literal_prefix(_expand(pattern, workspace, home))
                if prefix != folder and is_within(prefix, folder):
                    return protection, pattern
    return None


def protected_below(folder: str, workspace: str, extra: tuple[str, ...],
                    budget: int) -> tuple[tuple[Protection, str] | None, str, bool]:
    """A protection that forbids writing something inside ``folder`` (so deleting, moving or
    overwriting the folder as a whole changes it): (protection and pattern, the path, True), or
    (None, "", complete) where ``complete`` is False when the folder had more than ``budget``
    entries to search. Anchored patterns count whether or not their path exists."""
    home = home_dir()
    rules: list[tuple[str, Any]] = []
    for protection in PROTECTIONS:
        for pattern in protection.patterns:
            expanded = _expand(pattern, workspace, home)
            prefix, _ = literal_prefix(expanded)
            if prefix != folder and is_within(prefix, folder):
                return (protection, pattern), prefix, True
            rules.append((expanded, (protection, pattern)))
    for item in extra:
        if item != folder and is_within(item, folder):
            return (PROTECTIONS[0], item), item, True
    from blastshield.policy.fswalk import find_first

    found, complete = find_first([folder], rules, budget)
    if found is None:
        return None, "", complete
    path, (_, hit) = found
    return hit, path, True


def catastrophic_delete(path: str, workspace: str) -> bool:
    """Deleting ``/``, home, the workspace or one of its ancestors."""
    home = home_dir()
    if path in ("/", home):
        return True
    return is_within(workspace, path) or os.path.dirname(path) == "/"
