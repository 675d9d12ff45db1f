"""File effects as the analyzer builds them, and the file state a command line changes.

Paths stay as written (relative is fine) with the directory they are used from; the
policy resolves them. What the line itself does to the file system before a later
command uses a path is tracked here: symlinks it creates (``ln -s ~/.ssh k && cat
k/id_rsa`` reads ``~/.ssh/id_rsa``) and files a download wrote (``curl -o x.sh && sh
x.sh`` runs downloaded code).
"""

from __future__ import annotations

import os
import re

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.opts import Scan

# Device files that are neither secrets nor places worth a decision.
SILENT_PATHS = frozenset({"/dev/null", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty",
                          "/dev/zero", "/dev/random", "/dev/urandom", "/dev/full", "-"})
_METADATA_ONLY = frozenset({"chmod", "chown", "chgrp", "chattr", "setfacl", "touch"})
_DEV_NET = re.compile(r"/dev/(tcp|udp)/([^/]+)/([^/]+)$")
_GLOB_CHARS = re.compile(r"[*?[]")
_MAX_GLOB = 256


def dev_net(path: str) -> tuple[str, int | None] | None:
    """Bash's ``/dev/tcp/HOST/PORT`` pseudo-files open network connections."""
    m = _DEV_NET.match(path)
    if not m:
        return None
    port = int(m.group(3)) if m.group(3).isdigit() else None
    return m.group(2), port


#: The origin of the reads ``find ... -exec PROG {}`` makes: every file below the roots (a tree
#: reader, policy.decide), narrowed by what find selects (``Cmd.selects``).
PLACEHOLDER_READER = "find -exec"


def _open_descriptor(path: str) -> bool:
    """``/dev/fd/3``, ``/proc/self/fd/3``: a descriptor the shell already opened (judged where it was
    opened). Only a bare number counts: ``/dev/fd/../environ`` and ``/proc/self/fd/../cwd/.env``
    name other files, and are judged as such."""
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        if path.startswith(prefix):
            return path[len(prefix):].isdigit()
    return False


class FileContext:
    """Per-line file state plus the constructor of file effects."""

    def __init__(self, *, cwd: str, home: str, non_interactive: bool) -> None:
        self.cwd = cwd
        self.cwd_known = True
        self.home = home
        self.non_interactive = non_interactive
        self.downloaded: set[str] = set()
        self.links: dict[str, str] = {}
        self.written: dict[str, str | None] = {}  # files this line wrote -> content if known
        self.fs_dependent = False  # the analysis looked at the file system (globs)

    @property
    def unresolved(self) -> Verdict:
        """The floor for what cannot be resolved statically."""
        return Verdict.DENY if self.non_interactive else Verdict.ASK

    def _absolute(self, path: str, cwd: str) -> str:
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        return os.path.normpath(os.path.join(cwd, path))

    def file_effects(self, kind: Kind, path: str, known: bool, cwd: str, origin: str,
                     reason: str = "", *, glob: bool = False) -> list[Effect]:
        """The effect(s) of touching ``path`` from ``cwd``; [] for harmless devices.

        ``glob``: the path is an unquoted glob that bash expands; what it matches on this
        machine is judged as well."""
        if not path or path in SILENT_PATHS or _open_descriptor(path):
            return []
        if not known and path.startswith(("<(", ">(")):
            return []  # a process substitution: its commands are analysed on their own
        net = dev_net(path)
        if net is not None:
            return [Effect.net(net[0], net[1], origin=origin)]
        if known and path.startswith(("~", "$")):
            path = "./" + path  # a quoted "~" or "$" is a literal name in the current directory
        if known and self.links:
            path = self._through_links(path, cwd)
        extra: list[Effect] = []
        if glob and known and _GLOB_CHARS.search(path):
            extra = [e for match in self._glob(path, cwd)
                     for e in self.file_effects(kind, match, True, cwd, origin, reason)]
        effect = Effect(kind, path, path=path, cwd=cwd, origin=origin)
        if kind is Kind.WRITE and known:
            key = self._absolute(path, cwd)
            if origin in _METADATA_ONLY:
                self.written.setdefault(key, None)
            else:
                self.written[key] = None
        if not known:
            effect = effect.with_floor(self.unresolved, reason or "the path is not statically known")
        elif not self.cwd_known and not os.path.isabs(path) and cwd == self.cwd:
            effect = effect.with_floor(self.unresolved, "the directory this path is relative to "
                                       "is not statically known")
        return [effect, *extra]

    def _glob(self, pattern: str, cwd: str) -> list[str]:
        """What a glob in a path matches on this machine now (bash expands it before the
        program runs); a bounded number of matches, the pattern itself is judged too."""
        import glob

        self.fs_dependent = True
        fixed = _GLOB_CHARS.split(pattern, 1)[0].rpartition("/")[0]  # the part before any glob
        if fixed and not os.path.isdir(os.path.join(cwd, fixed)):
            return []  # nothing to match in a folder that does not exist
        try:
            matches = glob.glob(pattern, root_dir=cwd if not os.path.isabs(pattern) else None)
        except (OSError, ValueError, RecursionError):
            return []
        return sorted(m for m in matches if m != pattern)[:_MAX_GLOB]

    def unknown_path(self, kind: Kind, cwd: str, origin: str, reason: str) -> Effect:
        """A file effect whose path only exists at run time (xargs input, ...)."""
        return Effect(kind, "<unknown>", path="<unknown>", cwd=cwd, origin=origin).with_floor(
            self.unresolved, reason)

    def _through_links(self, path: str, cwd: str) -> str:
        absolute = self._absolute(path, cwd)
        for link, target in self.links.items():
            if absolute == link or absolute.startswith(link + "/"):
                return target + absolute[len(link):]
        return path

    def note_link(self, link: str, target: str, cwd: str) -> None:
        absolute_link = self._absolute(link, cwd)
        base = os.path.dirname(absolute_link)
        self.links[absolute_link] = self._absolute(target, base)

    def note_download(self, path: str, cwd: str) -> None:
        if path and path not in SILENT_PATHS:
            self.downloaded.add(self._absolute(path, cwd))

    def was_downloaded(self, path: str, cwd: str) -> bool:
        return bool(self.downloaded) and self._absolute(path, cwd) in self.downloaded

    def note_written(self, path: str, cwd: str, content: str | None) -> None:
        if path and path not in SILENT_PATHS:
            self.written[self._absolute(path, cwd)] = content

    def written_content(self, path: str, cwd: str) -> tuple[bool, str | None]:
        """Did this line write ``path``, and with which content (when statically known)?"""
        if not self.written:
            return False, None
        key = self._absolute(path, cwd)
        return key in self.written, self.written.get(key)


