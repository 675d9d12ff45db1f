"""TOML → Policy, with one-line errors that name the file, line, key and the fix."""

from __future__ import annotations

import os

from blastshield.effects import Mode, Verdict
from blastshield.errors import PolicyError
from blastshield.paths import ancestors, expand, home_dir
from blastshield.policy import tables
from blastshield.policy.globs import glob_to_regex
from blastshield.policy.match import split_command_pattern
from blastshield.policy.model import (
    AuditSettings,
    EnvRules,
    FileRules,
    ListRules,
    Pattern,
    Policy,
    ScanSettings,
)
from blastshield.sha256 import sha256_hex

TYPE_CHECKING = False  # typing only for mypy: this module is on the hook and `run` start-up paths
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

POLICY_DIR = ".blastshield"
POLICY_FILE = "policy.toml"

_TOP_KEYS = {"version", "mode", "files", "commands", "network", "mcp", "env", "audit", "scan"}
_TABLE_KEYS: dict[str, set[str]] = {
    "files": {"read", "write", "ask", "deny", "default"},
    "commands": {"allow", "ask", "deny", "default"},
    "network": {"allow", "ask", "deny", "default"},
    "mcp": {"allow", "ask", "deny", "default"},
    "env": {"pass", "deny", "default"},
    "audit": set(AuditSettings.__slots__),
    "scan": set(ScanSettings.__slots__),
}
_SEVERITIES = ("low", "medium", "high", "critical")
_CONFIDENCES = ("low", "medium", "high")


def find_policy(start: str) -> str | None:
    """The nearest ``.blastshield/policy.toml`` at or above ``start``."""
    for folder in ancestors(os.path.realpath(start)):
        candidate = os.path.join(folder, POLICY_DIR, POLICY_FILE)
        if os.path.isfile(candidate):
            return candidate
    return None


def workspace_of(policy_path: str) -> str:
    """The workspace a policy governs: the parent of its ``.blastshield`` folder."""
    directory = os.path.dirname(os.path.realpath(policy_path))
    if os.path.basename(directory) == POLICY_DIR:
        return os.path.dirname(directory)
    return directory


