"""Secret detection and redaction: one catalog, shared by the flight recorder and the scanner.

:data:`SECRET_FORMATS` is a data table, one row per secret format with a stable ``kind``
id (the scanner's secret rules and the ``[REDACTED:<kind>:...]`` markers use it). Each
row names cheap literal ``hints``: a regex runs (and is compiled) only when one of its
hints occurs in the text, which keeps the hook path fast on ordinary commands.

:func:`find_secrets` returns positions only, never the secret text.
:func:`redact_text` replaces each secret with ``[REDACTED:<kind>:<short keyed hash>]``:
the same secret gives the same marker in every record (so one leak correlates across
records) while the HMAC key, kept outside the workspace, stops anyone from testing
guesses against the log.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from typing import Any

from blastshield.values import FrozenValue

HIGH, MEDIUM, LOW = "high", "medium", "low"


class SecretFormat(FrozenValue):
    """One kind of secret. ``group`` is the regex group that holds the secret itself.

    (Plain slotted classes, not NamedTuples: this module loads in every hook process.)
    """

    __slots__ = ("check_placeholder", "confidence", "description", "group", "hints", "kind", "min_entropy",
                 "pattern")
    kind: str
    description: str
    pattern: str
    hints: tuple[str, ...]  # lower-case literals; the regex runs only if one occurs
    confidence: str
    group: str | int  # a name, or "a|b|c": the first of those groups that matched
    min_entropy: float  # Shannon bits per char the secret must reach
    check_placeholder: bool

    def __init__(self, kind: str, description: str, pattern: str, hints: tuple[str, ...],
                 confidence: str = HIGH, group: str | int = 0, min_entropy: float = 0.0,
                 check_placeholder: bool = True) -> None:
        for name, value in (("kind", kind), ("description", description), ("pattern", pattern),
                            ("hints", hints), ("confidence", confidence), ("group", group),
                            ("min_entropy", min_entropy), ("check_placeholder", check_placeholder)):
            object.__setattr__(self, name, value)


class SecretMatch(FrozenValue):
    """Where a secret is: ``text[start:end]``, 1-based ``line``. Never holds the secret."""

    __slots__ = ("confidence", "end", "kind", "line", "start")
    kind: str
    start: int
    end: int
    line: int
    confidence: str

    def __init__(self, kind: str, start: int, end: int, line: int, confidence: str) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "confidence", confidence)


_B = r"(?<![A-Za-z0-9_\-])"  # start boundary that also treats - and _ as word characters
_E = r"(?![A-Za-z0-9_\-])"
_PASSWORD_NAMES = r"(?:password|passwd|passphrase|(?<![a-z])pass(?![a-z]))"
_TOKEN_NAMES = (r"(?:secret|token|api[_\-]?key|apikey|access[_\-]?key|auth[_\-]?key|client[_\-]?secret"
                r"|private[_\-]?key|secret[_\-]?key)")
_ENTROPY_NAMES = r"(?:key|auth|credential|creds?|signature|salt|cookie|session|dsn|conn(?:ection)?[_\-]?str)"


def _assignment(names: str, unquoted: str, shortest: int) -> str:
    """``name = value`` / ``name: value`` / ``"name": "value"`` / ``--name value``; groups dq|sq|value."""
    # Every repetition is bounded: an unbounded name part before the keyword made a long
    # identifier-like run (a base64 blob containing "key") cost quadratic time.
    low = str(shortest)
    return (
        r"(?i)(?:(?<![A-Za-z0-9_.\-])[A-Za-z0-9_.\-]{0,40}" + names + r"[A-Za-z0-9_.\-]{0,40}[\"']?[ \t]{0,8}"
        r"(?:=|:=|=>|:)[ \t]{0,8}"
        r"|--[a-z\-]{0,30}" + names + r"[a-z\-]{0,30}[ \t]{1,8})"
        r"(?:\"(?P<dq>[^\"\n]{" + low + r",512})\"|'(?P<sq>[^'\n]{" + low + r",512})'"
        r"|(?P<value>" + unquoted + "{" + low + ",512}))"
    )


_UNQUOTED = r"[^\s\"'`&;,|)}\]]"
_ASSIGNED = "dq|sq|value"

SECRET_FORMATS: tuple[SecretFormat, ...] = (
    SecretFormat("private-key", "PEM private key block",
                 r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY"
                 r"(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,\-\\n]*)", ("private key",)),
    SecretFormat("aws-access-key-id", "AWS access key id",
                 _B + r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}" + _E,
                 ("akia", "asia", "abia", "acca", "a3t")),
    SecretFormat("aws-secret-access-key", "AWS secret access key next to its name",
                 r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*(?:=|:=|=>|:)\s*[\"']?(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
                 ("aws_secret", "awssecret", "secret_access", "secretaccess"), group="value"),
    SecretFormat("github-fine-grained-pat", "GitHub fine-grained personal access token",
                 _B + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _E, ("github_pat_",)),
    SecretFormat("github-token", "GitHub token (personal, OAuth, app, refresh)",
                 _B + r"gh[pousr]_[A-Za-z0-9]{36,255}" + _E, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    SecretFormat("gitlab-token", "GitLab token (personal, deploy, runner, pipeline, ...)",
                 _B + r"(?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt|gloas|glimt|glagent)-[A-Za-z0-9_\-]{20,}",
                 ("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "glcbt-", "gloas-", "glimt-",
                  "glagent-")),
    SecretFormat("slack-token", "Slack bot, user, app or config token",
                 _B + r"(?:xox[abposr]-[0-9A-Za-z\-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"
                 r"|xoxe(?:\.xox[bp])?-\d-[A-Z0-9]{20,})", ("xox", "xapp-")),
    SecretFormat("slack-webhook", "Slack incoming webhook URL",
                 r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}",
                 ("hooks.slack.com",)),
    SecretFormat("stripe-key", "Stripe secret or restricted key",
                 _B + r"(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{16,}" + _E, ("sk_live", "sk_test", "sk_prod",
                                                                          "rk_live", "rk_test", "rk_prod")),
    SecretFormat("anthropic-api-key", "Anthropic API key",
                 _B + r"sk-ant-(?:api|admin|sid|oat)\d{2}-[A-Za-z0-9_\-]{32,}", ("sk-ant-",)),
    SecretFormat("openai-api-key", "OpenAI API key",
                 _B + r"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{20,}"
                 r"|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})" + _E, ("sk-",)),
    SecretFormat("google-api-key", "Google API key",
                 _B + r"AIza[0-9A-Za-z_\-]{35}" + _E, ("aiza",)),
    SecretFormat("google-oauth-secret", "Google OAuth client secret",
                 _B + r"GOCSPX-[A-Za-z0-9_\-]{28}" + _E, ("gocspx-",)),
    SecretFormat("google-oauth-token", "Google OAuth access token",
                 _B + r"ya29\.[0-9A-Za-z_\-]{30,}", ("ya29.",)),
    SecretFormat("npm-token", "npm access token", _B + r"npm_[A-Za-z0-9]{36}" + _E, ("npm_",)),
    SecretFormat("pypi-token", "PyPI upload token", _B + r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
                 ("pypi-ageichlwas5vcmc",)),
    SecretFormat("huggingface-token", "Hugging Face access token", _B + r"hf_[A-Za-z]{34}" + _E, ("hf_",)),
    SecretFormat("sendgrid-key", "SendGrid API key",
                 _B + r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}" + _E, ("sg.",)),
    SecretFormat("jwt", "JSON Web Token",
                 _B + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*", ("eyj",),
                 confidence=MEDIUM),
    SecretFormat("url-password", "password inside a URL (scheme://user:password@host)",
                 r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@\"'`]{1,128}:(?P<value>[^\s@/\"'`]{1,256})@",
                 ("://",), group="value"),
    SecretFormat("cli-user-password", "user:password given to curl, wget, ... (-u / --user)",
                 r"(?:^|\s)(?:-u|--user|--proxy-user)[ =][\"']?[^\s:\"']{1,64}:(?P<value>[^\s\"']{3,})",
                 ("-u", "--user", "--proxy-user"), confidence=MEDIUM, group="value"),
    SecretFormat("auth-header", "credentials in an Authorization header",
                 r"(?i)\b(?:authorization\s*:\s*)?(?:bearer|basic|token)\s+(?P<value>[A-Za-z0-9._~+/\-]{16,}=*)",
                 ("bearer", "basic", "token "), confidence=MEDIUM, group="value", min_entropy=3.0),
    SecretFormat("password-assignment", "a password assigned to a password-like name",
                 _assignment(_PASSWORD_NAMES, _UNQUOTED, 4),
                 ("pass",), confidence=MEDIUM, group=_ASSIGNED),
    SecretFormat("token-assignment", "a secret or token assigned to a secret-like name",
                 _assignment(_TOKEN_NAMES, _UNQUOTED, 8),
                 ("secret", "token", "key"), confidence=MEDIUM, group=_ASSIGNED, min_entropy=2.0),
    SecretFormat("high-entropy-assignment", "a high-entropy string assigned to a key-like name",
                 _assignment(_ENTROPY_NAMES, r"[A-Za-z0-9+/=_\-.~]", 16),
                 ("key", "auth", "cred", "signature", "salt", "cookie", "session", "dsn", "conn"),
                 confidence=LOW, group=_ASSIGNED, min_entropy=3.5),
)

_KIND_INDEX = {fmt.kind: i for i, fmt in enumerate(SECRET_FORMATS)}

_PLACEHOLDER_WORDS = (
    "example", "xxxx", "****", "changeme", "change_me", "change-me", "placeholder", "dummy", "your_",
    "your-", "yourkey", "redacted", "<", ">", "${", "{{", "}}", "fake", "sample", "not-a-real", "notreal",
    "insert", "replace", "todo", "...",
)
_PLACEHOLDER_EXACT = frozenset({
    "password", "passwd", "secret", "token", "none", "null", "nil", "true", "false", "undefined",
    "string", "str", "bytes", "optional", "required", "hunter2hunter2", "test", "testing", "default",
    "prompt", "env", "environ", "getenv", "config", "settings", "self", "this", "value", "empty",
})
# A quoted "value" that is really code between two string literals: SQL or HTML built by
# concatenation ("... password='" + pw + "'") puts the operator and the next literal's quote
# inside the quotes the assignment pattern saw. A real secret holds no quote-operator pair.
_CODE_BETWEEN_LITERALS = (r"[\"'`]\s*(?:\+|\|\||%|,)|(?:\+|\|\||,)\s*[\"'`]"
                          r"|^\s*(?:\+|\|\|)\s|\s(?:\+|\|\|)\s*$")
_REFERENCE = r"^(?:\$\{?[A-Za-z_]\w*\}?|%[A-Za-z_]\w*%|[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+|\w+\(.*)$"


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.cache
def _compiled(index: int) -> re.Pattern[str]:
    return re.compile(SECRET_FORMATS[index].pattern)


@functools.cache
def _hint_rows() -> tuple[tuple[str, tuple[int, ...]], ...]:
    """(hint, catalog rows naming it), built once per process without compiling anything."""
    rows: dict[str, list[int]] = {}
    for index, fmt in enumerate(SECRET_FORMATS):
        for hint in fmt.hints:
            rows.setdefault(hint, []).append(index)
    return tuple((hint, tuple(found)) for hint, found in rows.items())


def _candidate_rows(lowered: str) -> list[int]:
    """Catalog rows one of whose hints occurs in ``lowered``, in catalog order.

    Plain substring tests (C speed, nothing to compile): a short-lived hook process pays
    microseconds here instead of compiling one large alternation first.
    """
    wanted = {i for hint, indexes in _hint_rows() if hint in lowered for i in indexes}
    return sorted(wanted)


def is_placeholder(value: str) -> bool:
    """True for obvious non-secrets: EXAMPLE, xxxx, <your-key>, changeme, ${VAR}, $VAR, %VAR%."""
    lowered = value.lower().strip("\"'`")
    if lowered in _PLACEHOLDER_EXACT or len(set(lowered)) <= 2:
        return True
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return True
    return lowered.startswith(("$", "%"))


def spans_code(value: str) -> bool:
    """True when a quoted capture is code between two string literals, not one literal's text."""
    return bool(_regex(_CODE_BETWEEN_LITERALS).search(value))


