"""tree-sitter-bash parsing and static word evaluation.

:func:`parse` gives a syntax tree (one parser per process, created lazily).
:func:`eval_word` turns a word-like node into the arguments the shell would produce:
quote removal, backslash escapes, ANSI-C ``$'...'`` decoding, ``$VAR`` from what the
line itself assigned, ``~`` and brace expansion, and field splitting of expansions.
What cannot be known statically is kept as its source text and marked unknown.
"""

from __future__ import annotations

import itertools
import pwd
import re
from typing import TYPE_CHECKING, Protocol

from blastshield.shell.expand import EXPANDED, LIT, QUOTED, brace_expand, decode_ansi_c, split_fields

if TYPE_CHECKING:
    from tree_sitter import Node as Node
    from tree_sitter import Parser, Tree
else:  # tree-sitter loads on the first parse: lines the fast front end reads never need it
    Node = Parser = Tree = object

_PARSER: Parser | None = None


def parse(text: str) -> Tree:
    """The syntax tree of a bash command line."""
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_bash

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _PARSER.parse(text.encode("utf-8", "surrogatepass"))


def text_of(node: Node) -> str:
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


class Scope(Protocol):
    """What word evaluation needs from the analyzer."""

    def lookup(self, name: str) -> str | None:
        """The value of a variable when statically known (None: unknown)."""

    def substitution(self, node: Node) -> bool:
        """Analyse a command/process substitution; True when it downloads."""

    def prompt(self, text: str | None) -> None:
        """``${x@P}``: ``text`` (None: not statically known) is expanded like a prompt,
        command substitutions included."""

    def indirect(self, target: str | None) -> str | None:
        """``${!name}``: read the variable named ``target`` (None: a name not statically
        known); its value when statically known."""


class Arg:
    """One argument as the shell would pass it: ``glob`` when it has unquoted glob
    characters, ``expanded`` when built (partly) from a variable expansion."""

    __slots__ = ("download", "expanded", "glob", "known", "text")

    def __init__(self, text: str, known: bool = True, download: bool = False, glob: bool = False,
                 expanded: bool = False) -> None:
        self.text = text
        self.known = known
        self.download = download
        self.glob = glob
        self.expanded = expanded


_LIT, _QUOTED, _EXPANDED = LIT, QUOTED, EXPANDED


class _Acc:
    __slots__ = ("chars", "download", "expanded", "known", "mask", "vars_ifs")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.mask: list[int] = []
        self.known = True
        self.download = False
        self.vars_ifs = False
        self.expanded = False

    def add(self, text: str, mask: int) -> None:
        self.chars.append(text)
        self.mask.extend([mask] * len(text))


def _unescape_unquoted(text: str, acc: _Acc) -> None:
    if "\\" not in text:
        acc.add(text, _LIT)
        return
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            if text[i + 1] != "\n":
                acc.add(text[i + 1], _QUOTED)
            i += 2
        else:
            acc.add(c, _LIT)
            i += 1


def _unescape_dquoted(text: str, acc: _Acc) -> None:
    if "\\" not in text:
        acc.add(text, _QUOTED)
        return
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                acc.add(text[i + 1], _QUOTED)
            i += 2
        else:
            acc.add(c, _QUOTED)
            i += 1


_SIMPLE_WORD = re.compile(r"[A-Za-z0-9_./:=@%+,-]+")


def eval_word(node: Node, scope: Scope) -> list[Arg]:
    """The argument(s) a word-like node expands to (brace expansion and field splitting
    can make several)."""
    if node.type == "command_name" and node.child_count == 1:
        node = node.children[0]
    if node.type == "word":
        raw = text_of(node)
        if _SIMPLE_WORD.fullmatch(raw):
            return [Arg(raw)]
    acc = _Acc()
    _eval_into(node, scope, acc, quoted=False)
    return _finish(acc)


def eval_nodes(nodes: list[Node], scope: Scope) -> list[Arg]:
    """Several adjacent nodes that form one shell word (no blank between them)."""
    if len(nodes) == 1:
        return eval_word(nodes[0], scope)
    acc = _Acc()
    for item in nodes:
        _eval_into(item, scope, acc, quoted=False)
    return _finish(acc)


