"""The compiled launcher (``launcher.c``): built once per source version with the system C compiler.

Why compiled: the launcher starts with every ``blastshield run``; a Python launcher pays an
interpreter start and ctypes/socket/threading imports inside the sandbox (tens of
milliseconds), the C one about one. Both take the same arguments and enforce the same
layers; without a compiler ``run`` uses ``launcher.py``.

Where the binary lives, and why that is safe:

- next to the package (``sandbox/__pycache__/``) when that folder is writable: the binary
  then has exactly the trust of the Python code beside it (whoever can replace it can
  replace ``run.py``), and every sandbox sees the package read-only;
- else in ``~/.config/blastshield/launcher/``, which no sandbox can see (built-in
  protection ``signing-keys`` hides it).

Only compilers in ``/usr/bin`` and ``/bin`` are used, with a fixed PATH and no inherited
environment, so nothing a sandboxed command could write (a ``cc`` early on PATH, a
``GCC_EXEC_PREFIX``) ever runs outside the sandbox. A build writes to a temporary name,
checks that the result runs (``--probe``: a ``noexec`` folder fails here) and renames it
into place, so concurrent runs never see half a binary. A failed build leaves a
``.failed`` marker (with the compiler's message) so later runs do not retry it.
"""

from __future__ import annotations

import os

from blastshield.paths import home_dir
from blastshield.sandbox.bwrap import capture
from blastshield.sha256 import sha256_hex

COMPILERS = ("/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang", "/bin/cc")
FLAGS = ("-O2", "-std=gnu11", "-Wall")
#: Set to ``python`` to use the Python launcher (tests; machines where the C one misbehaves).
CHOICE_VARIABLE = "BLASTSHIELD_LAUNCHER"
_BUILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C"}


def source_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "launcher.c")


def _folders() -> list[str]:
    package_cache = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
    return [package_cache, os.path.join(home_dir(), ".config", "blastshield", "launcher")]


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def cache_folder() -> str | None:
    """The folder the launcher is (or would be) built in; None when none is writable."""
    return next((f for f in _folders() if _writable(f)), None)


def binary_name() -> str:
    """``launcher-<digest>``: the digest covers the source, the flags and the CPU architecture."""
    with open(source_path(), "rb") as handle:
        source = handle.read()
    key = source + " ".join(FLAGS).encode() + os.uname().machine.encode()
    return "launcher-" + sha256_hex(key)[:20]  # blastshield.sha256: no OpenSSL start-up


def compiled_launcher() -> str | None:
    """The path of a built, runnable launcher binary, building it if needed; None when the
    Python launcher must be used (asked for, no compiler, or the build failed before)."""
    if os.environ.get(CHOICE_VARIABLE, "").lower() == "python":
        return None
    try:
        name = binary_name()
    except OSError:
        return None
    folders = _folders()
    for folder in folders:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        if os.path.exists(path + ".failed"):
            return None
    compiler = next((c for c in COMPILERS if os.access(c, os.X_OK)), None)
    if compiler is None:
        return None
    target = next((f for f in folders if _writable(f)), None)
    return _build(compiler, os.path.join(target, name)) if target is not None else None


def _build(compiler: str, path: str) -> str | None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        code, message = capture([compiler, *FLAGS, "-o", temporary, source_path()], _BUILD_ENV, stderr=True)
        if code == 0:
            code, message = capture([temporary, "--probe"], _BUILD_ENV, stderr=True)
            code = code if message.startswith("blastshield-launcher") else code or 1
        if code != 0:
            with open(path + ".failed", "w", encoding="utf-8") as marker:
                marker.write(f"{compiler} exit status {code}\n{message}")
            return None
        os.chmod(temporary, 0o755)
        os.rename(temporary, path)
        return path
    except OSError:
        return None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
