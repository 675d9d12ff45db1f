"""Host adapters: one module per agent host. ``ADAPTERS`` is the one registration point."""

from __future__ import annotations

import importlib

from blastshield.errors import UsageError

TYPE_CHECKING = False  # mypy honours this name; the hook client must not pay for importing typing

if TYPE_CHECKING:  # the hook client imports this package: keep it free of dataclasses and enum
    from blastshield.hosts.base import HostAdapter

# host id -> module path; each module defines ADAPTER (a HostAdapter).
ADAPTERS: dict[str, str] = {
    "claude-code": "blastshield.hosts.claude_code",
    "cursor": "blastshield.hosts.cursor",
    "gemini": "blastshield.hosts.gemini",
    "codex": "blastshield.hosts.codex",
}


def get_adapter(host: str) -> HostAdapter:
    """The adapter for ``host`` (imported on demand, so a hook loads only its own host)."""
    try:
        module = importlib.import_module(ADAPTERS[host])
    except KeyError:
        raise UsageError(f"unknown host {host!r}",
                         hint=f"use one of: {', '.join(sorted(ADAPTERS))}") from None
    adapter: HostAdapter = module.ADAPTER
    return adapter
