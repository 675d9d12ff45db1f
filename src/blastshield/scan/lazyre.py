"""Regular expressions compiled on first use.

The scan modules hold about a hundred module-level patterns; compiling them all at import costs
~20 ms of the write-time scan's start-up, while one file usually needs a dozen (a check whose
names never occur in the file never runs its patterns). ``lazy(pattern, flags)`` takes the place
of ``re.compile(pattern, flags)`` for such constants: the first method call compiles the pattern,
and from then on the methods are the compiled pattern's own (kept in slots: no extra call layer).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, Protocol

    class Regex(Protocol):
        """What the scan modules use of a compiled pattern (``re.Pattern[str]`` has all of it)."""

        @property
        def pattern(self) -> str: ...

        def search(self, string: str, pos: int = ..., endpos: int = ...) -> re.Match[str] | None: ...

        def match(self, string: str, pos: int = ..., endpos: int = ...) -> re.Match[str] | None: ...

        def fullmatch(self, string: str, pos: int = ..., endpos: int = ...) -> re.Match[str] | None: ...

        def finditer(self, string: str, pos: int = ..., endpos: int = ...) -> Iterator[re.Match[str]]: ...

        def findall(self, string: str, pos: int = ..., endpos: int = ...) -> list[Any]: ...

        def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = ...) -> str: ...

__all__ = ["lazy"]  # and, for type checking, Regex

_METHODS = ("findall", "finditer", "fullmatch", "match", "search", "sub")


class _LazyPattern:
    """Stands in for ``re.compile(source, flags)`` until a method is first asked for."""

    __slots__ = ("_flags", "_source", "findall", "finditer", "fullmatch", "match", "search", "sub")
    findall: Callable[..., list[Any]]
    finditer: Callable[..., Iterator[re.Match[str]]]
    fullmatch: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    search: Callable[..., re.Match[str] | None]
    sub: Callable[..., str]

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags

    @property
    def pattern(self) -> str:
        return self._source

    def __getattr__(self, name: str) -> Any:
        # Only reached while a method slot is still empty (or for a name we do not provide).
        if name not in _METHODS:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        compiled = re.compile(self._source, self._flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source!r}, {self._flags!r})"


def lazy(source: str, flags: int = 0) -> Regex:
    """``re.compile(source, flags)``, compiled when first used."""
    return _LazyPattern(source, flags)
