"""Which environment variables reach the sandboxed command.

Only names the policy's ``[env] pass`` list matches get through (a built-in baseline when
the policy has no pass list), never a name ``[env] deny`` matches, and never a variable
that looks like a credential (by name or by value) unless a pass entry names it exactly,
without wildcards. Plain data in, plain data out.
"""

from __future__ import annotations

from blastshield.policy.model import EnvRules

TYPE_CHECKING = False  # typing only for mypy (Final marks the read-only fields)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Final

#: Used when the policy has no ``[env] pass`` list.
BASELINE_PASS = ("PATH", "HOME", "LANG", "LANGUAGE", "LC_*", "TERM", "COLORTERM", "TZ",
                 "USER", "LOGNAME", "SHELL", "EDITOR", "PAGER", "NO_COLOR", "FORCE_COLOR")

# Compiled on first use (``re``'s own cache): only a variable passed by a wildcard is checked, and
# only when a fragment below is in it (``run`` usually starts without importing ``re``).
_CREDENTIAL_NAME = (
    r"TOKEN|SECRET|PASSW(?:OR)?D|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|"
    r"SESSION|COOKIE|(?:^|_)KEY$|(?:^|_)PAT$|(?:^|_)DSN$|^AWS_|^AZURE_|^GCP_|^GOOGLE_APPLICATION|"
    r"^OPENAI_|^ANTHROPIC_|^HF_|^NPM_CONFIG__AUTH|^PGPASS")
_CREDENTIAL_VALUE = (
    r"://[^/\s:@]+:[^/\s@]+@|-----BEGIN [A-Z ]*PRIVATE KEY|\bgh[pousr]_[A-Za-z0-9]{20,}|"
    r"\bAKIA[0-9A-Z]{16}\b|\bxox[abpr]-|\bsk-[A-Za-z0-9_-]{20,}")

# Every name or value the patterns above can match contains one of these (names upper-cased).
_NAME_FRAGMENTS = ("TOKEN", "SECRET", "PASSW", "PASSPHRASE", "CREDENTIAL", "PRIVATE", "KEY", "AUTH",
                   "SESSION", "COOKIE", "PAT", "DSN", "AWS_", "AZURE_", "GCP_", "GOOGLE_APPLICATION",
                   "OPENAI_", "ANTHROPIC_", "HF_", "PGPASS")
_VALUE_FRAGMENTS = ("://", "-----BEGIN ", "gh", "AKIA", "xox", "sk-")

#: Set by the sandbox itself; an outer value never passes through.
OWNED_NAMES = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                         "all_proxy", "NO_PROXY", "no_proxy", "FTP_PROXY", "ftp_proxy"})


class EnvFilterResult:
    __slots__ = ("dropped", "kept")

    def __init__(self, kept: dict[str, str], dropped: tuple[tuple[str, str], ...]) -> None:
        self.kept: Final = kept
        self.dropped: Final = dropped  # (name, why) — names only, never values


def looks_like_credential(name: str, value: str) -> bool:
    upper = name.upper()
    if not upper.isascii() or any(fragment in upper for fragment in _NAME_FRAGMENTS):
        import re

        if re.search(_CREDENTIAL_NAME, name, re.IGNORECASE):
            return True
    if any(fragment in value for fragment in _VALUE_FRAGMENTS):
        import re

        return re.search(_CREDENTIAL_VALUE, value) is not None
    return False


class NameGlobs:
    """Does a name match one of some globs (``fnmatch.fnmatchcase`` each)? Plain names and globs
    whose only wildcard is ``*`` (``LC_*``, ``*_TOKEN``, ``*SECRET*``), nearly every entry, are
    answered without fnmatch (which imports re)."""

    __slots__ = ("exact", "other", "stars")

    def __init__(self, globs: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.stars: list[list[str]] = []
        self.other: list[str] = []
        for glob in globs:
            if "?" in glob or "[" in glob:
                self.other.append(glob)
            elif "*" in glob:
                self.stars.append(glob.split("*"))
            else:
                self.exact.add(glob)

    def match(self, name: str) -> bool:
        if name in self.exact or any(_stars_match(parts, name) for parts in self.stars):
            return True
        if self.other:
            from fnmatch import fnmatchcase

            return any(fnmatchcase(name, glob) for glob in self.other)
        return False


def _stars_match(parts: list[str], name: str) -> bool:
    """Does ``name`` match the glob ``"*".join(parts)``? The first and last parts anchor it; each
    part between is found leftmost after the one before (enough when ``*`` is the only wildcard)."""
    first, last = parts[0], parts[-1]
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for middle in parts[1:-1]:
        found = name.find(middle, position, end)
        if found < 0:
            return False
        position = found + len(middle)
    return True


def filter_environment(environ: Mapping[str, str], rules: EnvRules) -> EnvFilterResult:
    passes = tuple(p.text for p in rules.pass_) or BASELINE_PASS
    exact = {text for text in passes if not any(ch in text for ch in "*?[")}
    denied = NameGlobs(p.text for p in rules.deny)
    passed = NameGlobs(passes)
    kept: dict[str, str] = {}
    dropped: list[tuple[str, str]] = []
    for name in sorted(environ):
        value = environ[name]
        if name in OWNED_NAMES:
            dropped.append((name, "set by the sandbox"))
        elif denied.match(name):
            dropped.append((name, "matches [env] deny"))
        elif name not in exact and not passed.match(name):
            dropped.append((name, "not in [env] pass"))
        elif name not in exact and looks_like_credential(name, value):
            dropped.append((name, "looks like a credential; name it exactly in [env] pass to keep it"))
        else:
            kept[name] = value
    return EnvFilterResult(kept, tuple(dropped))

