"""Capability families: grants that add no reach beyond what the learned rules already give.

A family is granted whole only when something already granted makes every member possible
anyway, and each family states that reason next to it:

- file tools (``ls``, ``cat``, ``grep``, ...) read only what their arguments name, and the
  shell analysis judges each of those paths against [files]: once one was seen, the others
  reach nothing more;
- read-only git shows the history of the files the agent may already read: granted when the
  agent may read the whole tracked tree (or a member was seen);
- ``git add`` and ``git commit`` record, in the local repository, changes the agent may already
  make to the tracked tree (``git push`` stays a human decision);
- package queries list what is installed (per ecosystem, once one was seen);
- the project's checks — its test runners, linters, type checkers and local builds — run the
  repository's code and configuration. When the agent may edit the tracked tree, one seen
  check already runs whatever the agent writes, so the others add no reach; without that
  write grant only the checks seen are granted. Declared scripts count only when their name
  says they test, check or build, and their command line reaches no network, deploy or
  publish tool: a ``deploy`` or ``release`` script is not a test runner, nor is a dev server.

Each family is listed by name in the proposal; its members are ordinary explicit rules.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    members: tuple[str, ...]
    unlock: str  # "seen" | "seen or reads" | "seen or writes" | "seen and writes"
    why: str


FILE_TOOLS = Family("look at files (read-only tools)", (
    "ls *", "cat *", "head *", "tail *", "wc *", "grep *", "rg *", "tree *", "stat *", "file *", "du *",
    "diff *", "sort *", "uniq *", "cut *", "jq *", "pwd *", "realpath *", "readlink *"), "seen",
    "one was seen; each reads only the paths it names, judged again against [files]")
GIT_READ = Family("inspect the repository history (read-only git)", (
    "git status *", "git diff *", "git log *", "git show *", "git blame *", "git grep *",
    "git ls-files *", "git rev-parse *"), "seen or reads",
    "the history of files the agent may already read; writes (--output) are judged as writes")
GIT_RECORD = Family("record work in local history (git add, git commit)", (
    "git add *", "git commit *"), "seen or writes",
    "records changes the agent may already make to the tracked tree; git push stays a human decision")
PIP_QUERIES = Family("inspect installed Python packages (read-only)", (
    "pip list *", "pip show *", "pip check *", "pip freeze *", "pip3 list *", "pip3 show *",
    "python -m pip list *", "python -m pip show *", "python -m pip check *"), "seen",
    "read-only queries about installed packages")
NPM_QUERIES = Family("inspect installed npm packages (read-only)", ("npm ls *", "npm explain *"), "seen",
                     "read-only queries about installed packages")
CHECKS_NAME = "run the project's checks (tests, linters, type checkers, local builds)"
CHECKS_WHY = ("the agent may edit the code and configuration every check runs, so one seen check already"
              " runs what it writes; the OS sandbox bounds that code")
#: Risky forms of a granted subcommand: they go on the ask list next to the grant.
GUARDS: dict[str, tuple[str, ...]] = {
    "git branch *": ("git branch -D *", "git branch --delete --force *"),
    "git stash *": ("git stash drop *", "git stash clear *"),
    "git reset *": ("git reset --hard *",),
    "git checkout *": ("git checkout -- *", "git checkout -f *", "git checkout --force *"),
    "git restore *": ("git restore . *",),
}
#: A declared script is a check when its name starts with one of these words...
CHECK_WORDS = frozenset({"test", "tests", "lint", "check", "checks", "typecheck", "types", "type", "format",
                         "fmt", "build", "compile", "coverage", "cov", "e2e", "unit", "spec", "vitest",
                         "jest", "eslint", "prettier", "tsc", "mypy", "ruff", "pytest"})
#: ... and no word of its name or of its command line says it reaches beyond the machine.
OUTWARD_WORDS = frozenset({"deploy", "release", "publish", "push", "upload", "ship", "start", "serve",
                           "server", "dev", "preview", "watch", "migrate", "migration", "seed", "db",
                           "prod", "production", "staging", "docker", "k8s", "install", "postinstall",
                           "preinstall", "prepare", "prepublish", "prepublishonly", "version", "clean",
                           "reset", "sync", "login", "upgrade", "update"})


def family_why(name: str) -> str:
    """Why granting the family whole adds no reach (shown next to it)."""
    if name == CHECKS_NAME:
        return CHECKS_WHY
    known = {f.name: f.why for f in (FILE_TOOLS, GIT_READ, GIT_RECORD, PIP_QUERIES, NPM_QUERIES)}
    return known.get(name, "")


def families_for(workspace: str) -> tuple[Family, ...]:
    """Every family for this workspace: the fixed ones and the project's own checks."""
    fixed = (FILE_TOOLS, GIT_READ, GIT_RECORD, PIP_QUERIES, NPM_QUERIES)
    checks = project_checks(workspace)
    return (*fixed, Family(CHECKS_NAME, checks, "seen and writes", CHECKS_WHY)) if checks else fixed


