"""The search of the user's trees for the paths that anywhere-globs (``**/.env``) name.

``fsplan`` hands over lists of rules (a glob and what its match becomes); every entry below the
roots is tested, and for each list the first rule (in list order) whose glob matches it wins, as
``path_matches`` decides (a directory also as ``path + "/"``). Speed matters: ``run`` walks the
workspace on every start, and a workspace can hold many thousands of entries.

- Each list has one prefilter regex that every path one of its globs matches also matches
  (``**/`` globs share their ``(?:.*/)?`` prefix). A miss, nearly every entry, costs one match.
- A hit is resolved by one regex whose alternatives are the list's globs in order, each a
  capturing group: the first alternative that matches the whole path is the first rule that
  does (the engine tries alternatives left to right), so its group number names the rule. That
  regex is compiled on the list's first hit only (compiling costs more than walking a small
  workspace).
"""

from __future__ import annotations

import os
import re

from blastshield.policy.match import glob_to_regex, path_matches

TYPE_CHECKING = False  # typing only for mypy: `run` imports this module at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    Rule = tuple[str, Any]  # a glob and what a match becomes (for fsplan: a mount kind and why)


class RuleList:
    """One list of rules; :meth:`first` is the first rule matching a path, if any."""

    __slots__ = ("_prefilter", "_regex", "_tried", "rules")

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._prefilter = prefilter([glob for glob, _ in rules]) if len(rules) > 1 else None
        self._regex: re.Pattern[str] | None = None
        self._tried = False

    def first(self, path: str, is_dir: bool) -> Rule | None:
        if not self.rules:
            return None
        quick = self._prefilter
        if quick is not None and quick.fullmatch(path) is None and \
                not (is_dir and quick.fullmatch(path + "/") is not None):
            return None
        regex = self._compiled()
        if regex is None:  # a glob the regex engine refuses: each is tried on its own (and raises)
            for rule in self.rules:
                if path_matches(rule[0], path) or (is_dir and path_matches(rule[0], path + "/")):
                    return rule
            return None
        match = regex.fullmatch(path)
        index = match.lastindex if match is not None else None
        if is_dir and (other := regex.fullmatch(path + "/")) is not None and \
                (index is None or (other.lastindex or 0) < index):
            index = other.lastindex
        return self.rules[index - 1] if index else None

    def _compiled(self) -> re.Pattern[str] | None:
        # ``path_matches`` also tries ``path.lstrip("/")`` for a ``**`` glob: its regex begins with
        # ``.*`` or ``(?:.*/)?``, which take leading slashes too, so matching ``path`` decides.
        if not self._tried:
            self._tried = True
            try:
                self._regex = re.compile("|".join(f"({glob_to_regex(g)})" for g, _ in self.rules),
                                         re.DOTALL)
            except (ValueError, re.error):
                self._regex = None
        return self._regex


def prefilter(globs: list[str]) -> re.Pattern[str] | None:
    """One regex that every path one of ``globs`` matches also matches; None when one does not
    translate (then every entry is resolved rule by rule)."""
    nested = [glob_to_regex(g[3:]) for g in globs if g.startswith("**/")]
    parts = [f"(?:{glob_to_regex(g)})" for g in globs if not g.startswith("**/")]
    if nested:
        parts.append(f"(?:.*/)?(?:{'|'.join(nested)})")
    try:
        return re.compile("|".join(parts), re.DOTALL)
    except (ValueError, re.error):
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
            if (rule := resolver.first(path, is_dir)) is not None:
                out.append((path, rule))
    return found, True


def entries(roots: list[str]) -> Iterator[tuple[str, bool]]:
    """Every entry below ``roots`` (depth first, symlinks not followed) and whether it is a folder."""
    stack = list(reversed(roots))
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                for entry in it:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    yield entry.path, is_dir
                    if is_dir:
                        stack.append(entry.path)
        except OSError:
            continue