def _eval_into(node: Node, scope: Scope, acc: _Acc, *, quoted: bool) -> None:
    kind = node.type
    if kind in ("word", "number", "$", "special_variable_name", "variable_name"):
        raw = text_of(node)
        if quoted:
            _unescape_dquoted(raw, acc)
        else:
            _unescape_unquoted(raw, acc)
    elif kind == "raw_string":
        acc.add(text_of(node)[1:-1], _QUOTED)
    elif kind == "ansi_c_string":
        acc.add(decode_ansi_c(text_of(node)[2:-1]), _QUOTED)
    elif kind in ("string", "translated_string"):
        _eval_string(node, scope, acc)
    elif kind == "string_content":
        _unescape_dquoted(text_of(node), acc)
    elif kind in ("concatenation", "command_name"):
        for child in node.children:
            _eval_into(child, scope, acc, quoted=quoted)
    elif kind in ("simple_expansion", "expansion"):
        _eval_expansion(node, scope, acc, quoted=quoted)
    elif kind in ("command_substitution", "process_substitution"):
        if scope.substitution(node):
            acc.download = True
        acc.known = False
        acc.add(text_of(node), _QUOTED)
    elif kind in ("==", "=~", "brace_expression"):  # "==", "=~": unnamed test operators, plain here
        acc.add(text_of(node), _QUOTED if quoted else _LIT)
    else:  # arithmetic expansion and anything this analyzer does not model
        _walk_substitutions(node, scope, acc)
        acc.known = False
        acc.add(text_of(node), _QUOTED)


def _walk_substitutions(node: Node, scope: Scope, acc: _Acc) -> None:
    for child in node.children:
        if child.type in ("command_substitution", "process_substitution"):
            if scope.substitution(child):
                acc.download = True
        else:
            _walk_substitutions(child, scope, acc)


def _eval_string(node: Node, scope: Scope, acc: _Acc) -> None:
    """A double-quoted string; gaps between children are literal source text."""
    start = node.start_byte
    end = node.end_byte
    children = node.children
    raw = node.text or b""
    pos = start + (2 if raw.startswith(b'$"') else 1)
    stop = end - 1 if raw.endswith(b'"') and end - start >= 2 else end
    for child in children:
        if child.type == '"' or child.end_byte <= pos:
            continue
        if child.start_byte > pos:
            gap = raw[pos - start: min(child.start_byte, stop) - start].decode("utf-8", "replace")
            _unescape_dquoted(gap, acc)
        if child.start_byte >= stop:
            break
        _eval_into(child, scope, acc, quoted=True)
        pos = child.end_byte
    if pos < stop:
        _unescape_dquoted(raw[pos - start: stop - start].decode("utf-8", "replace"), acc)


_SPECIAL = frozenset("@*#?$!-")


def _eval_expansion(node: Node, scope: Scope, acc: _Acc, *, quoted: bool) -> None:
    source = text_of(node)
    acc.expanded = True
    name = _expansion_name(node)
    children = node.children
    if len(children) > 2 and children[1].type == "!":
        _eval_indirect(node, name, scope, acc)
        return
    if any(a.type == "@" and b.type == "P" for a, b in itertools.pairwise(children)):
        scope.prompt(scope.lookup(name) if name else None)  # ${x@P} expands x like a prompt
    if name == "IFS":
        acc.vars_ifs = True
    plain = node.type == "simple_expansion" or _is_plain_braced(node)
    value = scope.lookup(name) if (name and plain) else None
    if name and not plain:
        scope.lookup(name)  # note the variable use (environment effect)
        _walk_substitutions(node, scope, acc)
    if value is None:
        acc.known = False
        acc.add(source, _QUOTED)
        return
    acc.add(value, _QUOTED if quoted else _EXPANDED)


def _eval_indirect(node: Node, name: str, scope: Scope, acc: _Acc) -> None:
    """``${!name}`` reads the variable whose name is ``name``'s value; ``${!prefix*}`` and
    ``${!array[@]}`` list names or keys only."""
    kinds = [c.type for c in node.children]
    acc.known = False
    acc.add(text_of(node), _QUOTED)
    _walk_substitutions(node, scope, acc)
    if kinds[2] == "subscript" or (len(kinds) > 4 and kinds[3] in ("*", "@") and kinds[4] == "}"):
        return  # names of variables with a prefix, or an array's keys: no value is read
    target = scope.lookup(name) if name else None
    scope.indirect(target if target and _NAME.fullmatch(target) else None)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _expansion_name(node: Node) -> str:
    for child in node.children:
        if child.type in ("variable_name", "special_variable_name"):
            return text_of(child)
        if child.type == "subscript":
            return _expansion_name(child)
    source = text_of(node)
    m = re.match(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])", source)
    return m.group(1) if m else ""


