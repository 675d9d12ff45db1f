"""Which files a scan reads: walk the given paths, skip what must not or need not be read."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from blastshield.errors import ScanError
from blastshield.values import FrozenValue

# Directories never descended into: VCS data, virtual environments, dependencies, build output, caches.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "bower_components",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".eggs",
    "build", "dist", "site-packages", ".next", ".nuxt", "out", "target", "coverage", ".cache",
    ".gradle", ".idea", ".terraform",
})
# Extensions whose content is never source or configuration text.
BINARY_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".pdf", ".zip", ".gz", ".tgz", ".bz2",
    ".xz", ".7z", ".tar", ".jar", ".war", ".class", ".so", ".dylib", ".dll", ".exe", ".o", ".a",
    ".pyc", ".pyo", ".whl", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov",
    ".avi", ".wav", ".flac", ".ogg", ".sqlite", ".db", ".bin", ".dat", ".npy", ".npz", ".pkl",
    ".parquet", ".onnx", ".pt", ".h5", ".iso", ".dmg",
})


class Candidate(FrozenValue):
    """A file to scan: the path as the user will see it, and its resolved location."""

    __slots__ = ("display", "real")
    display: str
    real: str

    def __init__(self, display: str, real: str) -> None:
        object.__setattr__(self, "display", display)
        object.__setattr__(self, "real", real)


def display_path(path: str, cwd: str) -> str:
    """The path a report shows: relative to cwd when below it, else absolute (POSIX separators)."""
    real = os.path.realpath(path)
    root = os.path.realpath(cwd)
    if real.startswith(root.rstrip(os.sep) + os.sep):
        return os.path.relpath(real, root).replace(os.sep, "/")
    return real.replace(os.sep, "/")


def walk(paths: Sequence[str], cwd: str) -> Iterator[Candidate]:
    """Every regular file named by ``paths`` (files as given, directories recursively), each once.

    A path that does not exist is a usage error. Symlinked files are followed and judged by
    their target; symlinked directories are not descended into (no loops, no escapes).
    """
    seen: set[str] = set()
    for raw in paths:
        start = raw if os.path.isabs(raw) else os.path.join(cwd, raw)
        if not os.path.lexists(start):
            raise ScanError(f"{raw}: no such file or directory", hint="pass files or directories to scan")
        if not os.path.isdir(start):
            real = os.path.realpath(start)
            if real not in seen and os.path.isfile(real):
                seen.add(real)
                yield Candidate(display_path(start, cwd), real)
            continue
        for root, dirs, files in os.walk(start):
            dirs[:] = sorted(d for d in dirs if _descend(root, d))
            for name in sorted(files):
                full = os.path.join(root, name)
                if os.path.splitext(name)[1].lower() in BINARY_EXTENSIONS:
                    continue
                real = os.path.realpath(full)
                if real in seen or not os.path.isfile(real):
                    continue
                seen.add(real)
                yield Candidate(display_path(full, cwd), real)


def _descend(root: str, name: str) -> bool:
    if name in SKIP_DIRS or name.endswith(".egg-info"):
        return False
    full = os.path.join(root, name)
    # Any virtual environment, whatever its name, holds a pyvenv.cfg.
    return not os.path.islink(full) and not os.path.exists(os.path.join(full, "pyvenv.cfg"))


def looks_binary(head: bytes) -> bool:
    """True for content with a NUL byte in its first 8 KiB (the heuristic git uses)."""
    return b"\0" in head[:8192]
