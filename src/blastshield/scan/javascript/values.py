"""The abstract value the taint analysis tracks for every expression.

A value has a *level* (how untrusted its origin is), the parameters of the enclosing
function it depends on (for summaries), the sink kinds it has been sanitised for, and
*shapes*: facts about how it was built (an SQL string, a URL with a fixed host, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

CONST = 0  # literals and values built only from literals
UNKNOWN = 1  # not constant, origin unknown (a global, an unknown call's result)
PARAM = 2  # a function parameter, process.argv: a caller may pass anything
REQUEST = 3  # HTTP request data (or the browser's URL): attacker-controlled

ALL = "all"  # sanitised for every sink kind

# Shapes
SQL = "sql"  # a string built from SQL text
FIXED_HOST = "fixed_host"  # a URL whose scheme and host are constant
REQOBJ = "reqobj"  # an HTTP request object (req, ctx, request)
FUNC = "func"  # a function value

_SQL_TEXT = re.compile(
    r"(?is)\b(select\b.+\bfrom|insert\s+into|update\b.+\bset\b|delete\s+from|"
    r"\bwhere\b.+[=<>]|\border\s+by\b|create\s+table|drop\s+table)"
)
_FIXED_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//[^/?#${}]+[/?#]", re.IGNORECASE)
_RELATIVE_PATH = re.compile(r"^/(?![/\\])")


@dataclass(frozen=True, slots=True)
class Taint:
    level: int = CONST
    params: frozenset[int] = field(default_factory=frozenset)
    safe: frozenset[str] = field(default_factory=frozenset)
    shapes: frozenset[str] = field(default_factory=frozenset)
    origin: str = ""

    def join(self, other: Taint) -> Taint:
        if other.level == CONST and not other.params:
            return replace(self, shapes=self.shapes | other.shapes) if other.shapes else self
        if self.level == CONST and not self.params:
            return replace(other, shapes=self.shapes | other.shapes) if self.shapes else other
        top = self if self.level >= other.level else other
        # When one side is more tainted, its sanitisation decides (the other side's lower level
        # is what remains for a sanitised kind; we accept under-reporting that lower level).
        safe = self.safe & other.safe if self.level == other.level else top.safe
        return Taint(top.level, self.params | other.params, safe, self.shapes | other.shapes, top.origin)

    def level_for(self, kind: str) -> int:
        """The level that matters at a sink of ``kind`` (sanitised values count as constant)."""
        if kind in self.safe or ALL in self.safe:
            return CONST
        return self.level

    def params_for(self, kind: str) -> frozenset[int]:
        if kind in self.safe or ALL in self.safe:
            return frozenset()
        return self.params

    def sanitised(self, kinds: frozenset[str]) -> Taint:
        if ALL in kinds:
            return Taint(CONST, shapes=self.shapes - {REQOBJ})
        return replace(self, safe=self.safe | kinds)

    def plain(self) -> Taint:
        """The same data without object shapes (a property or element of it)."""
        if not self.shapes & {REQOBJ, FUNC}:
            return self
        return replace(self, shapes=self.shapes - {REQOBJ, FUNC})

    def at_least(self, level: int) -> Taint:
        return self if self.level >= level else replace(self, level=level)


NONE = Taint()
UNKNOWN_VALUE = Taint(UNKNOWN)


def literal_shapes(literal_text: str, prefix: str | None) -> frozenset[str]:
    """Shapes that the literal parts of a built string give it."""
    shapes: set[str] = set()
    if _SQL_TEXT.search(literal_text):
        shapes.add(SQL)
    if prefix is not None and (_FIXED_HOST.match(prefix) or _RELATIVE_PATH.match(prefix)):
        shapes.add(FIXED_HOST)
    return frozenset(shapes)


def join_all(values: list[Taint]) -> Taint:
    result = NONE
    for value in values:
        result = result.join(value)
    return result