def _is_plain_braced(node: Node) -> bool:
    kinds = [c.type for c in node.children]
    return kinds in (["${", "variable_name", "}"], ["${", "special_variable_name", "}"])


def _finish(acc: _Acc) -> list[Arg]:
    text = "".join(acc.chars)
    mask = acc.mask
    words: list[tuple[str, list[int]]] = [(text, mask)]
    if "{" in text:
        words = brace_expand(text, mask)
    out: list[Arg] = []
    for word, wmask in words:
        if word.startswith("~") and wmask and wmask[0] == _LIT:
            word, wmask = _tilde(word, wmask, acc)
        elif "~" in word and "=" in word:
            word, wmask = _assignment_tildes(word, wmask, acc)
        for piece, pmask in split_fields(word, wmask):
            glob = any(ch in "*?[" and m != _QUOTED for ch, m in zip(piece, pmask, strict=True))
            out.append(Arg(piece, acc.known and not acc.vars_ifs, acc.download, glob, acc.expanded))
    if not out and not acc.known:
        out.append(Arg(text, False, acc.download, False, acc.expanded))
    return out


def _tilde(word: str, mask: list[int], acc: _Acc) -> tuple[str, list[int]]:
    slash = word.find("/")
    user = word[1:] if slash < 0 else word[1:slash]
    rest = "" if slash < 0 else word[slash:]
    if any(m != _LIT for m in mask[: len(user) + 1]):
        return word, mask
    if user == "":
        from blastshield.shell import current_home

        home = current_home()
    else:
        try:
            home = pwd.getpwnam(user).pw_dir
        except (KeyError, UnicodeError):
            acc.known = False
            return word, mask
    return home + rest, [_QUOTED] * len(home) + mask[len(word) - len(rest):]


_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _assignment_tildes(word: str, mask: list[int], acc: _Acc) -> tuple[str, list[int]]:
    """bash (not in POSIX mode) expands ``~`` in a word that looks like an assignment,
    even as a command's argument: after the ``=`` and after each ``:`` of the value
    (``dd if=~/.ssh/id_rsa``, ``make DESTDIR=~/x``, ``X=a:~/b``)."""
    m = _ASSIGNMENT_WORD.match(word)
    if m is None or any(k != _LIT for k in mask[: m.end()]):
        return word, mask
    out, out_mask = word[: m.end()], list(mask[: m.end()])
    start = m.end()
    while start <= len(word):
        colon = start
        while colon < len(word) and not (word[colon] == ":" and mask[colon] == _LIT):
            colon += 1
        part, part_mask = word[start:colon], mask[start:colon]
        if part.startswith("~") and part_mask[0] == _LIT:
            part, part_mask = _tilde(part, part_mask, acc)
        out += part
        out_mask.extend(part_mask)
        if colon < len(word):
            out += ":"
            out_mask.append(mask[colon])
        start = colon + 1
    return out, out_mask


# ------------------------------------------------------------ words of a command
def adjacent_groups(nodes: list[Node]) -> list[list[Node]]:
    """Group nodes that touch (no blank between them): they form one shell word.

    A line continuation (backslash-newline) between two nodes joins them too: bash removes
    it before splitting words, tree-sitter-bash treats it as a separator."""
    groups: list[list[Node]] = []
    for item in nodes:
        if groups and _touching(groups[-1][-1], item):
            if groups[-1][-1].type == "$" and len(groups[-1]) == 1 and item.type == "string":
                groups[-1] = [item]  # $"..." (locale translation) is just the string
                continue
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


PLAIN_WORD = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")


def dropped_words(node: Node) -> list[str]:
    """Words inside ``node`` that no child covers (tree-sitter-bash drops a lone ``-``)."""
    raw = node.text or b""
    start = node.start_byte
    pos = start
    gaps: list[bytes] = []
    for child in node.children:
        if child.start_byte > pos:
            gaps.append(raw[pos - start: child.start_byte - start])
        pos = max(pos, child.end_byte)
    if pos < node.end_byte:
        gaps.append(raw[pos - start:])
    words: list[str] = []
    for gap in gaps:
        text = gap.replace(b"\\\n", b" ").decode("utf-8", "replace")
        words.extend(text.split())
    return words


def _touching(left: Node, right: Node) -> bool:
    gap = right.start_byte - left.end_byte
    if gap == 0:
        return True
    if gap % 2 or gap > 64:
        return False
    node: Node | None = left
    while node is not None and node.parent is not None:
        node = node.parent
    source = node.text if node is not None else None
    return source is not None and source[left.end_byte: right.start_byte] == b"\\\n" * (gap // 2)
