"""Secret findings in any text file, built on the one catalog in blastshield.audit.redact.

Each catalog kind maps to one of four rules (key, provider token, password, generic);
the message names the kind and shows a masked form: never the secret itself.
"""

from __future__ import annotations

import os

from blastshield.audit.redact import SecretMatch, describe, find_secrets
from blastshield.scan.finding import Confidence, Finding, RuleSpec
from blastshield.scan.registry import finding
from blastshield.scan.rules.secrets_rules import (
    SECRET_GENERIC,
    SECRET_PASSWORD,
    SECRET_PRIVATE_KEY,
    SECRET_TOKEN,
)

PASSWORD_KINDS = frozenset({"password-assignment", "url-password"})
GENERIC_KINDS = frozenset({"token-assignment", "high-entropy-assignment", "auth-header", "jwt",
                           "secret-field"})
# Files full of integrity hashes and generated blobs: high entropy by design, never hand-written secrets.
SKIP_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
    "Pipfile.lock", "uv.lock", "pdm.lock", "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock",
})
SKIP_SUFFIXES = (".min.js", ".min.css", ".js.map", ".css.map", ".svg")


def _rule_for(kind: str) -> tuple[RuleSpec, str]:
    if kind == "private-key":
        return SECRET_PRIVATE_KEY, "key"
    if kind in PASSWORD_KINDS:
        return SECRET_PASSWORD, "password"
    if kind in GENERIC_KINDS:
        return SECRET_GENERIC, "generic"
    return SECRET_TOKEN, "token"


def mask(value: str, family: str) -> str:
    """A form safe to print: a provider token keeps its public prefix (up to 4 characters of a
    value of 20 or more) and its length; everything else is stars."""
    if family == "key":
        return "-----BEGIN … PRIVATE KEY----- block"
    if family == "token" and len(value) >= 20:
        return f"{value[:4]}{'*' * 8} ({len(value)} chars)"
    return "********"


def _confidence(match: SecretMatch) -> Confidence:
    try:
        return Confidence(match.confidence)
    except ValueError:
        return Confidence.LOW


def analyze(path: str, text: str) -> list[Finding]:
    """Secret findings in ``text`` (the content of ``path``)."""
    name = os.path.basename(path)
    if name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES):
        return []
    out: list[Finding] = []
    for match in find_secrets(text):
        spec, family = _rule_for(match.kind)
        value = text[match.start:match.end]
        end_line = match.line + value.count("\n")
        message = (f"{describe(match.kind)} ({match.kind}): {mask(value, family)} — anyone who can read "
                   "this file or its history can use it")
        out.append(finding(spec, path, match.line, message, end_line=end_line,
                           confidence=_confidence(match)))
    return out
