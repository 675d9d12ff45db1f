"""Install and remove blastshield in the grouped hook shape shared by Gemini CLI and Codex:

``{"hooks": {"<Event>": [{"matcher": "...", "hooks": [{"type": "command", "command": ...}]}]}}``

Merging keeps every other entry, replaces blastshield's own (so a second ``init`` does
not duplicate them) and drops groups that end up empty on uninstall.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from blastshield.hosts import settings_json


def install(workspace: str, relpath: str, events: Mapping[str, str | None],
            handler: dict[str, Any]) -> list[str]:
    """Register ``handler`` for each event (with its matcher, None = no matcher); one line each."""
    path = os.path.join(workspace, relpath)
    data = settings_json.load_json(path)
    hooks = settings_json.table(data, "hooks", path)
    done: list[str] = []
    for event, matcher in events.items():
        groups = settings_json.event_list(hooks, event, path)
        drop_ours(groups)
        group: dict[str, Any] = {"hooks": [dict(handler)]}
        if matcher is not None:
            group = {"matcher": matcher, **group}
        groups.append(group)
        done.append(f"{relpath}: {event} → {handler['command']}")
    settings_json.write_json(path, data)
    return done


def uninstall(workspace: str, relpath: str) -> list[str]:
    path = os.path.join(workspace, relpath)
    if not os.path.exists(path):
        return [f"{relpath}: not present, nothing to remove"]
    data = settings_json.load_json(path)
    hooks = data.get("hooks")
    removed = 0
    if isinstance(hooks, dict):
        for event in list(hooks):
            groups = hooks[event]
            if isinstance(groups, list):
                removed += drop_ours(groups)
                if not groups:
                    del hooks[event]
        if not hooks:
            del data["hooks"]
    settings_json.write_json(path, data)
    return [f"{relpath}: removed {removed} blastshield hook(s)"]


def drop_ours(groups: list[Any]) -> int:
    """Remove blastshield handlers from a list of matcher groups; drop emptied groups."""
    removed = 0
    for group in list(groups):
        if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
            continue
        kept = [h for h in group["hooks"] if not settings_json.is_ours(h)]
        removed += len(group["hooks"]) - len(kept)
        if kept:
            group["hooks"] = kept
        else:
            groups.remove(group)
    return removed
