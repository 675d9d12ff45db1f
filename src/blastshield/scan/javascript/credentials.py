"""Hard-coded credentials: literal strings in credential-named places, and known token formats."""

from __future__ import annotations

import math
import re
from collections import Counter

from blastshield.scan.finding import Confidence
from blastshield.scan.javascript.naming import SECRET_WORDS, has_word, words
from blastshield.scan.javascript.parse import Node, string_value

_TOKEN_FORMATS = re.compile(
    r"^(AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}|gh[pousr]_[0-9A-Za-z]{36,}|github_pat_\w{22,}|"
    r"xox[baprs]-[0-9A-Za-z-]{10,}|sk_(live|test)_[0-9A-Za-z]{16,}|sk-[A-Za-z0-9_-]{20,}|"
    r"glpat-[0-9A-Za-z_-]{20}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*|"
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\..*)$",
    re.DOTALL,
)
_PLACEHOLDER = re.compile(
    r"(?i)(x{3,}|\*{3,}|change.?me|your[_\- ]|<[^>]*>|\$\{|\{\{|example|placeholder|"
    r"dummy|sample|redacted|todo|fixme|replace|insert|secret_here|here$|^test|test$|"
    r"^process\.env|^env\.|^[A-Z_]+$|^\.\.\.|^none$|^null$|^undefined$|^password$)"
)


def hard_coded_credential(name: str, value: Node | None) -> tuple[str, Confidence | None] | None:
    """(message, confidence) when ``value`` is a literal credential stored under ``name``.

    The message never contains the value.
    """
    literal = string_value(value)
    if literal is None or len(literal) < 8 or " " in literal.strip():
        return None
    if _TOKEN_FORMATS.match(literal):
        return f"'{name[:40]}' holds a hard-coded credential in a known token format", Confidence.HIGH
    if not has_word(name, SECRET_WORDS) or has_word(name, _NOT_A_SECRET):
        return None
    lowered = literal.lower()
    if (
        _PLACEHOLDER.search(literal)
        or any(w in lowered for w in words(name) if len(w) > 3)
        or lowered.startswith(("http://", "https://", "/", "./"))
        or _entropy(literal) < 2.5
    ):
        return None
    return f"'{name[:40]}' is assigned a hard-coded credential", None


_NOT_A_SECRET = frozenset(
    {"url", "uri", "path", "file", "name", "type", "header", "field", "label", "endpoint", "route"}
)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())
