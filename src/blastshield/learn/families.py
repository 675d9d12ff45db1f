"""Capability families: grants that add no reach beyond what the learned rules already give.

A command whose only effects are file reads and writes cannot reach further than the [files]
rules let it: ``cat``, ``grep`` or ``git diff`` read what [files] read allows, and nothing else.
So once the agent may read (or write) in the workspace, the matching family of such commands
is granted whole, and a session that used ``git status`` is not asked about ``git log``. The
same holds for folders: the project's code and test folders form one family for writes.
Each family is listed by name in the proposal; its members are ordinary explicit rules.
"""

from __future__ import annotations

import os

from blastshield.paths import is_within

#: name → (members, what unlocks it: "read" = any workspace read grant, "write" = any workspace write)
FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {
    "look at files (read-only tools)": ((
        "ls *", "cat *", "head *", "tail *", "wc *", "grep *", "rg *", "tree *", "stat *", "file *", "du *",
        "diff *", "sort *", "uniq *", "cut *", "tr *", "jq *", "pwd *", "echo *", "printf *", "which *",
        "basename *", "dirname *", "realpath *", "readlink *", "true *", "false *", "test *", "date *"),
        "read"),
    "inspect the repository history (read-only git)": ((
        "git status *", "git diff *", "git log *", "git show *", "git blame *", "git rev-parse *",
        "git ls-files *", "git grep *", "git describe *", "git shortlog *"), "read"),
    "record work in local history (git)": ((
        "git add *", "git commit *", "git stash *", "git mv *", "git switch *"), "write"),
}
#: Risky forms of a granted subcommand: they go on the ask list next to the grant.
GUARDS: dict[str, tuple[str, ...]] = {
    "git branch *": ("git branch -D *", "git branch --delete --force *"),
    "git stash *": ("git stash drop *", "git stash clear *"),
    "git reset *": ("git reset --hard *",),
    "git checkout *": ("git checkout -- *", "git checkout -f *", "git checkout --force *"),
    "git restore *": ("git restore . *",),
}
#: Top-level folders that hold a project's code or its tests (plus any Python package folder).
CODE_FOLDERS = frozenset({"src", "lib", "app", "apps", "pkg", "internal", "cmd", "packages", "tests", "test",
                          "spec", "specs", "__tests__", "e2e", "components", "server", "client"})


def command_families(observed: set[str], reads_workspace: bool, writes_workspace: bool) -> list[str]:
    """Families unlocked by an observed member or by the workspace grants."""
    out = []
    for name, (members, unlock) in FAMILIES.items():
        unlocked = (unlock == "read" and (reads_workspace or writes_workspace)) or (
            unlock == "write" and writes_workspace)
        if unlocked or observed.intersection(members):
            out.append(name)
    return out


def family_members(name: str) -> tuple[str, ...]:
    return FAMILIES[name][0]


def guards_for(pattern: str) -> tuple[str, ...]:
    return GUARDS.get(pattern, ())


def code_folder_globs(workspace: str, written: list[str]) -> list[str]:
    """When the agent wrote in one code or test folder, every code and test folder of the project."""
    top = {os.path.relpath(p, workspace).split("/")[0] for p in written if is_within(p, workspace)}
    folders = code_folders(workspace)
    if not top.intersection(folders):
        return []
    return [f"${{WORKSPACE}}/{name}/**" for name in sorted(folders)]


def code_folders(workspace: str) -> set[str]:
    try:
        entries = os.listdir(workspace)
    except OSError:
        return set()
    out = set()
    for name in entries:
        path = os.path.join(workspace, name)
        if not os.path.isdir(path) or name.startswith("."):
            continue
        if name in CODE_FOLDERS or os.path.isfile(os.path.join(path, "__init__.py")):
            out.add(name)
    return out