def is_reference(value: str) -> bool:
    """An unquoted value that names something instead of being a literal: ``os.environ[...]``,
    ``get_token()``, ``self.password``, ``$VAR``."""
    return any(ch in value for ch in "([") or bool(_regex(_REFERENCE).match(value))


def shannon_entropy(value: str) -> float:
    """Bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def find_secrets(text: str) -> list[SecretMatch]:
    """Every secret in ``text``, left to right, without overlaps (earlier catalog rows win ties)."""
    if not text:
        return []
    found: list[tuple[int, int, int, str, str]] = []
    for index in _candidate_rows(text.lower()):
        fmt = SECRET_FORMATS[index]
        for match in _compiled(index).finditer(text):
            start, end = _span(match, fmt.group)
            if start < 0 or end <= start:
                continue
            value = text[start:end]
            if fmt.check_placeholder and (is_placeholder(value) or spans_code(value)):
                continue
            if match.groupdict().get("value") is not None and start == match.start("value") \
                    and is_reference(value):
                continue
            if fmt.min_entropy and shannon_entropy(value) < fmt.min_entropy:
                continue
            found.append((start, -(end - start), index, fmt.kind, fmt.confidence))
    found.sort()
    accepted: list[SecretMatch] = []
    starts: list[int] | None = None
    last_end = -1
    for start, negative_length, _index, kind, confidence in found:
        end = start - negative_length
        if start < last_end:
            continue
        if starts is None:
            starts = _line_starts(text)
        line = _bisect_line(starts, start)
        accepted.append(SecretMatch(kind, start, end, line, confidence))
        last_end = end
    return accepted


def _span(match: re.Match[str], group: str | int) -> tuple[int, int]:
    if isinstance(group, int):
        return match.span(group)
    for name in group.split("|"):
        if match.group(name) is not None:
            return match.span(name)
    return (-1, -1)


def _bisect_line(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)


def marker(kind: str, secret: str, key: bytes) -> str:
    """``[REDACTED:<kind>:<8 hex of HMAC-SHA256(key, secret)>]``."""
    import hashlib
    import hmac

    digest = hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:8]
    return f"[REDACTED:{kind}:{digest}]"


def redact_text(text: str, key: bytes) -> str:
    """``text`` with every secret replaced by its marker."""
    matches = find_secrets(text)
    if not matches:
        return text
    parts: list[str] = []
    position = 0
    for item in matches:
        parts.append(text[position:item.start])
        parts.append(marker(item.kind, text[item.start:item.end], key))
        position = item.end
    parts.append(text[position:])
    return "".join(parts)


#: Field names whose string value is replaced whole: a name containing one of these words
#: (case-insensitive substring match, so ``DB_PASSWORD`` and ``x-api-key`` count).
_SECRET_FIELD_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key",
                       "accesskey", "access_key", "access-key", "privatekey", "private_key", "private-key",
                       "credential", "authorization", "cookie")


@functools.lru_cache(maxsize=4096)  # records repeat their field names
def is_secret_field(name: str) -> bool:
    """True when a field called ``name`` holds a secret (``password``, ``api_key``, ``Cookie``, ...)."""
    folded = name.casefold()
    for word in _SECRET_FIELD_WORDS:  # noqa: SIM110 (a loop: no generator per field name)
        if word in folded:
            return True
    return False


def redact_json(value: Any, key: bytes) -> Any:
    """A copy of a JSON-like value with every string redacted.

    A string stored under a secret-like field name (``password``, ``api_key``, ...) is
    replaced whole (kind ``secret-field``) unless it is an obvious placeholder.
    """
    if isinstance(value, str):
        return redact_text(value, key)
    if isinstance(value, list | tuple):
        return [redact_json(item, key) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, item in value.items():
            name_text = str(name)
            if (isinstance(item, str) and item and is_secret_field(name_text)
                    and not is_placeholder(item) and not item.startswith("[REDACTED:")):
                out[name_text] = marker("secret-field", item, key)
            else:
                out[name_text] = redact_json(item, key)
        return out
    return value


@functools.cache
def _sufficient_hints() -> tuple[str, ...]:
    """The hints that hold no other hint: one of them occurs wherever any hint occurs."""
    hints = [hint for hint, _ in _hint_rows()]
    return tuple(hint for hint in hints if not any(other != hint and other in hint for other in hints))


def has_hint(lowered: str) -> bool:
    """True when a catalog hint occurs in ``lowered``: only then can :func:`find_secrets` find
    anything in it (its regexes run only where one of their hints occurs)."""
    for hint in _sufficient_hints():  # noqa: SIM110 (a loop: no generator per record)
        if hint in lowered:
            return True
    return False


def describe(kind: str) -> str:
    """The human description of a secret kind ("secret-field" included)."""
    if kind == "secret-field":
        return "a value stored under a secret-like field name"
    index = _KIND_INDEX.get(kind)
    return SECRET_FORMATS[index].description if index is not None else kind
