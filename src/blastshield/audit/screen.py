"""One walk over a record's fields before they are chained.

The walk makes a JSON-safe copy (:func:`sanitize_json`'s rules), gathers the strings that
redaction would rewrite, and notes whether ``json.dumps`` already writes the copy in its
RFC 8785 form. The recorder then knows, from one pass, whether anything can need
redacting (:func:`screen_fields`) and the chain can skip its own check of the form
(:class:`~blastshield.audit.chain.CanonicalFields`). Three walks per record were most of a
record's cost in a busy hook server.

The rules a copy follows (what RFC 8785 can canonicalise, unchanged from earlier versions):
strings with lone surrogates are re-encoded, integers beyond 2**53 become text, non-finite
floats become ``null``, integral floats become integers, tuples become lists, sets sorted
lists, keys text, and anything else its ``str``.
"""

from __future__ import annotations

import math
from typing import Any

from blastshield.audit.chain import CanonicalFields
from blastshield.audit.redact import has_hint, is_secret_field

_SAFE_INT = 2**53


class _Walk:
    """State of one walk: the strings gathered, a secret-like field seen, the form still canonical."""

    __slots__ = ("flagged", "plain", "strings")

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.flagged = False  # a non-empty string under a secret-like field name
        self.plain = True  # json.dumps(sort_keys=True) gives the RFC 8785 form

    def clean(self, value: Any, gather: bool) -> Any:
        """The JSON-safe copy of ``value``; its strings are gathered when ``gather``."""
        kind = type(value)
        if kind is str:
            if not value.isascii():
                value = _encodable(value)
            if gather:
                self.strings.append(value)
            return value
        if kind is dict:
            return self._mapping(value, gather)
        if kind is list or kind is tuple:
            return [self.clean(item, gather) for item in value]
        if value is None or kind is bool:
            return value
        if kind is int:
            return value if -_SAFE_INT <= value <= _SAFE_INT else self._text(str(value), gather)
        if kind is float:
            return self._number(value)
        return self._other(value, gather)

    def _mapping(self, value: dict[Any, Any], gather: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in value.items():
            key = name if type(name) is str else str(name)
            if not key.isascii():
                self.plain = False  # RFC 8785 orders keys by UTF-16 units, Python by code points
            cleaned = self.clean(item, gather)
            if gather and cleaned and isinstance(cleaned, str) and is_secret_field(key):
                self.flagged = True
            out[key] = cleaned
        return out

    def _text(self, text: str, gather: bool) -> str:
        if gather:
            self.strings.append(text)
        return text

    def _number(self, value: float) -> float | int | None:
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) <= _SAFE_INT:
            return int(value)  # 2.0 and 2 have one canonical form
        if value.is_integer() or not 1e-4 <= abs(value) < 1e16:
            self.plain = False  # Python's repr and ECMAScript differ outside fixed notation
        return value

    def _other(self, value: Any, gather: bool) -> Any:
        """Subclasses of the JSON types (enums), sets, and anything else."""
        if isinstance(value, dict):
            return self._mapping(value, gather)
        if isinstance(value, list | tuple | set | frozenset):
            items = [self.clean(item, gather) for item in value]
            return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
        if isinstance(value, str):
            return self._text(value if value.isascii() else _encodable(value), gather)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value if -_SAFE_INT <= value <= _SAFE_INT else self._text(str(value), gather)
        if isinstance(value, float):
            return self._number(value)
        return self._text(str(value), gather)


def _encodable(text: str) -> str:
    """``text`` without lone surrogates (legal in JSON input, not in UTF-8)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def sanitize_json(value: Any) -> Any:
    """A copy of ``value`` that RFC 8785 can canonicalise: finite numbers, str keys, lists."""
    return _Walk().clean(value, False)


def screen_fields(fields: dict[str, Any], verbatim: frozenset[str]) -> tuple[dict[str, Any], bool]:
    """(JSON-safe copy of ``fields``, whether redaction can change it).

    The copy is a :class:`CanonicalFields` when ``json.dumps`` writes it canonically. The
    flag is False only when no string outside the ``verbatim`` fields holds a catalog hint
    and no secret-like field name holds a string: then redaction would change nothing.
    """
    walk = _Walk()
    cleaned = {name: walk.clean(value, name not in verbatim) for name, value in fields.items()}
    if not "".join(cleaned).isascii():
        walk.plain = False
    may_hold = walk.flagged or has_hint("\n".join(walk.strings).lower())
    return (CanonicalFields(cleaned) if walk.plain else cleaned), may_hold
