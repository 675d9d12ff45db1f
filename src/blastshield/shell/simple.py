"""A fast front end for the commonest shapes of command line.

Most lines an agent runs are a few simple commands joined by ``|``, ``&&``, ``||`` or
``;``, made of plain words and quoted strings without expansions (``git status``,
``grep -rn 'x' src | head``, ``cd src && ls``, ``echo hi > out.txt``). For those,
bash's own rules are short: quote removal, ``~`` at the start of a word, and nothing
else. :func:`simple_line` reads exactly that subset and gives the commands; anything
outside it (expansions, globs, braces, escapes, comments, reserved words, subshells,
here-documents, unusual redirections, non-ASCII text) returns None and takes the full
tree-sitter path. tests/shell proves both paths give the same effects over a corpus.
"""

from __future__ import annotations

import re

# One token: blanks, a list or pipe operator, a redirection operator, or a word made of
# plain characters and quoted strings with no expansion inside.
_TOKEN = re.compile(
    r"(?P<blank>[ \t]+)"
    r"|(?P<op>&&|\|\||[|;])"
    r"|(?P<redir>[12]?>>|[12]?>&[12]|&>|[12]?>|<)"
    r"|(?P<word>(?:[A-Za-z0-9_./:@%+,=~-]|'[ -&(-~]*'|\"[ #%-\[\]-_a-~]*\")+)")
# The whole line as tokens; possessive (no backtracking: linear on any input) and without
# capturing groups (Python 3.11's re mishandles captures under possessive quantifiers).
_LINE = re.compile(r"(?:[ \t]++|&&|\|\||[|;]|[12]?>>|[12]?>&[12]|&>|[12]?>|<"
                   r"|(?:[A-Za-z0-9_./:@%+,=~-]++|'[ -&(-~]*+'|\"[ #%-\[\]-_a-~]*+\")++)*+")
# one command of plain words, none starting with "=" (tree-sitter-bash reads "==" specially)
_PLAIN = re.compile(r"[ \t]*+[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:@%+,=-]*+"
                    r"(?:[ \t]++[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:@%+,=-]*+)*+[ \t]*+")
_PIECE = re.compile(r"'([^']*)'|\"([^\"]*)\"|([^'\"]+)")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# tree-sitter-bash does not parse "@", "%" or ":" in a command name (a@b, x:y) cleanly
_COMMAND_WORD = re.compile(r"[^@%:]+")
# words that tree-sitter-bash reads as syntax or declarations at the head of a command
_RESERVED = frozenset({"if", "then", "else", "elif", "fi", "case", "esac", "for", "select",
                       "while", "until", "do", "done", "function", "time", "coproc", "in",
                       "export", "declare", "local", "readonly", "typeset", "alias", "unalias",
                       "unset", "unsetenv", "let", "!", "{", "}", "[[", "]]"})
_DUPLICATIONS = frozenset({">&1", ">&2", "1>&2", "2>&1", "1>&1", "2>&2"})


class SimpleCommand:
    """One command of a simple line: assignments, words after quote removal, and
    redirections (operator, target) at its end."""

    __slots__ = ("assigns", "redirects", "words")

    def __init__(self, words: list[str] | None = None) -> None:
        self.assigns: list[tuple[str, str]] = []
        self.words: list[str] = words if words is not None else []
        self.redirects: list[tuple[str, str]] = []

    def __repr__(self) -> str:
        return f"SimpleCommand({self.assigns!r}, {self.words!r}, {self.redirects!r})"


def simple_line(command: str, home: str) -> list[list[SimpleCommand]] | None:
    """The pipelines of ``command`` (each a list of commands), or None when the line is
    outside the simple subset and needs the parser."""
    if _PLAIN.fullmatch(command):  # one command of plain words: split on blanks
        words = command.split()
        if words[0] in _RESERVED or not _COMMAND_WORD.fullmatch(words[0]):
            return None
        if "=" not in words[0]:
            return [[SimpleCommand(words=words)]]
    if not _LINE.fullmatch(command):
        return None  # a character outside the subset
    tokens = _TOKEN.findall(command)
    current = SimpleCommand()
    stages = [current]
    pipelines = [stages]
    pending = ""  # a redirection operator waiting for its target
    last_op = ""
    previous_blank = True
    for blank, op, redir, text in tokens:
        if blank:
            previous_blank = True
            continue
        after_blank, previous_blank = previous_blank, False
        if op:
            if pending or not current.words:
                return None
            current = SimpleCommand()
            if op == "|":
                stages.append(current)
            else:
                stages = [current]
                pipelines.append(stages)
            last_op = op
            continue
        if redir:
            if pending or not current.words or not after_blank:
                return None
            if redir in _DUPLICATIONS:
                current.redirects.append((redir, ""))
            else:
                pending = redir
            continue
        word = _word(text, home)
        if word is None or text[0] == "=":
            return None  # "==", "=~": tree-sitter-bash reads test operators here
        if pending:
            current.redirects.append((pending, word))
            pending = ""
            continue
        if current.redirects:
            return None  # words after a redirection: the parser attaches them differently
        if not current.words:
            if "=" in text:
                if not _ASSIGNMENT.match(text):
                    return None
                name, _, raw = text.partition("=")
                value = _word(raw, home) if raw else ""
                if value is None:
                    return None
                current.assigns.append((name, value))
                continue
            if word in _RESERVED or not _COMMAND_WORD.fullmatch(text):
                return None
        current.words.append(word)
    if pending:
        return None
    if last_op == ";" and len(stages) == 1 and not current.words and not current.assigns:
        pipelines.pop()  # "a; b;": a trailing ";" ends the list
    if any(not c.words for p in pipelines for c in p):
        return None
    if len(pipelines) + len(pipelines[0]) > 2 and any(c.redirects for p in pipelines for c in p):
        return None  # the parser attaches a trailing redirection to a whole list or pipeline
    return pipelines


def _word(text: str, home: str) -> str | None:
    """Quote removal and a leading ``~``; None for a form left to the parser."""
    if "~" not in text and "'" not in text and '"' not in text:
        return text
    if text.startswith("~"):
        if not text.startswith(("~/", "~'/", '~"/')) and text != "~":
            return None  # ~user, ~+, ~- ...
    elif "~" in text and ("=" in text or ":" in text):
        return None  # bash may expand ~ after = or : in assignment-like words
    parts = []
    for piece in _PIECE.finditer(text):
        single, double, plain = piece.groups()
        parts.append(single if single is not None else double if double is not None else plain)
    word = "".join(parts)
    if text.startswith("~"):
        word = home + word[1:]
    return word
