"""The search of a tree for the paths that anywhere-globs (``**/.env``) name.

Two users: ``run``'s file-system plan (sandbox/fsplan.py) searches the user's trees on every
start, and the hooks search the folder a tree reader (``grep -r``, ``tar``, the Grep tool) is
given (policy/decide.py). They hand over lists of rules (a glob and what its match becomes);
every entry below the roots is tested, and for each list the first rule (in list order) whose
glob matches it wins, as ``path_matches`` decides (a directory also as ``path + "/"``). Speed
matters: a workspace can hold many thousands of entries.

- A rule is tried only on paths that hold its ``required_text`` (a run of plain characters every
  match contains): for nearly every entry that is one substring test per rule, and no match.
- Globs are matched by ``policy.globs`` without a regex (``run`` starts without importing
  ``re``); tests/policy/test_policy_fswalk.py checks the result against ``path_matches``.
"""

from __future__ import annotations

import os

from blastshield.policy.globs import path_matches, required_text

TYPE_CHECKING = False  # typing only for mypy: `run` imports this module at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from blastshield.policy.ignorefiles import IgnoreWalk, Rules
    from blastshield.policy.treefilter import TreeFilter

    Rule = tuple[str, Any]  # a glob and what a match becomes (for fsplan: a mount kind and why)


class RuleList:
    """One list of rules; :meth:`first` is the first rule matching a path, if any."""

    __slots__ = ("_checks", "rules")

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._checks = [(required_text(rule[0]), rule) for rule in rules]

    def first(self, path: str, is_dir: bool) -> Rule | None:
        text = path + "/" if is_dir else path  # holds path, and path.lstrip("/") for ** globs
        for required, rule in self._checks:
            if required in text and (path_matches(rule[0], path)
                                     or (is_dir and path_matches(rule[0], text))):
                return rule
        return None


def walk(roots: list[str], lists: tuple[list[Rule], ...],
         budget: int) -> tuple[list[list[tuple[str, Rule]]], bool]:
    """For each rule list, (path, first matching rule) for every entry below ``roots`` that one of
    its rules matches; and False when the walk stopped after ``budget`` entries (what was found by
    then is returned all the same)."""
    resolvers = [RuleList(rules) for rules in lists]
    found: list[list[tuple[str, Rule]]] = [[] for _ in lists]
    for seen, (path, is_dir) in enumerate(entries(roots), start=1):
        if seen > budget:
            return found, False
        for resolver, out in zip(resolvers, found, strict=True):
            if resolver.rules and (rule := resolver.first(path, is_dir)) is not None:
                out.append((path, rule))
    return found, True


def find_first(roots: list[str], rules: list[Rule], budget: int, only: TreeFilter | None = None,
               links: list[str] | None = None) -> tuple[tuple[str, Rule] | None, bool]:
    """The first entry below ``roots`` (walk order) that one of ``rules`` matches, with the first
    such rule; and False when the search gave up after ``budget`` entries without finding one.
    ``only``: the entries a tree reader reads (folders it does not enter are not searched);
    ``links`` collects the symbolic links met on the way (their targets are not walked here)."""
    resolver = RuleList(rules)
    for seen, (path, is_dir) in enumerate(read_entries(roots, only, links), start=1):
        if seen > budget:
            return None, False
        if (rule := resolver.first(path, is_dir)) is not None:
            return (path, rule), True
    return None, True


def read_entries(roots: list[str], only: TreeFilter | None = None,
                 links: list[str] | None = None) -> Iterator[tuple[str, bool]]:
    """The entries a tree reader reads below ``roots``: :func:`entries`, narrowed by ``.gitignore``
    files when ``only`` says the reader honours them. An ``.ignore``/``.rgignore`` met on the way
    may bring back what they leave out: then the whole tree is walked again, without them."""
    ignore = _ignore_walk(roots, only)
    yield from entries(roots, only, links, ignore)
    if ignore is not None and ignore.overridden:
        if links is not None:
            links.clear()
        yield from entries(roots, only, links)


def _ignore_walk(roots: list[str], only: TreeFilter | None) -> IgnoreWalk | None:
    if only is None or not only.gitignore:
        return None
    from blastshield.policy import ignorefiles

    if not all(ignorefiles.in_repository(r) and not ignorefiles.overridden_above(r) for r in roots):
        return None
    return ignorefiles.IgnoreWalk()


def _points_to_folder(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError:
        return False


def entries(roots: list[str], only: TreeFilter | None = None, links: list[str] | None = None,
            ignore: IgnoreWalk | None = None) -> Iterator[tuple[str, bool]]:
    """Every entry below ``roots`` (depth first, symlinks not followed) and whether it is a folder;
    with ``only``, the files it reads and the folders it enters (``ignore``: as ``.gitignore``
    files narrow them); ``links`` collects the symlinks."""
    stack: list[tuple[str, Rules]] = [(root, ()) for root in reversed(roots)]
    while stack:
        top, inherited = stack.pop()
        try:
            with os.scandir(top) as it:
                listing = list(it)
        except OSError:
            continue
        rules = ignore.rules_in(top, inherited, {e.name for e in listing}) if ignore else ()
        for entry in listing:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            link = entry.is_symlink()
            if only:
                name = entry.name
                # A link to a folder is a folder to a reader that follows it: file filters
                # (grep --include) do not leave it out.
                as_dir = is_dir or (link and only.follows > 0 and _points_to_folder(entry.path))
                ignored = ignore is not None and ignore.ignores(rules, name, as_dir)
                if not (only.enters(name, ignored) if as_dir else only.reads(name, ignored)):
                    continue
            if links is not None and link:
                links.append(entry.path)
            yield entry.path, is_dir
            if is_dir:
                stack.append((entry.path, rules))
