"""Built-in protections: paths the agent may never change, whatever the policy says.

Each protection has a stable id and a docs line (docs/policy.md lists them). Writing
or deleting any of these paths is denied; reading blastshield's signing keys is
denied too. A recursive delete of ``/``, the home folder, the workspace or one of
its ancestors is denied as well.
"""

from __future__ import annotations

import functools
import os
import re

from blastshield.paths import home_dir, is_within
from blastshield.policy.match import glob_to_regex, path_matches
from blastshield.values import FrozenValue


class Protection(FrozenValue):
    __slots__ = ("doc", "id", "patterns", "reads_too")
    id: str
    doc: str
    patterns: tuple[str, ...]  # "~" and "${WORKSPACE}" expanded at check time
    reads_too: bool

    def __init__(self, id: str, doc: str, patterns: tuple[str, ...], reads_too: bool = False) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "doc", doc)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "reads_too", reads_too)


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
               ("**/.git/hooks/**", "**/.git/config", "~/.gitconfig", "~/.config/git/**")),
    Protection("shell-startup", "shell start-up files (code that runs in every new shell)",
               ("**/.bashrc", "**/.bash_profile", "**/.bash_login", "**/.bash_logout",
                "**/.profile", "**/.zshrc", "**/.zshenv", "**/.zprofile", "**/.zlogin",
                "**/.kshrc", "~/.config/fish/**", "/etc/profile", "/etc/profile.d/**",
                "/etc/bash.bashrc", "/etc/zsh/**", "/etc/environment")),
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
    return re.compile("|".join(f"(?:{part})" for part in parts), re.DOTALL)


def catastrophic_delete(path: str, workspace: str) -> bool:
    """Deleting ``/``, home, the workspace or one of its ancestors."""
    home = home_dir()
    if path in ("/", home):
        return True
    return is_within(workspace, path) or os.path.dirname(path) == "/"
