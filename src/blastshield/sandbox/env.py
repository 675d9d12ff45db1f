"""Which environment variables reach the sandboxed command.

Only names the policy's ``[env] pass`` list matches get through (a built-in baseline when
the policy has no pass list), never a name ``[env] deny`` matches, and never a variable
that looks like a credential (by name or by value) unless a pass entry names it exactly,
without wildcards. Plain data in, plain data out.
"""

from __future__ import annotations

import fnmatch
import re

from blastshield.policy.model import EnvRules

TYPE_CHECKING = False  # typing only for mypy (Final marks the read-only fields)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Final

#: Used when the policy has no ``[env] pass`` list.
BASELINE_PASS = ("PATH", "HOME", "LANG", "LANGUAGE", "LC_*", "TERM", "COLORTERM", "TZ",
                 "USER", "LOGNAME", "SHELL", "EDITOR", "PAGER", "NO_COLOR", "FORCE_COLOR")

# Compiled on first use (``re``'s own cache): only a variable passed by a wildcard is checked.
_CREDENTIAL_NAME = (
    r"TOKEN|SECRET|PASSW(?:OR)?D|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|"
    r"SESSION|COOKIE|(?:^|_)KEY$|(?:^|_)PAT$|(?:^|_)DSN$|^AWS_|^AZURE_|^GCP_|^GOOGLE_APPLICATION|"
    r"^OPENAI_|^ANTHROPIC_|^HF_|^NPM_CONFIG__AUTH|^PGPASS")
_CREDENTIAL_VALUE = (
    r"://[^/\s:@]+:[^/\s@]+@|-----BEGIN [A-Z ]*PRIVATE KEY|\bgh[pousr]_[A-Za-z0-9]{20,}|"
    r"\bAKIA[0-9A-Z]{16}\b|\bxox[abpr]-|\bsk-[A-Za-z0-9_-]{20,}")

#: Set by the sandbox itself; an outer value never passes through.
OWNED_NAMES = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                         "all_proxy", "NO_PROXY", "no_proxy", "FTP_PROXY", "ftp_proxy"})


class EnvFilterResult:
    __slots__ = ("dropped", "kept")

    def __init__(self, kept: dict[str, str], dropped: tuple[tuple[str, str], ...]) -> None:
        self.kept: Final = kept
        self.dropped: Final = dropped  # (name, why) — names only, never values


def looks_like_credential(name: str, value: str) -> bool:
    return bool(re.search(_CREDENTIAL_NAME, name, re.IGNORECASE) or re.search(_CREDENTIAL_VALUE, value))


def _any_of(globs: Iterable[str]) -> re.Pattern[str] | None:
    """One regex that matches a name exactly when one of ``globs`` does (``fnmatchcase`` each):
    one compile for the list instead of one per glob."""
    texts = [fnmatch.translate(glob) for glob in globs]
    return re.compile("|".join(texts)) if texts else None


def filter_environment(environ: Mapping[str, str], rules: EnvRules) -> EnvFilterResult:
    passes = tuple(p.text for p in rules.pass_) or BASELINE_PASS
    exact = {text for text in passes if not any(ch in text for ch in "*?[")}
    denied = _any_of(p.text for p in rules.deny)
    passed = _any_of(passes)
    kept: dict[str, str] = {}
    dropped: list[tuple[str, str]] = []
    for name in sorted(environ):
        value = environ[name]
        if name in OWNED_NAMES:
            dropped.append((name, "set by the sandbox"))
        elif denied is not None and denied.match(name) is not None:
            dropped.append((name, "matches [env] deny"))
        elif name not in exact and (passed is None or passed.match(name) is None):
            dropped.append((name, "not in [env] pass"))
        elif name not in exact and looks_like_credential(name, value):
            dropped.append((name, "looks like a credential; name it exactly in [env] pass to keep it"))
        else:
            kept[name] = value
    return EnvFilterResult(kept, tuple(dropped))

