"""Static analysis of shell command lines: every effect a command line would have.

``analyze`` parses a bash command line with tree-sitter-bash and returns one exec
effect for every command that would run (wrappers unwrapped recursively), plus the
file, network and environment effects of each, with floors for what cannot be judged
statically. See docs/shell.md.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import TYPE_CHECKING

from blastshield.effects import Effect, Verdict

if TYPE_CHECKING:
    from blastshield.shell.walk import Walker

__all__ = ["analyze", "current_home"]


def current_home() -> str:
    """The home directory ``~`` and ``$HOME`` expand to."""
    home = os.environ.get("HOME")
    if home:
        return home
    return os.path.expanduser("~")


def analyze(command: str, *, cwd: str, workspace: str, non_interactive: bool = False) -> tuple[Effect, ...]:
    """Every effect ``command`` would have when run by bash from ``cwd``."""
    key = (command, cwd, workspace, non_interactive, current_home())
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    effects, cacheable = _analyze(*key)
    if cacheable:  # a line whose globs were expanded depends on the file system: not cached
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = effects
    return effects


_CACHE: dict[tuple[str, str, str, bool, str], tuple[Effect, ...]] = {}
_CACHE_SIZE = 8192


_WALKER: type[Walker] | None = None  # imported on first use: the parser loads with it


def _load_walker() -> type[Walker]:
    global _WALKER
    from blastshield.shell.walk import Walker

    _WALKER = Walker
    return Walker


_HIDDEN_CATEGORIES = frozenset({"Cf"})  # zero-width and bidirectional formatting characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _analyze(command: str, cwd: str, workspace: str, non_interactive: bool,
             home: str) -> tuple[tuple[Effect, ...], bool]:
    walker_class = _WALKER or _load_walker()
    floors: list[tuple[Verdict, str]] = []
    if not command.isascii():
        if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in command):
            floors.append((Verdict.DENY, "the command line contains invisible (zero-width or "
                                         "bidirectional) characters"))
        normalized = unicodedata.normalize("NFKC", command)
        if normalized != command:
            floors.append((Verdict.DENY if non_interactive else Verdict.ASK,
                           "the command line contains characters that change under Unicode "
                           "normalisation (look-alikes)"))
    else:
        normalized = command
    if _CONTROL.search(command):
        floors.append((Verdict.DENY if non_interactive else Verdict.ASK,
                       "the command line contains control characters"))
    walker = walker_class(cwd=cwd, workspace=workspace, home=home, non_interactive=non_interactive)
    try:
        walker.script(command, origin="")
        if normalized != command:
            walker.script(normalized, origin="normalized")
    except RecursionError:
        floors.append((Verdict.DENY, "the command line is nested too deeply to analyse"))
    except Exception as exc:  # fail closed: an analyzer bug must never allow a command
        floors.append((Verdict.DENY, f"the shell analyzer failed on this command line "
                                     f"({type(exc).__name__})"))
    effects = list(dict.fromkeys(walker.out)) if len(walker.out) > 1 else walker.out
    if floors:
        carrier = Effect.exec((command,), cwd=cwd, origin="line")
        for verdict, reason in sorted(floors, key=lambda f: -f[0].rank):
            carrier = carrier.with_floor(verdict, reason)
        effects.insert(0, carrier)
    return tuple(effects), not walker.fs_dependent
