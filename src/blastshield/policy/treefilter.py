"""Which entries below a folder a tree reader reads: its filters, as the shell analysis found them.

A filter is a ``(kind, glob)`` pair on an effect (``Effect.filters``), matched against an
entry's name (never a path: a filter whose glob holds ``/`` is not recorded at all, so the
read counts as reading everything):

- ``include`` / ``exclude`` (grep's ``--include=GLOB`` / ``--exclude=GLOB``): files only. The
  last filter whose glob matches decides; when none matches, the file is read unless the
  first of them is an ``include`` (GNU grep's rule). GNU tar's ``--exclude=GLOB`` is recorded
  as an ``exclude`` and an ``exclude-dir`` (tar leaves out files and folders so named).
- ``exclude-dir`` (grep's ``--exclude-dir=GLOB``): folders not entered.
- ``glob`` / ``iglob`` (ripgrep's ``-g`` / ``--iglob``; ``!GLOB`` excludes): the last matching
  glob decides, for files and folders, and overrides every other rule (a hidden ``.env`` that
  ``-g '*.env'`` names is read); a file no glob matches is read only when every glob excludes.
  ``iglob`` ignores case.
- Hidden entries (``.env``, ``.ssh/``): ripgrep and ag leave them out unless told otherwise
  (``skip_hidden``, which the policy sets from the reader's name, not the analysis).
- ``gitignore``: the reader leaves out what ``.gitignore`` files name (ripgrep's default, and the
  Grep tools'); policy/ignorefiles.py says which of their rules are applied.
- ``follow`` (``grep -R``, ``rg -L``, ``zip -r``, ``cp -L`` ...): the reader follows symbolic
  links; the glob is how many links deep the policy follows them in turn (each target is judged
  as a read of its own).

Mistaking a filter for narrower than it is would hide a read, so the analysis records only
the forms modelled here exactly; anything else (``--exclude-from``, rg's ``-t``, globs with
``/`` or ``{}``) is left out, and the read covers more, not less.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing only for mypy: the hooks import this module
if TYPE_CHECKING:
    from collections.abc import Callable

Filters = tuple[tuple[str, str], ...]


def _matcher() -> Callable[[str, str], bool]:
    from fnmatch import fnmatchcase  # the hooks have re loaded already; `run` never gets here

    return fnmatchcase


class TreeFilter:
    """:meth:`enters` a folder / :meth:`reads` a file, by its name, as the reader would."""

    __slots__ = ("_dirs", "_files", "_globs", "_match", "_skip_hidden", "follows", "gitignore")

    def __init__(self, filters: Filters, skip_hidden: bool = False) -> None:
        self._skip_hidden = skip_hidden
        self.follows = next((int(depth) for kind, depth in filters
                             if kind == "follow" and depth.isdigit()), 0)
        self.gitignore = any(kind == "gitignore" for kind, _ in filters)  # policy.ignorefiles applies
        self._files = [(kind, glob) for kind, glob in filters if kind in ("include", "exclude")]
        self._dirs = [glob for kind, glob in filters if kind == "exclude-dir"]
        self._globs = [(kind == "iglob", glob) for kind, glob in filters if kind in ("glob", "iglob")]
        self._match = _matcher() if (self._files or self._dirs or self._globs) else None

    def __bool__(self) -> bool:
        return self._skip_hidden or self.gitignore or self._match is not None

    def followed(self, filters: Filters) -> Filters:
        """``filters`` for the read of a link's target: one link fewer to follow."""
        return tuple((kind, str(self.follows - 1)) if kind == "follow" else (kind, glob)
                     for kind, glob in filters)

    def enters(self, name: str, ignored: bool = False) -> bool:
        """``ignored``: a ``.gitignore`` rule names the folder (policy.ignorefiles)."""
        if self._globs:  # ripgrep: a matching glob overrides every other rule, hidden files included
            decided = self._by_globs(name)
            if decided is not None:
                return decided
        if ignored:
            return False
        if self._skip_hidden and name.startswith("."):
            return False
        match = self._match
        return match is None or not any(match(name, glob) for glob in self._dirs)

    def reads(self, name: str, ignored: bool = False) -> bool:
        if self._globs:
            decided = self._by_globs(name)
            if decided is not None:
                return decided
            if ignored or (self._skip_hidden and name.startswith(".")):
                return False
            return all(glob.startswith("!") for _, glob in self._globs)  # a whitelist leaves the rest out
        if ignored or (self._skip_hidden and name.startswith(".")):
            return False
        match = self._match
        if match is None or not self._files:
            return True
        verdict = None
        for kind, glob in self._files:
            if match(name, glob):
                verdict = kind == "include"
        return verdict if verdict is not None else self._files[0][0] != "include"

    def _by_globs(self, name: str) -> bool | None:
        """What the last matching rg glob says of ``name`` (True: read), or None."""
        assert self._match is not None
        decided = None
        for fold, glob in self._globs:
            negated = glob.startswith("!")
            body = glob[1:] if negated else glob
            if self._match(name.lower() if fold else name, body.lower() if fold else body):
                decided = not negated
        return decided
