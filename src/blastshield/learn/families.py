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
    # reading the repository's history reads files under .git, inside the workspace
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


PACKAGES_FAMILY = "inspect installed packages (read-only)"
RUNNERS_FAMILY = "run the project's own code (tests, checks, declared scripts)"
_PACKAGE_QUERIES = ("pip list *", "pip show *", "pip check *", "pip freeze *", "pip3 list *", "pip3 show *",
                    "python -m pip list *", "python -m pip show *", "python -m pip check *", "npm ls *")


def family_why(name: str) -> str:
    """Why granting the family whole adds no reach (shown next to it)."""
    if name == RUNNERS_FAMILY:
        return "a test runner that was seen already runs the repository's code; the OS sandbox bounds it"
    if name == PACKAGES_FAMILY:
        return "read-only queries about installed packages"
    return "they reach no further than the [files] rules"


_QUERY_WORDS = (("list",), ("show",), ("freeze",), ("ls",), ("view",), ("outdated",))


def families_for(workspace: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """Every family for this workspace: the fixed ones, package queries, and the project's runners.

    Running one of the project's tests, checks or declared scripts already runs code from the
    repository (which the agent can edit), so the others add no reach; the OS sandbox is what
    bounds that code. Those members are taken from what `blastshield init` detects for this
    repository (its test runners, checkers and package.json scripts). Unlock "seen": a member
    was observed.
    """
    out = dict(FAMILIES)
    out[PACKAGES_FAMILY] = (_PACKAGE_QUERIES, "seen")
    runners = project_runners(workspace)
    if runners:
        out[RUNNERS_FAMILY] = (runners, "seen")
    return out


def project_runners(workspace: str) -> tuple[str, ...]:
    from blastshield.learn.generalise import Refusal, command_pattern
    from blastshield.policy.template import detect

    profile = detect(workspace)
    out: list[str] = []
    for rule in (*profile.test_commands, *profile.allow):
        tokens = tuple(rule.split())
        if tokens[-1:] == ("*",):
            tokens = tokens[:-1]
        query = tokens[:1] in (("pip",), ("npm",)) and tokens[1:2] in _QUERY_WORDS
        if not tokens or query or "--version" in tokens or tokens == ("npm", "run"):
            continue  # package queries have their own family; scripts are listed one by one
        if isinstance(command_pattern(tokens), Refusal):
            continue
        out.append(" ".join(tokens) + " *")
    return tuple(dict.fromkeys(out))


def command_families(observed: set[str], reads_workspace: bool, writes_workspace: bool,
                     workspace: str) -> dict[str, tuple[str, ...]]:
    """Families (name → members) unlocked by the workspace grants or by an observed member."""
    from blastshield.policy.match import command_matches, split_command_pattern

    seen = [tuple(t for t in split_command_pattern(p) if t != "*") for p in observed]
    out: dict[str, tuple[str, ...]] = {}
    for name, (members, unlock) in families_for(workspace).items():
        unlocked = (unlock == "read" and (reads_workspace or writes_workspace)) or (
            unlock == "write" and writes_workspace)
        if unlocked or any(command_matches(split_command_pattern(m), s) for m in members for s in seen if s):
            out[name] = members
    return out


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
