"""Host-neutral tool translations: a tool's input → effects.

Every host adapter maps its own tool names onto these functions, so the same action gets
the same effects (and so the same decision) from every host.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from blastshield.effects import Effect, Verdict
from blastshield.errors import PayloadError
from blastshield.hosts.base import Phase


def event_common(payload: dict[str, Any], host: str, phases: Mapping[str, Phase], workspace: str, *,
                 session_key: str = "session_id", prompt_key: str = "prompt_id",
                 cwd_default: str = "") -> dict[str, Any]:
    """The HookEvent fields every host payload carries: event name, phase, cwd and ids."""
    name = require_str(payload, "hook_event_name", "payload")
    cwd_value = payload.get("cwd")
    cwd = cwd_value if isinstance(cwd_value, str) and cwd_value else (cwd_default or workspace)
    return {
        "host": host, "name": name, "phase": phases.get(name, Phase.OTHER), "cwd": cwd,
        "session_id": str(payload.get(session_key) or payload.get("session_id") or ""),
        "prompt_id": str(payload.get(prompt_key) or ""),
        "tool_use_id": str(payload.get("tool_use_id") or ""),
    }


def tool_call(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``tool_name`` and ``tool_input`` (an object) of a tool event; PayloadError otherwise."""
    tool = require_str(payload, "tool_name", "payload")
    data = payload.get("tool_input")
    if not isinstance(data, dict):
        raise PayloadError(f"payload: 'tool_input' of {tool} must be an object",
                           hint="the host sent a payload blastshield cannot judge; denied")
    return tool, data


def prompt_text(payload: dict[str, Any]) -> str:
    prompt = payload.get("prompt")
    return prompt if isinstance(prompt, str) else ""


def require_str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{where}: field {key!r} is missing or not a string",
                           hint="the host sent a payload blastshield cannot judge; denied")
    return value


def shell(command: str, cwd: str, workspace: str) -> tuple[Effect, ...]:
    """Effects of a shell command line (imports the shell analyzer only when needed)."""
    from blastshield.shell import analyze

    return analyze(command, cwd=cwd, workspace=workspace)


def read_path(path: str, cwd: str) -> tuple[Effect, ...]:
    return (Effect.read(path, cwd=cwd),)


def write_path(path: str, cwd: str) -> tuple[Effect, ...]:
    return (Effect.write(path, cwd=cwd),)


#: Host tools that search file contents below a folder, judged as the program each works like (a tree
#: reader): Claude Code's and Cursor's Grep run ripgrep with its defaults (hidden files left out,
#: and no option to include them); the others may read every file.
CONTENT_SEARCH = {"Grep": "rg", "grep_search": "rg", "grep": "grep", "search_file_content": "grep",
                  "codebase_search": "grep", "SemanticSearch": "grep"}


def search(pattern: str | None, path: str | None, cwd: str, *, reader: str = "",
           only: str | None = None) -> tuple[Effect, ...]:
    """Glob/Grep/LS: reading the searched root (and a pattern's fixed leading directories). A
    content search (``reader``: the program it works like) reads the files below the root: its read
    is that tree reader's, so a deny rule for something inside the root denies it. ``only``: the
    ripgrep glob a Grep tool was given (``glob: "*.py"``), when it names files, not paths."""
    root = path or cwd
    filters: tuple[tuple[str, str], ...] = (("gitignore", ""),) if reader == "rg" else ()  # rg defaults
    if only and not any(ch in only for ch in "/{") and "**" not in only:
        filters = (("glob", only), *filters)
    effects = [Effect.read(root, cwd=cwd, origin=reader, filters=filters) if reader
               else Effect.read(root, cwd=cwd)]
    if pattern and (pattern.startswith(("/", "~")) or pattern.startswith("..")):
        fixed: list[str] = []
        for part in pattern.split("/"):
            if any(ch in part for ch in "*?[{"):
                break
            fixed.append(part)
        prefix = "/".join(fixed) or "/"
        effects.append(Effect.read(prefix if prefix else "/", cwd=root if os.path.isabs(root) else cwd))
    return tuple(effects)


def fetch_url(url: str) -> tuple[Effect, ...]:
    """A web fetch: a network effect on the URL's host and port."""
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = parts.hostname or ""
        port = parts.port or (80 if parts.scheme == "http" else 443)
    except ValueError:
        host, port = "", None
    if not host:
        return (Effect.net(url, None).with_floor(Verdict.DENY, "URL without a readable host"),)
    return (Effect.net(host, port),)


def web_search() -> tuple[Effect, ...]:
    """A web search leaves the machine through the host's search service: host ``web-search``."""
    return (Effect.net("web-search", None),)


def mcp_call(server: str, tool: str) -> tuple[Effect, ...]:
    return (Effect.mcp(server, tool),)


def unknown_tool(name: str) -> tuple[Effect, ...]:
    """A tool blastshield does not know: at least ask, whatever the policy says."""
    effect = Effect.exec((f"<tool:{name}>",))
    return (effect.with_floor(Verdict.ASK, f"unknown tool {name!r}: blastshield cannot tell what it does"),)
