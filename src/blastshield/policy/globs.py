"""Path globs: what they mean, as a regex, and matched without one.

A glob is read into tokens once (:func:`tokens`); the tokens give its regex
(:func:`glob_to_regex`, the reference meaning every other use follows), the plain text
every match contains (:func:`required_text`) and a matcher that needs no regex
(:func:`fullmatch`). ``blastshield run`` matches the anywhere-globs of its file-system
plan with that matcher, so its start-up never imports ``re`` (with ``enum``, which ``re``
imports, about 4-10 ms of every run on a small VM). The hooks keep the compiled, combined
regexes of ``policy.match``. tests/policy/test_policy_globs.py checks the two agree on
many generated globs and paths.

The meaning: ``**`` spans folders and ``*``, ``?`` do not. ``**/`` matches any run of
whole folders, none included; a final ``/**`` matches the folder itself and everything
below it; ``[...]`` is a character class (``[!...]`` negated, a ``]`` first in it is one
of its characters). Everything else matches itself.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing only for mypy: `run` and the hooks import this module at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

SPECIAL = "*?["

# Token kinds (small ints: compared on every step of a match).
LITERAL, STAR, ONE, CLASS, ANY, FOLDERS, BELOW = range(7)
_REGEX = {STAR: "[^/]*", ONE: "[^/]", ANY: ".*", FOLDERS: "(?:.*/)?", BELOW: "(?:/.*)?"}
# What ``re.escape`` escapes (Python 3.7 and later).
_ESCAPED = {ord(c): "\\" + c for c in "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}

Token = tuple[int, str]
_TOKENS: dict[str, tuple[Token, ...]] = {}
_PREFIXES: dict[str, tuple[str, str]] = {}
_REQUIRED: dict[str, str] = {}


def escape(text: str) -> str:
    """``re.escape(text)``, without importing ``re``."""
    return text.translate(_ESCAPED)


def tokens(pattern: str) -> tuple[Token, ...]:
    """The glob as (kind, text) tokens; ``text`` is the literal's text or the class body (``!``
    already turned into ``^``). Raises ValueError on an unterminated or empty class."""
    found = _TOKENS.get(pattern)
    if found is None:
        found = _read(pattern)
        if len(_TOKENS) > 4096:
            _TOKENS.clear()
        _TOKENS[pattern] = found
    return found


def _read(pattern: str) -> tuple[Token, ...]:
    out: list[Token] = []
    i, n = 0, len(pattern)
    tail_star = pattern.endswith("/**")
    while i < n:
        c = pattern[i]
        if pattern.startswith("/**", i) and i + 3 == n:
            out.append((BELOW, ""))
            i += 3
        elif pattern.startswith("**/", i):
            out.append((FOLDERS, ""))
            i += 3
        elif pattern.startswith("**", i):
            out.append((ANY, ""))
            i += 2
        elif c == "*":
            out.append((STAR, ""))
            i += 1
        elif c == "?":
            out.append((ONE, ""))
            i += 1
        elif c == "[":
            start = i + 2 if pattern[i + 1: i + 2] == "!" else i + 1
            if pattern[start: start + 1] == "]":  # a "]" first in the class is one of its characters
                start += 1
            j = pattern.find("]", start)
            if j < 0:
                raise ValueError("unterminated '[' character class")
            body = pattern[i + 1: j]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append((CLASS, body))
            i = j + 1
        else:  # plain characters, up to the next special piece
            stop = i + 1
            while stop < n and pattern[stop] not in SPECIAL:
                stop += 1
            if tail_star and i < n - 3 < stop:
                stop = n - 3  # the "/" of a final "/**"
            out.append((LITERAL, pattern[i:stop]))
            i = stop
    return tuple(out)


def glob_to_regex(pattern: str) -> str:
    """The glob's regex (to be matched whole, with ``re.DOTALL``). Raises ValueError on an
    unterminated class."""
    return "".join(escape(text) if kind == LITERAL else
                   "[" + text.replace("\\", "\\\\") + "]" if kind == CLASS else _REGEX[kind]
                   for kind, text in tokens(pattern))


def required_text(pattern: str) -> str:
    """The longest run of plain characters in a glob: every path the glob matches contains it
    (wildcards, classes and ``**`` pieces sit between such runs; plain characters match only
    themselves). Raises ValueError on an unterminated class."""
    best = _REQUIRED.get(pattern)
    if best is None:
        best = run = ""
        for kind, text in tokens(pattern):
            run = run + text if kind == LITERAL else ""
            if len(run) > len(best):
                best = run
        if len(_REQUIRED) > 4096:
            _REQUIRED.clear()
        _REQUIRED[pattern] = best
    return best


def literal_prefix(pattern: str) -> tuple[str, str]:
    """Split an absolute glob into its literal folder prefix and the glob remainder."""
    found = _PREFIXES.get(pattern)
    if found is None:
        parts = pattern.split("/")
        found = pattern, ""
        for index, part in enumerate(parts):
            if any(ch in part for ch in SPECIAL):
                found = "/".join(parts[:index]) or "/", "/".join(parts[index:])
                break
        if len(_PREFIXES) > 4096:
            _PREFIXES.clear()
        _PREFIXES[pattern] = found
    return found


def fullmatch(pattern: str, path: str) -> bool:
    """Does the whole of ``path`` match the glob (what ``re.fullmatch`` of its regex with
    ``re.DOTALL`` says)? Without a regex unless the glob has a character class."""
    found = tokens(pattern)
    if any(kind == CLASS for kind, _ in found):
        return _regex_fullmatch(pattern, path)
    return _match(found, path)


def path_matches(pattern: str, path: str) -> bool:
    """``policy.match.path_matches`` without a regex: ``**`` globs match relative paths too."""
    if pattern.startswith("**"):
        return fullmatch(pattern, path.lstrip("/")) or fullmatch(pattern, path)
    return fullmatch(pattern, path)


def _match(found: tuple[Token, ...], path: str) -> bool:
    """Backtracking over the tokens, each (token, position) tried once."""
    end, last = len(path), len(found)
    failed: set[tuple[int, int]] = set()

    def at(k: int, i: int) -> bool:
        while True:
            if k == last:
                return i == end
            if (k, i) in failed:
                return False
            kind, text = found[k]
            if kind == LITERAL:
                if not path.startswith(text, i):
                    break
                k, i = k + 1, i + len(text)
                continue
            if kind == ONE:
                if i >= end or path[i] == "/":
                    break
                k, i = k + 1, i + 1
                continue
            if kind == BELOW:  # (?:/.*)? at the very end
                return i == end or path[i] == "/"
            if kind == STAR:
                stop = path.find("/", i)
                candidates: range | list[int] = range(i, end + 1 if stop < 0 else stop + 1)
            elif kind == ANY:
                candidates = range(i, end + 1)
            else:  # FOLDERS: nothing, or up to and including any later "/"
                candidates = [i, *(j + 1 for j in range(i, end) if path[j] == "/")]
            if any(at(k + 1, j) for j in candidates):
                return True
            break
        failed.add((k, i))
        return False

    return at(0, 0)


_COMPILED: dict[str, Callable[[str], object]] = {}


def _regex_fullmatch(pattern: str, path: str) -> bool:
    matcher = _COMPILED.get(pattern)
    if matcher is None:
        import re  # only globs with a character class need it

        matcher = re.compile(glob_to_regex(pattern), re.DOTALL).fullmatch
        if len(_COMPILED) > 1024:
            _COMPILED.clear()
        _COMPILED[pattern] = matcher
    return matcher(path) is not None
