"""Offline name checks against the bundled lists of popular PyPI and npm packages.

A name that is itself popular is fine. Otherwise we look for the popular name it may
imitate: a separator confusion (``python_dateutil`` vs ``pythondateutil``), a prefix or
suffix added or dropped (``python-requests``, ``lodash-js``, ``dateutil``), or a small
edit (one character for names of 5-7 characters, two for longer ones; transpositions
count as one). Neighbours are the symmetric-delete neighbourhood (names sharing the name or
one of its single-character deletions with themselves or one of theirs): every neighbour at
distance 1 and those at distance 2 reachable by one edit on each side, generated from the
queried name and looked up; the distance is then checked exactly.
"""

from __future__ import annotations

import functools
import os
import re

from blastshield.scan.deps_manifests import PYPI
from blastshield.values import FrozenValue

PREFIXES = ("python-", "python3-", "py-", "node-", "js-", "npm-")
SUFFIXES = ("-python", "-python3", "-py", "-py3", "-js", ".js", "-node", "-npm", "-lib")
_SEPARATORS = re.compile(r"[-_.]+")


class Lookalike(FrozenValue):
    __slots__ = ("distance", "kind", "target", "target_rank")
    kind: str  # "separator" | "affix" | "typo"
    target: str  # the popular name it resembles
    target_rank: int  # 1 = most downloaded
    distance: int  # edit distance (0 for separator/affix confusions)

    def __init__(self, kind: str, target: str, target_rank: int, distance: int) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "target_rank", target_rank)
        object.__setattr__(self, "distance", distance)

    def describe(self) -> str:
        how = {"separator": "differs only in separators from",
               "affix": "adds or drops a prefix/suffix of",
               "typo": f"is {self.distance} edit{'s' if self.distance > 1 else ''} away from"}[self.kind]
        return f"{how} the popular package '{self.target}' (rank {self.target_rank})"


def normalize(name: str, ecosystem: str) -> str:
    """Registry identity: PEP 503 for PyPI (case and -_. runs fold), lower case for npm."""
    if ecosystem == PYPI:
        return _SEPARATORS.sub("-", name).lower()
    return name.lower()


@functools.cache
def _listing(ecosystem: str) -> tuple[str, int]:
    """The bundled list's text after a newline (so every name sits between two), and the number of
    header lines before the first name (rank = line number after the header)."""
    filename = "popular-pypi.txt" if ecosystem == PYPI else "popular-npm.txt"
    folder = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    with open(os.path.join(folder, "data", filename), encoding="utf-8") as handle:
        text = handle.read()
    header = start = 0
    while text.startswith("#", start):
        header, start = header + 1, text.index("\n", start) + 1
    return "\n" + text, header


@functools.cache
def popular(ecosystem: str) -> dict[str, int]:
    """Popular names of an ecosystem → rank (1 = most downloaded), from the bundled list."""
    text = _listing(ecosystem)[0]
    names = [line.strip() for line in text.splitlines() if line and not line.startswith("#")]
    ranks = dict(zip(names, range(1, len(names) + 1), strict=True))  # one C-level pass
    if len(ranks) != len(names):  # a name listed twice keeps its first (best) rank
        ranks = {}
        for name in names:
            ranks.setdefault(name, len(ranks) + 1)
    return ranks


def rank(name: str, ecosystem: str) -> int | None:
    """The name's rank in the bundled list, or None when it is not listed.

    Found in the list's text (one line per name, no repeats: scripts/gen_popular_packages.py
    writes it so and a test keeps it so) without building :func:`popular`'s dict (~7 ms): the
    write-time scan of one file asks about a handful of imports."""
    key = normalize(name, ecosystem)
    if not key or key.strip() != key or "\n" in key or key.startswith("#"):
        return None
    text, header = _listing(ecosystem)
    at = text.find("\n" + key + "\n")
    return None if at < 0 else text.count("\n", 0, at) + 1 - header


def _squash(name: str) -> str:
    """``name`` without separators (as ``_SEPARATORS.sub("", name)``, several times faster)."""
    return name.replace("-", "").replace("_", "").replace(".", "")


@functools.cache
def _separator_index(ecosystem: str) -> dict[str, str]:
    """Popular names by their squashed form; where several squash alike, the best-ranked one."""
    names = list(popular(ecosystem))  # most popular first
    # built from the end, so the best-ranked of names that squash alike is written last and kept
    return dict(zip(reversed([_squash(name) for name in names]), reversed(names), strict=True))


@functools.cache
def _alphabet(ecosystem: str) -> str:
    """Every character some popular name has: what an insertion into a name may add."""
    return "".join(sorted(set("".join(popular(ecosystem)))))


def _neighbours(key: str, ranks: dict[str, int], alphabet: str) -> set[str]:
    """Popular names that share ``key`` or one of its single deletions with themselves or one of theirs
    (the symmetric-delete neighbourhood): a deletion of ``key``, ``key`` with one character inserted,
    or a deletion of ``key`` with one inserted. Generated from ``key`` and looked up, rather than
    indexing every popular name's deletions (~40 ms a process for a single query)."""
    deletions = {key[:i] + key[i + 1:] for i in range(len(key))}
    found = {d for d in deletions if d in ranks}
    for base in (key, *deletions):
        for i in range(len(base) + 1):
            head, tail = base[:i], base[i:]
            found.update(grown for c in alphabet if (grown := head + c + tail) in ranks)
    return found  # never key itself: lookalike() returns before this for popular names


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Levenshtein + adjacent transposition), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_distance(name: str) -> int:
    core = len(name)
    if core < 5:
        return 0
    return 1 if core <= 7 else 2


def _affix_target(key: str, ranks: dict[str, int]) -> str | None:
    for prefix in PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in ranks:
            return key[len(prefix):]
    for suffix in SUFFIXES:
        if key.endswith(suffix) and key[:-len(suffix)] in ranks:
            return key[:-len(suffix)]
    for prefix in PREFIXES:  # the popular name carries the affix; this one dropped it
        if prefix + key in ranks:
            return prefix + key
    for suffix in SUFFIXES:
        if key + suffix in ranks:
            return key + suffix
    return None


@functools.cache
def lookalike(name: str, ecosystem: str) -> Lookalike | None:
    """The popular package ``name`` seems to imitate, or None (also None for popular names)."""
    ranks = popular(ecosystem)
    key = normalize(name, ecosystem)
    if key in ranks:
        return None
    squashed = _squash(key)
    target = _separator_index(ecosystem).get(squashed)
    if target is not None and target != key:
        return Lookalike("separator", target, ranks[target], 0)
    target = _affix_target(key, ranks)
    if target is not None and len(target) >= 3:
        return Lookalike("affix", target, ranks[target], 0)
    limit = _allowed_distance(key)
    if not limit:
        return None
    candidates = _neighbours(key, ranks, _alphabet(ecosystem))
    best: tuple[int, int, str] | None = None
    for other in candidates:
        distance = osa_distance(key, other, limit)
        if distance <= limit and _allowed_distance(other) and (
                best is None or (distance, ranks[other]) < best[:2]):
            best = (distance, ranks[other], other)
    if best is None:
        return None
    return Lookalike("typo", best[2], best[1], best[0])
