"""What the taint analysis knows about one value: where its data may come from.

A value is a set of ``Origin``s plus whether it was built from pieces by string
formatting. An origin has a kind, ordered by how sure we are that an attacker controls it:

- ``source``: request data, route parameters, command-line arguments, console input,
  network reads — definitely untrusted;
- ``external``: file contents, environment variables, HTTP responses, deserialised data
  — untrusted in many deployments;
- ``param``: a parameter of the function being analysed (untrusted only if a caller
  passes untrusted data; summaries follow that);
- ``unknown``: computed by code we do not see.

Each origin carries the CWEs it was sanitised for (``shlex.quote`` makes a value safe for
78 only, ``int()`` for everything, so ``int()`` simply drops the origins).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not needed at run time; mypy honours this name
if TYPE_CHECKING:
    from typing import Final

SOURCE = "source"
EXTERNAL = "external"
PARAM = "param"
UNKNOWN = "unknown"

# Marker in ``Origin.safe_for``: made safe only by its place in a format string (a %d slot, an SQL
# identifier slot) — not injectable there, but still a statement built by formatting (BS-PY-089-format).
SLOT = -2
# Marker: kept off the host by a fixed scheme://host/ before it, but still choosing the path (BS-PY-918-path).
URL_PATH_SLOT = -3
TEXT_CAP = 2000  # constant text kept per value: enough to recognise SQL, bounded so loops stay cheap


# Origin and Val are made thousands of times per file: plain classes with __slots__ (what
# @dataclass(frozen=True, slots=True) generated, without importing dataclasses and inspect and
# exec'ing the methods at import). Fields are Final: nothing assigns them after __init__.
class Origin:
    __slots__ = ("desc", "kind", "param", "safe_for")
    kind: Final[str]
    desc: Final[str]  # "request parameter 'host'", "parameter 'path'" — never a value
    param: Final[int]  # index of the parameter, for kind == PARAM
    safe_for: Final[frozenset[int]]

    def __init__(self, kind: str, desc: str, param: int = -1, safe_for: frozenset[int] = frozenset()) -> None:
        self.kind = kind
        self.desc = desc
        self.param = param
        self.safe_for = safe_for

    def __eq__(self, other: object) -> bool:
        if type(other) is not Origin:
            return NotImplemented
        return (self.kind, self.desc, self.param, self.safe_for) == (
            other.kind, other.desc, other.param, other.safe_for)

    def __hash__(self) -> int:
        return hash((self.kind, self.desc, self.param, self.safe_for))

    def __repr__(self) -> str:
        return (f"Origin(kind={self.kind!r}, desc={self.desc!r}, param={self.param!r}, "
                f"safe_for={self.safe_for!r})")

    def is_safe_for(self, cwe: int) -> bool:
        return cwe in self.safe_for or -1 in self.safe_for

    def sanitised(self, cwes: frozenset[int]) -> Origin:
        return Origin(self.kind, self.desc, self.param, self.safe_for | cwes)


class Val:
    __slots__ = ("built", "origins", "text")
    origins: Final[frozenset[Origin]]
    built: Final[bool]  # made by f-string, %, .format or + from non-constant pieces
    text: Final[str]  # the constant text we saw (string literals and formatting templates)

    def __init__(self, origins: frozenset[Origin] = frozenset(), built: bool = False, text: str = "") -> None:
        self.origins = origins
        self.built = built
        self.text = text

    def __eq__(self, other: object) -> bool:
        if type(other) is not Val:
            return NotImplemented
        return (self.origins, self.built, self.text) == (other.origins, other.built, other.text)

    def __hash__(self) -> int:
        return hash((self.origins, self.built, self.text))

    def __repr__(self) -> str:
        return f"Val(origins={self.origins!r}, built={self.built!r}, text={self.text!r})"

    def __or__(self, other: Val) -> Val:
        if other.text in self.text:
            text = self.text
        elif self.text in other.text:
            text = other.text
        else:
            text = (self.text + other.text)[:TEXT_CAP]
        return Val(self.origins | other.origins, self.built or other.built, text)

    def sanitised(self, cwes: frozenset[int]) -> Val:
        return Val(frozenset(o.sanitised(cwes) for o in self.origins), self.built, self.text)

    def live_for(self, cwe: int) -> list[Origin]:
        """The origins not sanitised for ``cwe``, strongest kind first."""
        rank = {SOURCE: 0, EXTERNAL: 1, PARAM: 2, UNKNOWN: 3}
        live = [o for o in self.origins if not o.is_safe_for(cwe)]
        return sorted(live, key=lambda o: (rank.get(o.kind, 9), o.desc))

    @property
    def tainted(self) -> bool:
        return any(o.kind in (SOURCE, EXTERNAL) for o in self.origins)


EMPTY = Val()


def const(text: str = "") -> Val:
    return Val(frozenset(), False, text)


def join(vals: list[Val]) -> Val:
    out = EMPTY
    for v in vals:
        out = out | v
    return out


def unknown(desc: str = "a computed value") -> Val:
    return Val(frozenset({Origin(UNKNOWN, desc)}))


def source(desc: str) -> Val:
    return Val(frozenset({Origin(SOURCE, desc)}))


def external(desc: str) -> Val:
    return Val(frozenset({Origin(EXTERNAL, desc)}))
