"""Immutable value classes without ``dataclasses``' import-time cost.

``@dataclass(frozen=True, slots=True)`` generates each method with ``exec`` when the class is
defined (about a millisecond a class on this project's machines) and imports ``inspect``;
modules on the hook and ``run`` start-up paths define their values on :class:`FrozenValue`
instead: list the fields in ``__slots__``, write ``__init__`` with ``object.__setattr__``
(its parameters named like the fields, so :meth:`FrozenValue.replace` can call it).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy honours this name
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, Self

__all__ = ["FrozenValue"]


class FrozenValue:
    """An immutable value with ``__slots__`` fields and value equality.

    What ``@dataclass(frozen=True)`` gives, without its import-time cost (each dataclass
    definition costs a fraction of a millisecond, and this module is on the hook path).
    """

    __slots__: tuple[str, ...] = ()
    _fields: ClassVar[Callable[[Any], tuple[Any, ...]]]  # the field values, in __slots__ order

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        names = tuple(cls.__slots__)
        # attrgetter reads every field in one C call (equality and hashing are on the hook path)
        cls._fields = attrgetter(*names) if len(names) > 1 else \
            (lambda value: (getattr(value, names[0]),)) if names else (lambda value: ())

    def _values(self) -> tuple[Any, ...]:
        return type(self)._fields(self)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, built through ``__init__`` (``dataclasses.replace``)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        unknown = [name for name in changes if name not in values]
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        values.update(changes)
        return type(self)(**values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # copy, deepcopy and pickle rebuild through this (they would otherwise hit __setattr__).
        return (_rebuild, (type(self), self._values()))


def _rebuild(kind: type[FrozenValue], values: tuple[Any, ...]) -> FrozenValue:
    value = object.__new__(kind)
    for name, item in zip(kind.__slots__, values, strict=True):
        object.__setattr__(value, name, item)
    return value