def load_policy(path: str, workspace: str | None = None, *, tables_cache: str | None = None) -> Policy:
    """Read and validate a policy file. Raises PolicyError with a one-line message.

    ``tables_cache``: a folder where the parsed TOML is kept between runs (``policy.tables``;
    ``blastshield run`` passes one); the file is read and validated either way."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise PolicyError(
            f"{path}: cannot read policy ({exc.strerror})",
            hint="run `blastshield init` or pass --policy PATH",
        ) from exc
    return parse_policy(raw, path, workspace or workspace_of(path), tables_cache=tables_cache)


def parse_policy(raw: bytes, path: str, workspace: str, *, tables_cache: str | None = None) -> Policy:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text", hint="save the policy as UTF-8") from exc
    digest = sha256_hex(raw)  # blastshield.sha256: no OpenSSL start-up
    data = tables.cached(tables_cache, path, digest) if tables_cache else None
    if data is None:
        import tomllib  # ~10 ms with what it imports: not when the tables are kept

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{path}: invalid TOML: {exc}", hint="fix the syntax there") from exc
        if tables_cache:
            tables.store(tables_cache, path, digest, data)
    return _Builder(path, text, os.path.realpath(workspace)).build(data, digest)


class _Builder:
    def __init__(self, path: str, text: str, workspace: str) -> None:
        self.path = path
        self.text = text
        self.workspace = workspace
        self.home = home_dir()

    def fail(self, key: str, problem: str, fix: str) -> PolicyError:
        line = self._line_of(key)
        where = f"{self.path}:{line}" if line else self.path
        return PolicyError(f"{where}: {key}: {problem}", hint=fix)

    def _line_of(self, key: str) -> int | None:
        import re  # errors only: a valid policy loads without it

        table, _, leaf = key.rpartition(".")
        leaf = leaf.split("[")[0]
        in_table = not table
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                in_table = stripped.strip("[] ") == table
                continue
            if in_table and re.match(rf"{re.escape(leaf)}\s*=", stripped):
                return number
        return None

    def build(self, data: dict[str, Any], digest: str) -> Policy:
        self._check_keys(data, "", _TOP_KEYS)
        version = data.get("version", 1)
        if version != 1:
            raise self.fail("version", f"unsupported version {version!r}", "set version = 1")
        mode_text = self._string(data, "mode", "enforce")
        try:
            mode = Mode(mode_text)
        except ValueError:
            raise self.fail(
                "mode", f"unknown mode {mode_text!r}", "use enforce, shadow or learn"
            ) from None
        tables = {name: self._table(data, name) for name in _TABLE_KEYS}
        files = tables["files"]
        return Policy(
            path=os.path.realpath(self.path),
            workspace=self.workspace,
            digest=digest,
            version=1,
            mode=mode,
            files=FileRules(
                read=self._paths(files, "files", "read"),
                write=self._paths(files, "files", "write"),
                ask=self._paths(files, "files", "ask"),
                deny=self._paths(files, "files", "deny"),
                default=self._verdict(files, "files", Verdict.ASK),
            ),
            commands=self._list_rules(tables["commands"], "commands", self._command, Verdict.ASK),
            network=self._list_rules(tables["network"], "network", self._host, Verdict.DENY),
            mcp=self._list_rules(tables["mcp"], "mcp", self._plain, Verdict.ASK),
            env=EnvRules(
                pass_=self._patterns(tables["env"], "env", "pass", self._plain),
                deny=self._patterns(tables["env"], "env", "deny", self._plain),
                default=self._verdict(tables["env"], "env", Verdict.ALLOW),
            ),
            audit=self._settings(tables["audit"], "audit", AuditSettings),
            scan=self._scan(tables["scan"]),
        )

    def _check_keys(self, table: dict[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                import difflib  # only on errors: off the hook's import path

                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                fix = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(sorted(allowed))}"
                raise self.fail(f"{prefix}{key}", "unknown key", fix)

    def _table(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise self.fail(name, "must be a table", f"write it as [{name}]")
        self._check_keys(table, f"{name}.", _TABLE_KEYS[name])
        return table

    def _string(self, table: dict[str, Any], key: str, default: str, prefix: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"{prefix}{key}", f"must be a string, not {type(value).__name__}",
                            f'quote it: {key} = "..."')
        return value

    def _verdict(self, table: dict[str, Any], name: str, default: Verdict) -> Verdict:
        text = self._string(table, "default", default.value, f"{name}.")
        try:
            return Verdict(text)
        except ValueError:
            raise self.fail(f"{name}.default", f"unknown decision {text!r}",
                            "use allow, ask or deny") from None

    def _patterns(self, table: dict[str, Any], name: str, key: str,
                  check: Callable[[str, str], None]) -> tuple[Pattern, ...]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{name}.{key}", f"must be a list of strings, not {type(value).__name__}",
                            f'write {key} = ["..."]')
        out: list[Pattern] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{name}.{key}[{index}]", "must be a non-empty string",
                                "quote each pattern")
            check(item, f"{name}.{key}[{index}]")
            out.append(Pattern(item, name, key, index))
        return tuple(out)

    def _paths(self, table: dict[str, Any], name: str, key: str) -> tuple[Pattern, ...]:
        patterns = self._patterns(table, name, key, self._path)
        return tuple(
            Pattern(self._expand_path(p.text), p.table, p.key, p.index, p.text) for p in patterns
        )

    def _expand_path(self, pattern: str) -> str:
        text = expand(pattern, self.workspace, self.home)
        if not text.startswith("/") and not text.startswith("**"):
            text = os.path.join(self.workspace, text)
        return text

    def _path(self, pattern: str, key: str) -> None:
        try:
            glob_to_regex(pattern)
        except ValueError as exc:
            raise self.fail(key, f"bad glob {pattern!r}: {exc}", "close the [...] class") from exc

    def _command(self, pattern: str, key: str) -> None:
        try:
            split_command_pattern(pattern)
        except PolicyError as exc:
            raise self.fail(key, exc.message, "balance the quotes") from exc

    def _host(self, pattern: str, key: str) -> None:
        text = pattern
        if text.count(":") == 1:
            text, _, port = text.partition(":")
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise self.fail(key, f"bad port in {pattern!r}", "use host:PORT with 1-65535")
        if "/" in text:
            import ipaddress  # only for CIDR patterns: off the hook's import path

            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError as exc:
                raise self.fail(key, f"bad CIDR {text!r}", "write e.g. 10.0.0.0/8") from exc
        elif "*" in text[1:] or (text.startswith("*") and not text.startswith("*.") and text != "*"):
            raise self.fail(key, f"bad host pattern {pattern!r}", "use a name or *.suffix")

    def _plain(self, pattern: str, key: str) -> None:
        return None

    def _list_rules(self, table: dict[str, Any], name: str, check: Callable[[str, str], None],
                    default: Verdict) -> ListRules:
        return ListRules(
            allow=self._patterns(table, name, "allow", check),
            ask=self._patterns(table, name, "ask", check),
            deny=self._patterns(table, name, "deny", check),
            default=self._verdict(table, name, default),
        )

    def _settings(self, table: dict[str, Any], name: str, cls: type[AuditSettings]) -> AuditSettings:
        values: dict[str, Any] = {}
        for field in cls.__slots__:
            if field not in table:
                continue
            value = table[field]
            expected = type(getattr(cls(), field))
            if type(value) is not expected:
                raise self.fail(f"{name}.{field}", f"must be {expected.__name__}",
                                f"see docs/policy.md [{name}]")
            values[field] = value
        if values.get("synchronous", "FULL") not in ("FULL", "NORMAL"):
            raise self.fail(f"{name}.synchronous", "must be FULL or NORMAL", 'write "FULL"')
        if values.get("checkpoint_every", 100) < 1:
            raise self.fail(f"{name}.checkpoint_every", "must be at least 1", "use e.g. 100")
        return cls(**values)

    def _scan(self, table: dict[str, Any]) -> ScanSettings:
        values: dict[str, Any] = {}
        for field in ScanSettings.__slots__:
            if field not in table:
                continue
            value = table[field]
            expected = type(getattr(ScanSettings(), field))
            if type(value) is not expected:
                raise self.fail(f"scan.{field}", f"must be {expected.__name__}",
                                "see docs/policy.md [scan]")
            values[field] = value
        for key in ("feedback_severity", "fail_on"):
            if values.get(key, "high") not in _SEVERITIES:
                raise self.fail(f"scan.{key}", "unknown severity", "use " + ", ".join(_SEVERITIES))
        if values.get("min_confidence", "medium") not in _CONFIDENCES:
            raise self.fail("scan.min_confidence", "unknown confidence", "use low, medium or high")
        return ScanSettings(**values)