# -------------------------------------------------- file effects of arguments
def add_paths(cmd: Cmd, ctx: FileContext, out: Outcome, kind: Kind, indices: list[int],
              origin: str = "") -> None:
    """File effects for the arguments at ``indices`` (placeholders and xargs included)."""
    origin = origin or cmd.name
    for i in indices:
        arg = cmd.argv[i]
        hit = False
        for token, paths in cmd.placeholders.items():
            if token in arg:
                hit = True
                if not paths:
                    out.effects.append(ctx.unknown_path(kind, cmd.cwd, origin,
                                                        f"'{token}' stands for paths known only "
                                                        "at run time"))
                if paths and arg != token:  # `cat {}/id_rsa`: below any entry, through links
                    out.effects.append(ctx.unknown_path(kind, cmd.cwd, origin, f"'{token}' inside a "
                                                        "longer argument names paths known only at run time"))
                for base in paths:
                    if kind is Kind.READ and arg == token:  # any file below it: a tree read
                        out.effects.extend(e.replace(filters=cmd.selects) for e in ctx.file_effects(
                            kind, base, cmd.known[i], cmd.cwd, PLACEHOLDER_READER))
                        continue
                    out.effects.extend(ctx.file_effects(kind, arg.replace(token, base.rstrip("/")
                                                                          + "/*"),
                                                        cmd.known[i], cmd.cwd, origin))
        if not hit:
            out.effects.extend(ctx.file_effects(kind, arg, cmd.known[i], cmd.cwd, origin,
                                                glob=cmd.glob(i)))
    if cmd.stdin_args:
        out.effects.append(ctx.unknown_path(kind, cmd.cwd, origin,
                                            "more arguments come from standard input (xargs)"))


def path_opts(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, kind: Kind,
              *names: str) -> None:
    for opt in found.values(*names):
        known = cmd.known[opt.value_index] if opt.value_index is not None else cmd.known[opt.index]
        assert opt.value is not None
        out.effects.extend(ctx.file_effects(kind, opt.value, known, cmd.cwd, cmd.name))
