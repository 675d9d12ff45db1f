"""Shell variables as one command line sees them: assignments and declarations (with
namerefs), what ``$NAME``, ``${!NAME}`` and positional parameters expand to, and the
environment effects of reading a variable the line did not set itself."""

from __future__ import annotations

import abc
import re

from blastshield.effects import Effect, Verdict
from blastshield.shell.command import Cmd
from blastshield.shell.effects import dangerous_env
from blastshield.shell.files import FileContext
from blastshield.shell.parse import Node, eval_nodes, eval_word, text_of

_SPECIAL_VARS = frozenset("@*#?$!-_")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Variables(FileContext, abc.ABC):
    """Variable state and lookups of one analysis (the walker's :class:`Scope`)."""

    def __init__(self, *, cwd: str, home: str, non_interactive: bool) -> None:
        super().__init__(cwd=cwd, home=home, non_interactive=non_interactive)
        self.out: list[Effect] = []
        self.vars: dict[str, str | None] = {}
        self.exported: dict[str, str | None] = {}  # `export NAME=...`: in every later command's environment
        self.env_seen: set[str] = set()
        self.namerefs: dict[str, str | None] = {}  # declare -n NAME=TARGET
        self.positional: tuple[str, ...] | None = None
        self.visited: set[tuple[int, int]] = set()
        self.last_cmd: Cmd | None = None

    @abc.abstractmethod
    def substitution(self, node: Node) -> bool:
        """Analyse a command or process substitution (the walker does)."""

    @abc.abstractmethod
    def prompt(self, text: str | None) -> None:
        """Analyse a ``${x@P}`` prompt expansion (the walker does)."""

    def _assignment_value(self, node: Node) -> tuple[str, str | None]:
        name_node = node.child_by_field_name("name")
        name = text_of(name_node) if name_node is not None else ""
        value_nodes = [c for c in node.children if c.is_named and c != name_node]
        if not value_nodes:
            return name, ""
        if value_nodes[0].type == "array":
            for item in value_nodes[0].named_children:
                eval_word(item, self)
            return name, None
        args = eval_nodes(value_nodes, self)
        if not args:
            return name, ""
        if all(a.known for a in args):
            return name, " ".join(a.text for a in args)
        return name, None

    def _assignments(self, node: Node) -> None:
        items = [node] if node.type == "variable_assignment" else \
            [c for c in node.named_children if c.type == "variable_assignment"]
        for item in items:
            name, value = self._assignment_value(item)
            self.vars[name] = value
            self._dangerous_assignment(name, value, "assignment")

    def _declaration(self, node: Node) -> None:
        self.visited.add((node.start_byte, node.end_byte))
        keyword = node.children[0].type if node.children else ""
        names = 0
        nameref = False
        for child in node.named_children:
            if child.type == "variable_assignment":
                names += 1
                name, value = self._assignment_value(child)
                if nameref:  # declare -n NAME=TARGET: NAME reads and writes TARGET
                    self.namerefs[name] = value if value and _NAME.fullmatch(value) else None
                    continue
                self.vars[name] = value
                if keyword == "export":
                    self.exported[name] = value
                if keyword in ("export", "declare", "typeset", "readonly", "local"):
                    self._dangerous_assignment(name, value, keyword)
            elif child.type == "variable_name":
                names += 1
                if nameref:
                    self.namerefs[text_of(child)] = None
                self.vars.setdefault(text_of(child), None)
                if keyword == "export":
                    self.exported[text_of(child)] = self.vars[text_of(child)]
            else:
                for arg in eval_word(child, self):
                    if not arg.text.startswith("-"):
                        names += 1
                    elif keyword != "export" and "n" in arg.text[1:] and not arg.text.startswith("--"):
                        nameref = True
        if names == 0 and keyword in ("export", "declare", "typeset", "readonly"):
            self.out.append(Effect.env("*", origin=keyword).with_floor(
                Verdict.ASK, f"'{keyword}' without names prints every variable"))

    def _dangerous_assignment(self, name: str, value: str | None, origin: str) -> None:
        reason = dangerous_env(name)
        if reason:
            floor = Verdict.DENY if self.non_interactive else Verdict.ASK
            self.out.append(Effect.env(name, origin=origin).with_floor(floor, reason))

    def lookup(self, name: str) -> str | None:
        if name in self.namerefs:
            return self.indirect(name)
        if name in self.vars:
            return self.vars[name]
        if name.isdigit():
            index = int(name)
            if self.positional is not None and index < len(self.positional):
                return self.positional[index]
            return None
        if name == "HOME":
            self._note_env(name)
            return self.home
        if name == "PWD" and self.cwd_known:
            return self.cwd
        if name in _SPECIAL_VARS or not name:
            return None
        self._note_env(name)
        return None

    def indirect(self, target: str | None) -> str | None:
        if target is None:
            if "!" not in self.env_seen:
                self.env_seen.add("!")
                self.out.append(Effect.env("*", origin="indirect expansion").with_floor(
                    self.unresolved, "reads a variable whose name is not statically known"))
            return None
        seen = {target}
        while target in self.namerefs:  # a chain of references
            nxt = self.namerefs[target]
            if nxt is None or nxt in seen:
                return self.indirect(None)
            seen.add(nxt)
            target = nxt
        if target in self.vars:
            return self.vars[target]
        return self.lookup(target)

    def _note_env(self, name: str) -> None:
        if name not in self.env_seen:
            self.env_seen.add(name)
            self.out.append(Effect.env(name, origin="expansion"))
