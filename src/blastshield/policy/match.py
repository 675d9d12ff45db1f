"""Pattern matching for the four rule families: paths, commands, hosts, MCP tools."""

from __future__ import annotations

import os
from functools import lru_cache

from blastshield.effects import Verdict
from blastshield.errors import PolicyError
from blastshield.policy.globs import glob_to_regex
from blastshield.policy.model import ListRules, Pattern

# re and fnmatch (which imports re) load on first use: `run` plans without them (policy.globs).
TYPE_CHECKING = False  # typing only for mypy: this module is on the hook and `run` start-up paths
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import TypeVar

    _T = TypeVar("_T")

# Directories whose programs are matched by their bare name ("git" matches /usr/bin/git).
SYSTEM_BIN_DIRS = frozenset(
    {"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"}
)


def compile_path_glob(pattern: str) -> re.Pattern[str]:
    import re

    return re.compile(glob_to_regex(pattern), re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    """``pattern`` is already expanded; relative ``**/x`` patterns match anywhere."""
    regex = compile_path_glob(pattern)
    if pattern.startswith("**"):
        return regex.fullmatch(path.lstrip("/")) is not None or regex.fullmatch(path) is not None
    return regex.fullmatch(path) is not None


class PathIndex:
    """The path patterns of one list with one combined regex in front of them.

    The combined regex matches ``path`` whenever any one pattern matches (a superset test);
    only then are the patterns walked in file order to find the first that matches. A miss,
    the common case for deny lists, costs one regex match. (A ``**``-prefixed pattern that
    matches ``path.lstrip("/")`` matches ``path`` too: its regex starts with ``.*`` or
    ``(?:.*/)?``, which also take the leading slashes.)
    """

    def __init__(self, patterns: tuple[Pattern, ...]) -> None:
        self.patterns = patterns
        self.combined: re.Pattern[str] | None = None
        self._each: list[tuple[Pattern, re.Pattern[str], bool]] | None = None
        if patterns:
            import re

            try:
                self.combined = re.compile(
                    "|".join(f"(?:{glob_to_regex(p.text)})" for p in patterns), re.DOTALL)
            except (ValueError, re.error):
                self.combined = None  # no pre-filter: every pattern is tried in order

    def first(self, path: str) -> Pattern | None:
        """The first pattern (file order) that matches ``path``, if any."""
        if not self.patterns:
            return None
        combined = self.combined
        if combined is not None and combined.fullmatch(path) is None:
            return None
        stripped = path.lstrip("/")
        for pattern, regex, anywhere in self._compiled():
            if regex.fullmatch(path) is not None or \
                    (anywhere and regex.fullmatch(stripped) is not None):
                return pattern
        return None

    def _compiled(self) -> list[tuple[Pattern, re.Pattern[str], bool]]:
        """Each pattern with its regex and whether it matches anywhere (``**`` first): what
        ``path_matches`` does, without its look-ups."""
        if self._each is None:
            self._each = [(p, compile_path_glob(p.text), p.text.startswith("**"))
                          for p in self.patterns]
        return self._each


def _built_once(cache: dict[int, tuple[object, _T]], owner: object, build: Callable[[], _T]) -> _T:
    """What ``build`` makes for ``owner`` (a policy's pattern list or rule table), made once per
    object: keyed by its id and checked by identity, so a recycled id never hands back another's."""
    found = cache.get(id(owner))
    if found is not None and found[0] is owner:
        return found[1]
    if len(cache) > 64:
        cache.clear()
    value = build()
    cache[id(owner)] = (owner, value)
    return value


_PATH_INDEXES: dict[int, tuple[object, PathIndex]] = {}


def path_index(patterns: tuple[Pattern, ...]) -> PathIndex:
    return _built_once(_PATH_INDEXES, patterns, lambda: PathIndex(patterns))


_SHLEX_WHITESPACE = str.maketrans("\t\r\n", "   ")


@lru_cache(maxsize=4096)
def split_command_pattern(pattern: str) -> tuple[str, ...]:
    """``shlex.split(pattern)``. Without quotes or backslashes (nearly every pattern) that is the
    words between spaces, tabs, CRs and LFs, found without shlex's character-by-character lexer
    (a policy's hundreds of command patterns are split on every hook and ``run`` start)."""
    if "'" not in pattern and '"' not in pattern and "\\" not in pattern:
        return tuple(word for word in pattern.translate(_SHLEX_WHITESPACE).split(" ") if word)
    import shlex

    try:
        tokens = tuple(shlex.split(pattern))
    except ValueError as exc:
        raise PolicyError(f"command pattern {pattern!r}: {exc}") from exc
    return tokens


def program_name(arg0: str) -> str:
    """The name a command pattern sees for argv[0].

    ``/usr/bin/git`` is ``git``; ``./git`` or ``/tmp/git`` stay paths, so a look-alike
    program planted in the workspace never matches a rule written for the real one.
    """
    if "/" not in arg0:
        return arg0
    directory = os.path.dirname(os.path.normpath(arg0))
    return os.path.basename(arg0) if directory in SYSTEM_BIN_DIRS else arg0


class CommandIndex:
    """Command patterns of one list grouped by their program word, in file order.

    A decision looks only at the patterns for its program (plus those whose program word is
    a glob and matches it), which keeps a policy of hundreds of command rules cheap to consult.
    """

    def __init__(self, patterns: tuple[Pattern, ...]) -> None:
        self.by_name: dict[str, list[tuple[int, _Compiled]]] = {}
        self.wild: list[tuple[int, _Compiled]] = []
        self._named: dict[str, list[_Compiled]] = {}
        for index, pattern in enumerate(patterns):
            tokens = split_command_pattern(pattern.text)
            if not tokens:
                continue
            entry = (index, _compiled(pattern, tokens))
            if any(ch in tokens[0] for ch in "*?["):
                self.wild.append(entry)
            else:
                self.by_name.setdefault(tokens[0], []).append(entry)

    def for_name(self, name: str) -> list[_Compiled]:
        """Every pattern whose program word matches ``name``, in file order (memoised)."""
        found = self._named.get(name)
        if found is None:
            named = self.by_name.get(name, [])
            wild = [entry for entry in self.wild if _token_matches(entry[1][1][0], name)]
            if wild:
                named = sorted([*named, *wild], key=lambda entry: entry[0])
            found = [compiled for _, compiled in named]
            if len(self._named) >= 4096:
                self._named.clear()
            self._named[name] = found
        return found

    def candidates(self, name: str, second: str | None) -> list[tuple[Pattern, tuple[str, ...]]]:
        """The patterns that could match a command whose program word is ``name`` and whose
        first argument is ``second`` (None: no arguments), in file order."""
        return [(entry[0], entry[1]) for entry in self.for_name(name)
                if _second_may_match(entry[1], second)]


# pattern, its tokens, the tokens before a final lone "*", whether that "*" is there, and
# whether those leading tokens are all literal (then a tuple comparison decides)
_Compiled = tuple[Pattern, tuple[str, ...], tuple[str, ...], bool, bool]


def _compiled(pattern: Pattern, tokens: tuple[str, ...]) -> _Compiled:
    star = tokens[-1] == "*"
    head = tokens[:-1] if star else tokens
    literal = not any(ch in token for token in head for ch in "*?[")
    return pattern, tokens, head, star, literal


def _second_may_match(tokens: tuple[str, ...], second: str | None) -> bool:
    """Could a pattern match given the command's first argument? (a cheap pre-filter)"""
    if len(tokens) < 2:
        return True
    if second is None:
        return tokens[1] == "*" and len(tokens) == 2
    return _token_matches(tokens[1], second)


_INDEXES: dict[int, tuple[object, CommandIndex]] = {}


def command_index(patterns: tuple[Pattern, ...]) -> CommandIndex:
    return _built_once(_INDEXES, patterns, lambda: CommandIndex(patterns))


class CommandChain:
    """The deny, ask and allow command lists of one table as one index: the candidates of
    all three for a program and first argument, in precedence order, found with one look-up
    (a first argument not seen before costs one pass over the program's few patterns)."""

    def __init__(self, rules: ListRules) -> None:
        self._lists = tuple((verdict, CommandIndex(patterns)) for verdict, patterns in
                            ((Verdict.DENY, rules.deny), (Verdict.ASK, rules.ask),
                             (Verdict.ALLOW, rules.allow)) if patterns)
        self._named: dict[str, list[tuple[Verdict, _Compiled]]] = {}
        self._memo: dict[tuple[str, str], list[tuple[Verdict, _Compiled]]] = {}

    def _candidates(self, name: str, second: str | None) -> list[tuple[Verdict, _Compiled]]:
        key = (name, "\0" if second is None else second)
        found = self._memo.get(key)
        if found is None:
            named = self._named.get(name)
            if named is None:
                named = [(verdict, entry) for verdict, index in self._lists
                         for entry in index.for_name(name)]
                if len(self._named) >= 4096:
                    self._named.clear()
                self._named[name] = named
            found = [item for item in named if _second_may_match(item[1][1], second)]
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[key] = found
        return found

    def first(self, args: tuple[str, ...]) -> tuple[Verdict, Pattern] | None:
        """The verdict and pattern of the first rule (deny, ask, allow; file order within a
        list) matching ``args`` (program word already normalised)."""
        count = len(args)
        if not count:
            return None
        for verdict, (pattern, tokens, head, star, literal) in \
                self._candidates(args[0], args[1] if count > 1 else None):
            if star:
                size = len(head)
                if count < size:
                    continue
                if literal:
                    if args[:size] == head:
                        return verdict, pattern
                    continue
            elif count != len(head):
                continue
            elif literal:
                if args == head:
                    return verdict, pattern
                continue
            if args_match(tokens, args):
                return verdict, pattern
        return None


_CHAINS: dict[int, tuple[object, CommandChain]] = {}


def command_chain(rules: ListRules) -> CommandChain:
    return _built_once(_CHAINS, rules, lambda: CommandChain(rules))


def command_matches(tokens: tuple[str, ...], argv: tuple[str, ...]) -> bool:
    """Does a command pattern match an argv?

    Each token matches one argument (fnmatch-style, ``*`` inside a token included); a
    final lone ``*`` matches zero or more remaining arguments.
    """
    if not tokens or not argv:
        return False
    return args_match(tokens, (program_name(argv[0]), *argv[1:]))


def args_match(tokens: tuple[str, ...], args: tuple[str, ...]) -> bool:
    """``command_matches`` for an argv whose program word is already normalised."""
    if tokens[-1] == "*":
        head = tokens[:-1]
        if len(args) < len(head):
            return False
        args = args[: len(head)]
        tokens = head
    elif len(tokens) != len(args):
        return False
    return all(_token_matches(t, a) for t, a in zip(tokens, args, strict=True))


def _token_matches(token: str, arg: str) -> bool:
    if not any(ch in token for ch in "*?["):
        return token == arg
    return _fnmatchcase()(arg, token)


def host_matches(pattern: str, host: str, port: int | None) -> bool:
    """Host name, ``*.suffix`` wildcard, IP, or CIDR; optional ``:port``."""
    want_port: int | None = None
    text = pattern
    if text.count(":") == 1 and not text.startswith("["):
        text, _, port_text = text.partition(":")
        want_port = int(port_text)
    if want_port is not None and port != want_port:
        return False
    host = host.lower().rstrip(".")
    text = text.lower()
    if "/" in text:
        import ipaddress  # only CIDR patterns need it

        try:
            return ipaddress.ip_address(host) in ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
    if text.startswith("*."):
        suffix = text[1:]
        return host.endswith(suffix) and len(host) > len(suffix)
    if text == "*":
        return True
    return host == text


def glob_matches(pattern: str, value: str) -> bool:
    """Plain fnmatch for MCP ``server:tool`` and environment variable names."""
    return _fnmatchcase()(value, pattern)


_FNMATCHCASE: list[Callable[[str, str], bool]] = []


def _fnmatchcase() -> Callable[[str, str], bool]:
    """``fnmatch.fnmatchcase``, imported on first use (fnmatch imports re)."""
    if not _FNMATCHCASE:
        from fnmatch import fnmatchcase

        _FNMATCHCASE.append(fnmatchcase)
    return _FNMATCHCASE[0]
