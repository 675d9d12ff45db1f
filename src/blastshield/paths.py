"""Path resolution: every path is judged after ``~``, variables, cwd, ``..`` and symlinks."""

from __future__ import annotations

import os
import stat

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
    if not text.startswith("/"):
        text = os.path.join(cwd, text)
    return real_path(text)


# The kernel resolves a folder in one open(O_PATH) (nothing is read, no side effects) and
# /proc/self/fd/N names what it resolved to: os.path.realpath's answer for a folder that
# exists, without its one Python-level lstat per component. The last name is then looked
# at with one lstat relative to that folder. Anything unusual falls back to realpath.
_O_PATH = getattr(os, "O_PATH", 0)
_KERNEL = bool(_O_PATH) and os.path.isdir("/proc/self/fd") and os.stat in os.supports_dir_fd
_DIR_FLAGS = _O_PATH | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_MAX_MISSING = 3  # how many trailing names may not exist yet (a new folder's new file)


def real_path(path: str) -> str:
    """``os.path.realpath(path)`` for an absolute ``path``: every symlink followed, each call
    asks the file system afresh (links can change between two decisions)."""
    if _KERNEL and not path.startswith("/proc"):  # /proc's magic links: realpath's reading
        found = _through_folder(path)
        if found is not None:
            return found
    return os.path.realpath(path)


def _through_folder(path: str) -> str | None:
    """Resolve the deepest existing folder of ``path`` with the kernel and append the names
    below it as written when that is what realpath does: the last name is no symlink, or
    the names below the folder do not exist. None when unsure (realpath decides then)."""
    missing: list[str] = []
    head = path
    for _ in range(_MAX_MISSING):
        head, name = os.path.split(head)
        if not name or name == "." or name == "..":
            return None
        try:
            fd = os.open(head, _DIR_FLAGS)
        except OSError:
            missing.append(name)
            continue
        except ValueError:
            return None
        try:
            folder = os.readlink(f"/proc/self/fd/{fd}")
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                pass  # absent: nothing below it exists either
            else:
                if missing or stat.S_ISLNK(st.st_mode):
                    return None  # a symlink to follow, or a file where a folder was expected
        except OSError:
            return None
        finally:
            os.close(fd)
        if not folder.startswith("/") or folder.endswith(" (deleted)"):
            return None
        missing.append(name)
        return os.path.join(folder, *reversed(missing))
    return None


def is_within(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip("/") + "/")
