""".gitignore rules as ripgrep (and the hosts' Grep tools, which run it) apply them to a search: the
part of them that can be modelled exactly.

ripgrep leaves out what ``.gitignore`` files name when it searches inside a git repository
(a ``.git`` at or above the folder). Getting that wrong one way hides a read from the policy,
so only what is certain narrows the search; everything else makes it cover more:

- rules that name an entry by its name anywhere below the file's folder (``node_modules/``,
  ``*.log``, ``dist``) are applied, ``/`` at the end meaning folders only;
- rules with a ``/`` elsewhere (anchored or path rules), ``**``, escapes or ``[^...]`` are not;
- a ``.gitignore`` holding a negation (``!keep.pem``) contributes nothing below its folder, nor
  do the rules of the folders above it there (a negation can bring back what they left out);
- ``.ignore`` and ``.rgignore`` files, which may bring back what ``.gitignore`` leaves out, stop the
  modelling for the whole search (:attr:`IgnoreWalk.overridden`), as ripgrep's ``--no-ignore``
  and ``-u`` do (the shell analysis then records no ``gitignore`` filter at all);
- ``.gitignore`` files above the searched folder, ``.git/info/exclude`` and the global excludes
  file are not read (each could only leave out more).

tests/policy/test_policy_treefilter.py checks the model against real ``rg --files`` runs.
"""

from __future__ import annotations

import os

from blastshield.paths import ancestors

TYPE_CHECKING = False  # typing only for mypy: the hooks import this module
if TYPE_CHECKING:
    from collections.abc import Callable

#: Files whose rules may bring back what ``.gitignore`` leaves out.
OVERRIDE_FILES = (".ignore", ".rgignore")

Rules = tuple[tuple[str, bool], ...]  # (glob on the entry's name, folders only)


def in_repository(folder: str) -> bool:
    """Is ``folder`` inside a git repository (ripgrep applies ``.gitignore`` only there)?"""
    return any(os.path.lexists(os.path.join(f, ".git")) for f in ancestors(os.path.abspath(folder)))


def overridden_above(folder: str) -> bool:
    """Does an ``.ignore``/``.rgignore`` stand in ``folder``'s parents up to the repository's root
    (ripgrep reads those too)? A folder holding ``.git`` is the root: nothing above counts."""
    for index, current in enumerate(ancestors(os.path.abspath(folder))):
        if index and any(os.path.lexists(os.path.join(current, name)) for name in OVERRIDE_FILES):
            return True
        if os.path.lexists(os.path.join(current, ".git")):
            return False
    return False


def parse(text: str) -> Rules | None:
    """The modelled rules of one ``.gitignore``; None when it holds a negation."""
    rules: list[tuple[str, bool]] = []
    for raw in text.splitlines():
        line = raw.rstrip(" ")
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            return None
        if "\\" in line or "[^" in line or "**" in line:
            continue
        folders_only = line.endswith("/")
        body = line.rstrip("/") if folders_only else line
        if not body or "/" in body:
            continue
        rules.append((body, folders_only))
    return tuple(rules)


class IgnoreWalk:
    """The ``.gitignore`` rules in force in each folder of one search."""

    __slots__ = ("_match", "overridden")

    def __init__(self) -> None:
        self.overridden = False  # an .ignore/.rgignore was met: the model does not hold
        from fnmatch import fnmatchcase  # the hooks have re loaded already

        self._match: Callable[[str, str], bool] = fnmatchcase

    def rules_in(self, folder: str, inherited: Rules, names: set[str]) -> Rules:
        """The rules for the entries of ``folder`` (whose entry ``names`` the walk has read): those
        above it plus its own ``.gitignore``'s."""
        if any(name in names for name in OVERRIDE_FILES):
            self.overridden = True
        if ".gitignore" not in names:
            return inherited
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                own = parse(handle.read(1 << 20))
        except OSError:
            return inherited
        if own is None:
            return ()
        return inherited + own

    def ignores(self, rules: Rules, name: str, is_dir: bool) -> bool:
        match = self._match
        return any((is_dir or not folders_only) and match(name, glob) for glob, folders_only in rules)