def project_checks(workspace: str) -> tuple[str, ...]:
    """The checks this repository has: what `blastshield init` detects for it (test runners,
    checkers, make targets), narrowed to checks and local builds, and its declared package.json
    scripts that pass :func:`is_check_script`."""
    from blastshield.learn.generalise import Refusal, command_pattern
    from blastshield.policy.template import detect

    profile = detect(workspace)
    scripts = package_scripts(workspace)
    declared = package_dependencies(workspace)
    out: list[str] = []
    for rule in (*profile.test_commands, *profile.allow):
        tokens = tuple(rule.split())
        if tokens[-1:] == ("*",):
            tokens = tokens[:-1]
        if not tokens or "--version" in tokens or tokens[:2] in _NOT_CHECKS:
            continue  # declared scripts are judged one by one below
        if tokens[0] in ("pip", "pip3") or (tokens[0] == "make" and not _is_check_name(" ".join(tokens[1:]))):
            continue  # package queries have their own family; a bare `make` runs an unknown target
        if set(tokens) & (OUTWARD_WORDS | _DEPENDENCY_WORDS):
            continue  # `go mod tidy` and the like change and fetch dependencies
        if tokens[0] == "npx" and (len(tokens) < 2 or tokens[1] not in declared):
            continue  # npx downloads a tool the project does not declare
        if tokens[0] in _LOCKFILES and not os.path.exists(os.path.join(workspace, _LOCKFILES[tokens[0]])):
            continue  # a package manager this project does not use
        tokens = _NARROWER.get(tokens, tokens)
        if tokens[0] in ("npm", "yarn", "pnpm") and tokens[1:2] == ("test",) and not is_check_script(
                "test", scripts.get("test", "deploy")):
            continue  # no test script, or one that reaches beyond the machine
        if not isinstance(command_pattern(tokens), Refusal):
            out.append(" ".join(tokens) + " *")
    out += [f"npm run {name} *" for name, body in scripts.items() if is_check_script(name, body)]
    return tuple(dict.fromkeys(out))


#: Package managers other than npm count only when the project has their lock file.
_LOCKFILES = {"yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}
#: Detected rules whose checking form is narrower than the whole program.
_NARROWER: dict[tuple[str, ...], tuple[str, ...]] = {("ruff",): ("ruff", "check")}
_DEPENDENCY_WORDS = frozenset({"tidy", "get", "mod", "add", "vendor", "download", "fetch"})
_NOT_CHECKS = (("npm", "run"), ("npm", "ls"), ("npm", "view"), ("npm", "outdated"))


def is_check_script(name: str, body: str) -> bool:
    """A declared script that tests, checks or builds locally (by its name and its command line)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9:._-]*", name) or not _is_check_name(name):
        return False
    from blastshield.learn.generalise import INFRASTRUCTURE, NETWORK_TOOLS, SHELLS

    words = {w.lower().lstrip("-").rsplit("/", 1)[-1] for w in re.split(r"[^A-Za-z0-9_./-]+", body)}
    return not words & (NETWORK_TOOLS | INFRASTRUCTURE | SHELLS | OUTWARD_WORDS)


def _is_check_name(name: str) -> bool:
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    return bool(words) and words[0] in CHECK_WORDS and not set(words) & OUTWARD_WORDS


def package_scripts(workspace: str) -> dict[str, str]:
    data = _package_json(workspace)
    scripts = data.get("scripts")
    if not isinstance(scripts, dict):
        return {}
    return {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}


def package_dependencies(workspace: str) -> set[str]:
    data = _package_json(workspace)
    out: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        table = data.get(key)
        if isinstance(table, dict):
            out.update(k for k in table if isinstance(k, str))
    return out


def _package_json(workspace: str) -> dict[str, object]:
    try:
        with open(os.path.join(workspace, "package.json"), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def command_families(observed: set[str], reads_tree: bool, writes_tree: bool,
                     workspace: str) -> dict[str, tuple[str, ...]]:
    """Families (name → members) unlocked by what was seen (command patterns) and by whether the
    grants cover the whole tracked tree for reading / for writing."""
    from blastshield.policy.match import command_matches, split_command_pattern

    seen = [tuple(t for t in split_command_pattern(p) if t != "*") for p in observed]
    out: dict[str, tuple[str, ...]] = {}
    for family in families_for(workspace):
        member_seen = any(command_matches(split_command_pattern(m), s)
                          for m in family.members for s in seen if s)
        unlocked = {"seen": member_seen, "seen or reads": member_seen or reads_tree or writes_tree,
                    "seen or writes": member_seen or writes_tree,
                    "seen and writes": member_seen and writes_tree}[family.unlock]
        if unlocked:
            out[family.name] = family.members
    return out


def guards_for(pattern: str) -> tuple[str, ...]:
    return GUARDS.get(pattern, ())
