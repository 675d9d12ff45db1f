"""The search of the user's trees for the paths that anywhere-globs (``**/.env``) name.

``fsplan`` hands over lists of rules (a glob and what its match becomes); every entry below the
roots is tested, and for each list the first rule (in list order) whose glob matches it wins, as
``path_matches`` decides (a directory also as ``path + "/"``). Speed matters: ``run`` walks the
workspace on every start, and a workspace can hold many thousands of entries.

- Each list has one prefilter regex that every path one of its globs matches also matches
  (``**/`` globs share their ``(?:.*/)?`` prefix). A miss, nearly every entry, costs one match.
- A hit is resolved rule by rule with ``path_matches`` itself, skipping the rules whose
  ``required_text`` (a run of plain characters every match contains) the path lacks: only the
  globs that can match are compiled (compiling costs more than walking a small workspace).
"""

from __future__ import annotations

import os
import re

from blastshield.policy.match import glob_to_regex, path_matches, required_text

TYPE_CHECKING = False  # typing only for mypy: `run` imports this module at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    Rule = tuple[str, Any]  # a glob and what a match becomes (for fsplan: a mount kind and why)


class RuleList:
    """One list of rules; :meth:`first` is the first rule matching a path, if any."""

    __slots__ = ("_prefilter", "_required", "rules")

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._prefilter = prefilter([glob for glob, _ in rules]) if len(rules) > 1 else None
        self._required = [required_text(glob) for glob, _ in rules]

    def first(self, path: str, is_dir: bool) -> Rule | None:
        quick = self._prefilter
        if quick is not None and quick.fullmatch(path) is None and \
                not (is_dir and quick.fullmatch(path + "/") is not None):
            return None
        text = path + "/" if is_dir else path  # holds path, and path.lstrip("/") for ** globs
        for rule, required in zip(self.rules, self._required, strict=True):
            if required in text and (path_matches(rule[0], path)
                                     or (is_dir and path_matches(rule[0], path + "/"))):
                return rule
        return None


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
            if resolver.rules and (rule := resolver.first(path, is_dir)) is not None:
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
