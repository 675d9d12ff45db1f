"""Secret findings in any text file, built on the one catalog in blastshield.audit.redact.

Each catalog kind maps to one of four rules (key, provider token, password, generic);
the message names the kind and shows a masked form: never the secret itself.
"""

from __future__ import annotations

import bisect
import functools
import os
import re

from blastshield.audit.redact import SECRET_FORMATS, SecretMatch, describe, find_secrets
from blastshield.scan.finding import Confidence, Finding, RuleSpec
from blastshield.scan.registry import finding
from blastshield.scan.rules.secrets_rules import (
    SECRET_GENERIC,
    SECRET_PASSWORD,
    SECRET_PRIVATE_KEY,
    SECRET_TOKEN,
)

PASSWORD_KINDS = frozenset({"password-assignment", "url-password", "cli-user-password"})
GENERIC_KINDS = frozenset({"token-assignment", "high-entropy-assignment", "auth-header", "jwt",
                           "secret-field"})
# Files full of integrity hashes and generated blobs: high entropy by design, never hand-written secrets.
SKIP_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
    "Pipfile.lock", "uv.lock", "pdm.lock", "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock",
})
SKIP_SUFFIXES = (".min.js", ".min.css", ".js.map", ".css.map", ".svg")
# In program source a hard-coded secret is a string literal; an unquoted value after `name =` is an
# identifier or expression (`token = next_token()`), so assignment kinds must be quoted there.
# Configuration files (.env, YAML, INI, TOML, properties) keep unquoted values: they are literals.
ASSIGNMENT_KINDS = frozenset({"password-assignment", "token-assignment", "high-entropy-assignment"})
CODE_EXTENSIONS = frozenset({
    ".py", ".pyw", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".java", ".kt", ".go", ".rb",
    ".php", ".cs", ".rs", ".swift", ".scala", ".c", ".h", ".cc", ".cpp", ".hpp", ".m", ".lua", ".dart",
})
_QUOTES = "\"'`"
_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "fixtures", "testdata", "spec", "__mocks__"})
_TEST_FILE = re.compile(r"^(?:test_.*|.*_test|.*\.(?:test|spec))\.[a-z]+$")


def in_tests(path: str) -> bool:
    """True for test code and fixtures, where literal passwords are usually deliberate fakes."""
    parts = path.replace("\\", "/").lower().split("/")
    return any(part in _TEST_DIRS for part in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def looks_random(value: str) -> bool:
    """A generic token mixes at least two of lower case, upper case and digits; a value made of
    lower-case words (`quoted-string`, `unstructured`) is a name, not a credential."""
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value)))
    return len(value) >= 8 and classes >= 2


_DEFAULT_PASSWORDS = frozenset({
    "root", "admin", "password", "passwd", "pass", "secret", "test", "testing", "changeme", "default",
    "guest", "user", "postgres", "mysql", "example", "demo", "123456", "12345678", "qwerty", "letmein",
    "toor", "dev", "development", "local", "localhost", "none", "null",
})


def default_grade(value: str) -> bool:
    """A password that is a well-known default or too short to be a real credential (``"root"``,
    ``"changeme"``, ``"1234"``): development scaffolding far more often than a leaked secret, so
    it is reported at low confidence (shown with --min-confidence low), as detect-secrets and
    gitleaks also treat low-entropy values."""
    bare = value.strip(_QUOTES).strip()
    return len(bare) < 8 or bare.lower() in _DEFAULT_PASSWORDS


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


@functools.cache
def _hint_pattern() -> re.Pattern[str]:
    hints = sorted({hint for fmt in SECRET_FORMATS for hint in fmt.hints}, key=len, reverse=True)
    return re.compile("|".join(re.escape(hint) for hint in hints))


def focus(text: str) -> str:
    """``text`` with every line blanked that neither holds one of the catalog's hints nor follows
    such a line. Line numbers and kept lines are unchanged, so matches map back exactly; the
    catalog's costly assignment patterns then run over a small part of a large source file.
    A text with a private-key marker is returned whole (key blocks span many lines)."""
    lowered = text.lower()
    if "private key" in lowered:
        return text
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", lowered)]
    keep: set[int] = set()
    for match in _hint_pattern().finditer(lowered):
        index = bisect.bisect_right(starts, match.start()) - 1
        keep.update((index, index + 1))
    lines = text.split("\n")
    if len(keep) >= len(lines):
        return text
    return "\n".join(line if i in keep else "" for i, line in enumerate(lines))


def analyze(path: str, text: str) -> list[Finding]:
    """Secret findings in ``text`` (the content of ``path``)."""
    name = os.path.basename(path)
    if name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES):
        return []
    text = focus(text)
    is_code = os.path.splitext(name)[1].lower() in CODE_EXTENSIONS
    out: list[Finding] = []
    for match in find_secrets(text):
        if is_code and match.kind in ASSIGNMENT_KINDS and (
                match.start == 0 or text[match.start - 1] not in _QUOTES):
            continue
        spec, family = _rule_for(match.kind)
        value = text[match.start:match.end]
        if family == "generic" and match.kind != "jwt" and not looks_random(value):
            continue
        confidence = _confidence(match)
        if family in ("password", "generic") and in_tests(path):
            confidence = Confidence.LOW
        if family == "password" and default_grade(value):
            confidence = Confidence.LOW
        end_line = match.line + value.count("\n")
        message = (f"{describe(match.kind)} ({match.kind}): {mask(value, family)} — anyone who can read "
                   "this file or its history can use it")
        out.append(finding(spec, path, match.line, message, end_line=end_line, confidence=confidence))
    return out
