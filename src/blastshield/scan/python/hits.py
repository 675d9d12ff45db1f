"""What the taint walk hands the sink rules (CallInfo: one call, with the values of its arguments)
and what they answer (SinkHit: a dangerous use, with the value that reaches it)."""

from __future__ import annotations

import ast

from blastshield.scan.finding import Confidence, RuleSpec
from blastshield.scan.python.values import Val

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from typing import Final

M, L = Confidence.MEDIUM, Confidence.LOW


# CallInfo and SinkHit are made per call of the analysed file: plain classes with __slots__
# (no dataclasses import and exec at start-up); Final fields are set only in __init__.
class CallInfo:
    __slots__ = ("args", "first_elts", "kwargs", "method", "name", "node", "own", "receiver", "recv")
    node: Final[ast.Call]
    name: Final[str]  # canonical dotted name, '' if not a plain chain
    method: Final[str]  # last component ('' for a bare call on an expression)
    receiver: Final[str]  # dotted text of the receiver (lower case), '' if none
    args: Final[list[Val]]
    kwargs: Final[dict[str, Val]]
    first_elts: Final[list[Val] | None]  # values of a literal list/tuple first argument
    own: Final[bool]  # the file's own function: its summary, not its name, says what it does
    recv: Final[Val | None]  # the value of the receiver of a method call

    def __init__(self, node: ast.Call, name: str, method: str, receiver: str, args: list[Val],
                 kwargs: dict[str, Val], first_elts: list[Val] | None = None, own: bool = False,
                 recv: Val | None = None) -> None:
        self.node = node
        self.name = name
        self.method = method
        self.receiver = receiver
        self.args = args
        self.kwargs = kwargs
        self.first_elts = first_elts
        self.own = own
        self.recv = recv

    def val(self, index: int, kw: str | None = None) -> Val | None:
        if kw is not None and kw in self.kwargs:
            return self.kwargs[kw]
        if index < len(self.args) and not any(isinstance(a, ast.Starred) for a in self.node.args[:index + 1]):
            return self.args[index]
        return None


class SinkHit:
    __slots__ = ("building", "external", "sink", "spec", "val", "weak")
    spec: Final[RuleSpec]
    val: Final[Val]
    sink: Final[str]  # "subprocess.run(shell=True)"
    building: Final[bool]  # a string assembled by formatting is itself the weakness here
    external: Final[Confidence | None]  # confidence when the strongest origin is EXTERNAL
    weak: Final[Confidence | None]  # confidence for PARAM/UNKNOWN origins (no visible source)

    def __init__(self, spec: RuleSpec, val: Val, sink: str, building: bool = False,
                 external: Confidence | None = M, weak: Confidence | None = L) -> None:
        self.spec = spec
        self.val = val
        self.sink = sink
        self.building = building
        self.external = external
        self.weak = weak

    def _key(self) -> tuple[RuleSpec, Val, str, bool, Confidence | None, Confidence | None]:
        return (self.spec, self.val, self.sink, self.building, self.external, self.weak)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if type(other) is SinkHit else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())
