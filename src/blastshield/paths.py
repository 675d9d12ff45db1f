"""Path resolution: every path is judged after ``~``, variables, cwd, ``..`` and symlinks."""

from __future__ import annotations

import os

_HOME: tuple[str, str] | None = None


def home_dir() -> str:
    """The user's home, resolved (cached while $HOME stays the same)."""
    global _HOME
    key = os.environ.get("HOME", "")
    if _HOME is None or _HOME[0] != key:
        _HOME = (key, os.path.realpath(os.path.expanduser("~")))
    return _HOME[1]


def expand(raw: str, workspace: str, home: str | None = None) -> str:
    """Expand ``~``, ``~/``, ``${WORKSPACE}``, ``$HOME`` and ``${HOME}`` in a path or pattern."""
    home = home if home is not None else home_dir()
    text = raw.replace("${WORKSPACE}", workspace).replace("$WORKSPACE", workspace)
    text = text.replace("${HOME}", home)
    if text == "$HOME" or text.startswith("$HOME/"):
        text = home + text[len("$HOME"):]
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    return text


def resolve(raw: str, cwd: str, workspace: str, home: str | None = None) -> str:
    """The real absolute path that ``raw`` names when used from ``cwd``.

    Follows symlinks of every existing prefix (``os.path.realpath``), so a link inside the
    workspace that points at ``~/.ssh`` is judged as ``~/.ssh``.
    """
    text = expand(raw, workspace, home)
    if not os.path.isabs(text):
        text = os.path.join(cwd, text)
    return os.path.realpath(text)


def is_within(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip("/") + "/")
