"""The repository's tracked files: the natural unit of an agent's work in a workspace.

What git tracks is what a person reviews (`git diff`) and can undo (`git checkout`), so a
coding task that edits one tracked file is granted the tracked tree rather than one folder
at a time. The tree is described by its top-level entries (``src/``, ``tests/``,
``README.md``, ...), each becoming one glob. Left out, whatever git says:

- entries whose name starts with a dot (``.github``, ``.husky``, ``.vscode``, ``.npmrc``,
  ``.envrc``, ``.pre-commit-config.yaml``, ...): they configure CI, editors, git and package
  managers — code that runs outside the session, where no one reviews a diff first;
- entries that are secrets (the policy's secret paths) or built-in protections;
- entries that resolve outside the workspace (a tracked symlink to elsewhere).

Dependency manifests and lock files at the top (``package.json``, ``requirements.txt``,
``poetry.lock``, ...) are part of the tree for reading, not for writing: what they declare is
what the next install fetches and runs, so editing them is granted only when it was seen.

No git, not a repository, nothing tracked, or git failing: no tracked tree, and learn grants
only what it saw (fail closed).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from blastshield.paths import is_within
from blastshield.policy.match import path_matches

#: A repository listing that takes longer than this is treated as no listing.
_GIT_TIMEOUT = 15.0
#: Dependency manifests and lock files: what an install fetches (read, but written only when seen).
MANIFESTS = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
    "pnpm-workspace.yaml", "bun.lockb", "bun.lock", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile",
    "Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock", "Cargo.toml", "Cargo.lock", "go.mod", "go.sum",
    "Gemfile", "Gemfile.lock", "composer.json", "composer.lock", "pom.xml", "build.gradle",
    "build.gradle.kts", "environment.yml", "conda-lock.yml"})
_MANIFEST_PATTERN = re.compile(r"(requirements|constraints)[\w.-]*\.(txt|in)")


#: Asked below the top level once the tree is writable: manifests and package-manager configuration
#: inside folders (a monorepo's packages) that the tree's folder globs would otherwise open up.
NESTED_GUARDS = tuple(f"${{WORKSPACE}}/*/**/{name}" for name in (
    "package.json", "setup.py", "pyproject.toml", "requirements*.txt", ".npmrc", ".yarnrc.yml", "pip.conf"))


def is_manifest(name: str) -> bool:
    return name in MANIFESTS or _MANIFEST_PATTERN.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class TrackedTree:
    """Top-level entries of the repository's tracked files, as ``(name, is_folder)``."""

    workspace: str
    entries: tuple[tuple[str, bool], ...]

    def globs(self, *, writing: bool = False) -> list[str]:
        """One glob per entry; for writing, without the dependency manifests."""
        return sorted(f"${{WORKSPACE}}/{name}/**" if folder else f"${{WORKSPACE}}/{name}"
                      for name, folder in self.entries if not (writing and not folder and is_manifest(name)))

    def covers(self, path: str) -> bool:
        """``path`` (resolved) is an entry or lies in one (manifests included)."""
        if not is_within(path, self.workspace) or path == self.workspace:
            return False
        first = os.path.relpath(path, self.workspace).split("/")[0]
        return any(name == first and (folder or path == os.path.join(self.workspace, name))
                   for name, folder in self.entries)


def tracked_files(workspace: str) -> list[str] | None:
    """Paths git tracks below ``workspace`` (relative to it), or None when git cannot say."""
    try:
        proc = subprocess.run(
            # fsmonitor is a command git may run from the repository's configuration: not here
            ["git", "-c", "core.fsmonitor=false", "ls-files", "-z"], cwd=workspace,
            capture_output=True, timeout=_GIT_TIMEOUT, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return [name for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def tracked_tree(workspace: str, refused: tuple[str, ...] = ()) -> TrackedTree | None:
    """The tracked tree of the repository at ``workspace``; ``refused`` are expanded path patterns
    (secrets, protections) whose entries are left out. None when nothing is tracked."""
    names = tracked_files(workspace)
    if not names:
        return None
    top: dict[str, bool] = {}
    for name in names:
        head, sep, _rest = name.partition("/")
        top[head] = top.get(head, False) or bool(sep)
    entries = []
    for name, folder in sorted(top.items()):
        path = os.path.join(workspace, name)
        if name.startswith(".") or name in ("", "..") or not is_within(os.path.realpath(path), workspace):
            continue
        if any(path_matches(p, path) or (folder and path_matches(p, path + "/x")) for p in refused):
            continue
        entries.append((name, folder))
    return TrackedTree(workspace, tuple(entries)) if entries else None


def workspace_tree(workspace: str, home: str) -> TrackedTree | None:
    """The tracked tree with the policy template's secret paths and the built-in protections left out."""
    from blastshield.paths import expand
    from blastshield.policy.builtin import PROTECTIONS
    from blastshield.policy.template import SECRET_PATHS

    patterns = (*SECRET_PATHS, *(p for protection in PROTECTIONS for p in protection.patterns))
    return tracked_tree(workspace, tuple(expand(p, workspace, home) for p in patterns))


def granted_whole(tree: TrackedTree | None, workspace: str, patterns: list[str], *, writing: bool) -> bool:
    """Do the (expanded) ``patterns`` cover every entry of the tracked tree (the whole workspace when
    there is no tree)? Manifests do not count for writing."""
    if tree is None:
        return any(path_matches(p, os.path.join(workspace, "x")) and path_matches(p, workspace + "/.x/y")
                   for p in patterns)
    samples = [os.path.join(workspace, name, "x") if folder else os.path.join(workspace, name)
               for name, folder in tree.entries if not (writing and not folder and is_manifest(name))]
    return bool(samples) and all(any(path_matches(p, s) for p in patterns) for s in samples)
