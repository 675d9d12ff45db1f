"""Ask a package registry whether a name exists and when it was first published.

PyPI: ``GET <BLASTSHIELD_PYPI_URL or https://pypi.org/pypi>/<name>/json`` — first
publication = earliest ``upload_time_iso_8601`` over all release files. npm: ``GET
<BLASTSHIELD_NPM_URL or https://registry.npmjs.org>/<name>`` — ``time.created``. A 404
means the name does not exist. Answers are cached per process; requests are bounded
(timeout, count) and any other failure is reported, never guessed.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blastshield.errors import ScanError
from blastshield.scan.deps_manifests import PYPI

DEFAULT_URLS = {"pypi": "https://pypi.org/pypi", "npm": "https://registry.npmjs.org"}
URL_VARIABLES = {"pypi": "BLASTSHIELD_PYPI_URL", "npm": "BLASTSHIELD_NPM_URL"}
TIMEOUT_SECONDS = 8.0
MAX_REQUESTS = 300  # per process: a scan never turns into a crawl of the registry
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RegistryAnswer:
    exists: bool
    first_published: datetime | None = None

    def age_days(self, now: datetime | None = None) -> float | None:
        if self.first_published is None:
            return None
        return ((now or datetime.now(UTC)) - self.first_published).total_seconds() / 86400


_cache: dict[tuple[str, str], RegistryAnswer] = {}
_requests = 0


def _url(name: str, ecosystem: str) -> str:
    base = os.environ.get(URL_VARIABLES[ecosystem]) or DEFAULT_URLS[ecosystem]
    if ecosystem == PYPI:
        return f"{base.rstrip('/')}/{urllib.parse.quote(name, safe='')}/json"
    return f"{base.rstrip('/')}/{urllib.parse.quote(name, safe='@')}"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _first_published(document: Any, ecosystem: str) -> datetime | None:
    if not isinstance(document, dict):
        return None
    if ecosystem == PYPI:
        times = [_parse_time(f.get("upload_time_iso_8601") or f.get("upload_time"))
                 for files in (document.get("releases") or {}).values() if isinstance(files, list)
                 for f in files if isinstance(f, dict)]
        known = [t for t in times if t is not None]
        return min(known) if known else None
    times_table = document.get("time")
    return _parse_time(times_table.get("created")) if isinstance(times_table, dict) else None


def ask(name: str, ecosystem: str) -> RegistryAnswer:
    """Whether ``name`` exists on the ecosystem's registry, and since when. Raises ScanError
    when the registry cannot be asked (network, unexpected answer, request budget spent)."""
    global _requests
    key = (ecosystem, name.lower())
    if key in _cache:
        return _cache[key]
    if _requests >= MAX_REQUESTS:
        raise ScanError(f"{ecosystem} registry: more than {MAX_REQUESTS} look-ups in one scan; "
                        f"'{name}' was not checked")
    _requests += 1
    url = _url(name, ecosystem)
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "blastshield-scan"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            document = json.loads(response.read(MAX_BODY_BYTES))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            answer = RegistryAnswer(exists=False)
            _cache[key] = answer
            return answer
        raise ScanError(f"{ecosystem} registry answered HTTP {exc.code} for '{name}'",
                        hint=f"retry later, or set {URL_VARIABLES[ecosystem]} to a mirror") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScanError(f"{ecosystem} registry unreachable while checking '{name}' ({reason})",
                        hint="your network may block it; without --online the offline lists are used",
                        ) from None
    except ValueError:
        raise ScanError(f"{ecosystem} registry sent a non-JSON answer for '{name}'") from None
    answer = RegistryAnswer(exists=True, first_published=_first_published(document, ecosystem))
    _cache[key] = answer
    return answer
