"""Path resolution: every path is judged after ``~``, variables, cwd, ``..`` and symlinks."""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # typing only for mypy: the hooks import this module
if TYPE_CHECKING:
    from collections.abc import Iterator

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
    if text.startswith(_OWN_PROCESS):
        text = _own_process(text, cwd)
    return real_path(text)


#: Paths through the running process's own /proc entry: resolved here they would name the
#: judging process (the hook, its server), not the command's.
_OWN_PROCESS = ("/proc/self/", "/proc/thread-self/", "/dev/fd/")


def _own_process(path: str, cwd: str) -> str:
    """``/proc/self/cwd/.env`` is ``.env`` in the command's folder, ``/proc/self/root/etc`` is
    ``/etc``, ``/dev/fd/../environ`` is ``/proc/self/environ`` (left as a /proc path, which
    ``/proc/*/environ`` rules match); what a descriptor below ``fd/`` links to cannot be known."""
    text = os.path.normpath(path.replace("/dev/fd/", "/proc/self/fd/", 1)).replace(
        "/proc/thread-self/", "/proc/self/", 1)
    rest = text.removeprefix("/proc/self")
    if rest == "/cwd" or rest.startswith("/cwd/"):
        return os.path.join(cwd, rest[len("/cwd/"):]) if rest != "/cwd" else cwd
    if rest == "/root" or rest.startswith("/root/"):
        return rest[len("/root"):] or "/"
    return text


def real_path(path: str) -> str:
    """``os.path.realpath(path)``: every symlink followed, the file system asked afresh on
    each call (links can change between two decisions).

    realpath's own walk (one lstat per name) without its bookkeeping: when no name is a
    symlink or ``..``, the path is the names as written; names below one that does not exist
    are appended as written, as realpath does. Anything else (a symlink, ``..``, an error
    other than "not found") is left to ``os.path.realpath`` itself.
    """
    if not path.startswith("/"):
        return os.path.realpath(path)
    names = path.split("/")
    done = ""
    for i, name in enumerate(names):
        if not name or name == ".":
            continue
        if name == "..":
            return os.path.realpath(path)
        step = done + "/" + name
        try:
            mode = os.lstat(step).st_mode
        except FileNotFoundError:  # nothing below a missing name exists: no link to follow
            rest = [n for n in names[i + 1:] if n and n != "."]
            if ".." in rest:
                return os.path.realpath(path)
            return "/".join([step, *rest])
        except (OSError, ValueError):
            return os.path.realpath(path)
        if stat.S_ISLNK(mode):
            return os.path.realpath(path)
        done = step
    return done or "/"


def is_within(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def ancestors(path: str) -> Iterator[str]:
    """``path`` (already absolute) and each folder above it, up to ``/``."""
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
