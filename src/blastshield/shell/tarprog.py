"""GNU tar: what it reads, writes, deletes and runs (checked against GNU tar 1.34).

* The old style ``tar cfI x.tar prog a``: the first argument, when it has no leading ``-``, is a
  bundle of option letters; each letter that takes a value takes the next unused argument.
* ``-C DIR``: the operands (and ``-T`` names) after it are relative to DIR, each ``-C`` relative
  to the one before; the archive (``-f``) and the ``-T`` list itself stay relative to the folder
  tar runs in.
* ``-T LIST``: the names come from LIST (read now when it is a plain file this line leaves alone).
* ``-x`` writes the archive's members: listed now when the archive can be read (Python's tarfile,
  at most :data:`MAX_MEMBERS` members), else the whole destination folder, judged at least ask.
* ``--remove-files`` deletes what it archives; ``HOST:FILE`` archives run a remote shell.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import treereads
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.opts import Opt, Scan, scan

_SHORT_VALUES = "fCIFTXgLVbHKN"
_LONG = ("--file", "--directory", "--to-command", "--checkpoint-action", "--use-compress-program",
         "--info-script", "--new-volume-script", "--rsh-command", "--rmt-command", "--exclude",
         "--files-from", "--exclude-from", "--transform", "--xform", "--owner", "--group", "--mode",
         "--strip-components", "--newer", "--after-date", "--suffix", "--label", "--format",
         "--blocking-factor", "--listed-incremental", "--index-file", "--volno-file",
         "--tape-length", "--starting-file", "--newer-mtime", "--record-size", "--occurrence")
_RUNS = ("--to-command", "--checkpoint-action", "-I", "--use-compress-program", "-F", "--info-script",
         "--new-volume-script", "--rsh-command", "--rmt-command")
#: Options that change how ``--exclude`` patterns match: the name filters would not model tar.
_MATCHING = ("--anchored", "--no-anchored", "--wildcards", "--no-wildcards", "--wildcards-match-slash",
             "--no-wildcards-match-slash", "--ignore-case", "--no-ignore-case")
#: Extraction options that put members where their names do not say (or delete files).
_RENAMING = ("--transform", "--xform", "--strip-components", "-P", "--absolute-names", "-I",
             "--use-compress-program", "-g", "--listed-incremental", "-G", "--incremental", "--backup",
             "--suffix", "--one-top-level")
_LITERAL_OPTION = re.compile(r"--[A-Za-z-]+=|-[A-Za-z]*[" + _SHORT_VALUES + "]")
#: The first bytes of compressed archives GNU tar recognises: those tarfile reads, and the others.
_COMPRESSION = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"\x5d\x00\x00")
_OTHER_COMPRESSION = (b"\x28\xb5\x2f\xfd", b"LZIP", b"\x89LZO", b"\x1f\x9d", b"\x1f\xa0", b"\x04\x22\x4d\x18")
MAX_MEMBERS = 10_000
MAX_COMPRESSED = 64 << 20  # bytes: a bigger compressed archive is not listed (the hook must stay fast)
MAX_LIST = 64 << 10  # bytes of a -T list read now


def remapped(cmd: Cmd, items: list[tuple[str, int]], cwd: str | None = None) -> Cmd:
    """``cmd`` with its argv rebuilt from (text, index of the argument the text came from)."""
    return Cmd(tuple(t for t, _ in items), tuple(cmd.known[i] for _, i in items),
               tuple(cmd.dl[i] for _, i in items), cwd or cmd.cwd, cmd.origin, cmd.stdin, cmd.assigns,
               cmd.placeholders, cmd.stdin_args, cmd.remote, tuple(cmd.glob(i) for _, i in items))


def _old_style(cmd: Cmd) -> Cmd:
    argv = cmd.argv
    if len(argv) < 2 or not argv[1] or argv[1].startswith("-") or not cmd.known[1]:
        return cmd
    items, nxt = [(argv[0], 0)], 2
    for letter in argv[1]:
        items.append(("-" + letter, 1))
        if letter in _SHORT_VALUES and nxt < len(argv):
            items.append((argv[nxt], nxt))
            nxt += 1
    return remapped(cmd, items + [(argv[i], i) for i in range(nxt, len(argv))])


class _Dirs:
    """Where each argument's names are relative to: the ``-C`` options before it, in order."""

    def __init__(self, cmd: Cmd, ctx: FileContext, found: Scan) -> None:
        self.cmd = cmd
        self.steps = [(o.index, o.value or "", cmd.known[o.value_index if o.value_index is not None
                                                           else o.index])
                      for o in found.values("-C", "--directory")]
        self.start_known = ctx.cwd_known or cmd.cwd != ctx.cwd

    def at(self, index: int) -> tuple[str, bool]:
        """The folder (as written, relative to the command's folder) and whether it is known."""
        path, known = ".", self.start_known
        for at, value, value_known in self.steps:
            if at < index and value:
                known = value_known and (known or os.path.isabs(value))
                path = value if path == "." else os.path.join(path, value)
        return path, known

    def cmd_at(self, index: int) -> Cmd:
        path, _ = self.at(index)
        if path == ".":
            return self.cmd
        return remapped(self.cmd, [(a, i) for i, a in enumerate(self.cmd.argv)],
                        os.path.normpath(os.path.join(self.cmd.cwd, path)))


def _env_options(cmd: Cmd, out: Outcome) -> Cmd:
    """GNU tar puts the words of ``TAR_OPTIONS`` (set before the command) in front of its options."""
    import shlex

    if "TAR_OPTIONS" not in cmd.assigns:
        return cmd
    value = cmd.assigns["TAR_OPTIONS"]
    try:
        words = shlex.split(value) if value is not None else None
    except ValueError:
        words = None
    if words is None:
        out.unresolved("TAR_OPTIONS gives tar options that are not statically known")
        return cmd
    return remapped(cmd, [(cmd.argv[0], 0), *((w, 0) for w in words),
                          *((a, i) for i, a in enumerate(cmd.argv) if i)])


def tar(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    cmd = _env_options(_old_style(cmd), out)
    found = scan(cmd.argv, short_values=_SHORT_VALUES, long_values=_LONG, whole=("--checkpoint",))
    _commands(cmd, found, out)
    if found.has("-P", "--absolute-names"):
        out.ask("tar -P keeps absolute paths and '..' in member names", form="-P")
    extract = found.has("-x", "--extract", "--get")
    create = found.has("-c", "--create", "-r", "--append", "-u", "--update", "-A", "--catenate",
                       "--concatenate", "--delete")
    archives = found.values("-f", "--file")
    for opt in archives:
        _archive(cmd, ctx, out, opt.value or "", Kind.WRITE if create else Kind.READ)
    for opt in found.values("-g", "--listed-incremental", "--index-file", "--volno-file"):
        out.effects.extend(ctx.file_effects(Kind.WRITE, opt.value or "", True, cmd.cwd, "tar"))
    dirs = _Dirs(cmd, ctx, found)
    lists = [(o, _names(cmd, ctx, out, o)) for o in found.values("-T", "--files-from")]
    if extract:
        if not found.has("-O", "--to-stdout", "--to-command"):
            _extract(cmd, ctx, out, found, dirs, any(names is None for _, names in lists))
    elif create and not found.has("--delete"):
        first = len(out.effects)
        kinds = (Kind.READ, Kind.DELETE) if found.has("--remove-files") else (Kind.READ,)
        for i in found.positional:
            start, (_, known) = len(out.effects), dirs.at(i)
            for kind in kinds:
                add_paths(dirs.cmd_at(i), ctx, out, kind, [i])
            if len(kinds) > 1:
                _tree_deletes(ctx, out, start)
            if not known:
                out.effects[start:] = [e.with_floor(ctx.unresolved, "the folder tar -C changes to is "
                                                    "not statically known") for e in out.effects[start:]]
        start = len(out.effects)
        for opt, names in lists:
            folder, known = dirs.at(opt.index)
            for kind in kinds:
                if names is None:
                    out.effects.append(ctx.unknown_path(kind, cmd.cwd, "tar", f"tar {opt.name} names "
                                                        "the files it archives in a list this "
                                                        "analysis cannot read"))
                for name in names or ():
                    out.effects.extend(_under(ctx, kind, folder, known, name, cmd.cwd, "tar"))
        if len(kinds) > 1:
            _tree_deletes(ctx, out, start)
        if found.has(*_MATCHING):  # --exclude patterns match otherwise than the filters model
            treereads.mark_unread(cmd, out, first)
        else:
            treereads.narrow(out, first, treereads.tar_filters(found, cmd))
        if treereads.copier_follows("tar", found):
            treereads.mark_following(out, first)


def _tree_deletes(ctx: FileContext, out: Outcome, first: int) -> None:
    """``--remove-files`` on a folder deletes everything below it: each entry (at most
    :data:`MAX_MEMBERS`) is judged as a delete, so protected files inside count."""
    for effect in out.effects[first:]:
        if effect.kind is not Kind.DELETE or effect.path is None or effect.floor is not Verdict.ALLOW:
            continue
        top = os.path.normpath(os.path.join(effect.cwd or ctx.cwd, effect.path))
        if os.path.islink(top) or not os.path.isdir(top):
            continue
        ctx.fs_dependent = True
        count = 0
        for folder, subdirs, files in os.walk(top):
            for name in (*subdirs, *files):
                count += 1
                if count > MAX_MEMBERS:
                    out.effects.append(effect.with_floor(Verdict.ASK, "tar --remove-files deletes "
                                                         "a folder too big to list"))
                    return
                out.effects.append(Effect.delete(os.path.join(folder, name), cwd=effect.cwd,
                                                 origin="tar --remove-files"))


def _commands(cmd: Cmd, found: Scan, out: Outcome) -> None:
    for opt in found.values(*_RUNS):
        out.ask(f"tar {opt.name} runs a command", form=opt.name)
        value = opt.value or ""
        if opt.name == "--checkpoint-action":
            value = value.split("=", 1)[1] if value.startswith("exec=") else ""
        if value:
            out.inner.append(Inner(f"tar {opt.name}", script=value))
    values = {o.value_index for o in found.opts if o.value_index is not None}
    for i in range(1, len(cmd.argv)):
        if not cmd.known[i] and i not in values and not _LITERAL_OPTION.match(cmd.argv[i]):
            out.unresolved("an argument tar gets is not statically known: it may be an option "
                           "that runs a command")
            return


def _archive(cmd: Cmd, ctx: FileContext, out: Outcome, name: str, kind: Kind) -> None:
    host, colon, _ = name.partition(":")
    if colon and host and "/" not in host:  # HOST:FILE is opened through a remote shell
        host = host.rsplit("@", 1)[-1]
        out.ask(f"tar -f {name} opens the archive on {host} through a remote shell", form="-f")
        out.effects.append(Effect.net(host, origin="tar"))
        return
    out.effects.extend(ctx.file_effects(kind, name, True, cmd.cwd, "tar"))


def _under(ctx: FileContext, kind: Kind, folder: str, known: bool, name: str, cwd: str,
           origin: str, reason: str = "") -> list[Effect]:
    """The effects of ``name`` below ``folder`` (relative to ``cwd``)."""
    effects = ctx.file_effects(kind, os.path.join(folder, name), True, cwd, origin)
    if not known:
        reason = reason or "the folder tar -C changes to is not statically known"
        return [e.with_floor(ctx.unresolved, reason) for e in effects]
    if reason:
        return [e.with_floor(Verdict.ASK, reason) for e in effects]
    return effects


def _names(cmd: Cmd, ctx: FileContext, out: Outcome, opt: Opt) -> list[str] | None:
    """The names a ``-T LIST`` holds when they can be read now; None when they cannot."""
    value = opt.value or ""
    known = cmd.known[opt.value_index if opt.value_index is not None else opt.index]
    text: str | None = None
    if value in ("-", "/dev/stdin"):
        if cmd.stdin is not None and not cmd.stdin_args:
            text = cmd.stdin.text
    else:
        out.effects.extend(ctx.file_effects(Kind.READ, value, known, cmd.cwd, "tar"))
        path = os.path.normpath(os.path.join(cmd.cwd, value))
        if known and not _changed(ctx, path):
            text = _small_file(ctx, path, MAX_LIST)
    if text is None:
        return None
    names = [n for n in re.split("[\0\n]", text) if n]
    if any(n.startswith("-") or "\\" in n for n in names):
        return None  # option lines and quoted names
    return names


def _changed(ctx: FileContext, path: str) -> bool:
    """Might a command before this one in the line have written or linked ``path``?"""
    for done in (*ctx.written, *ctx.downloaded, *ctx.links):
        done = done.removesuffix("/*").rstrip("/") or "/"
        if path == done or path.startswith(done.rstrip("/") + "/"):
            return True
    return False


def _small_file(ctx: FileContext, path: str, limit: int) -> str | None:
    import stat

    ctx.fs_dependent = True  # the decision depends on the file system: not cached
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "surrogateescape")
    except OSError:
        return None


class _Member(NamedTuple):
    name: str
    symlink: bool
    hardlink: bool
    linkname: str


def _members(ctx: FileContext, path: str) -> list[_Member] | None:
    """The members of the archive at ``path`` as GNU tar would extract them, when they can be
    listed now. ``ignore_zeros``: like GNU tar, go on past a damaged header (more members, never
    fewer)."""
    import stat
    import tarfile

    ctx.fs_dependent = True
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        with open(path, "rb") as f:
            head = f.read(6)
        if head.startswith(_OTHER_COMPRESSION) or (info.st_size > MAX_COMPRESSED and head.startswith(
                _COMPRESSION)):
            return None  # GNU tar decompresses what tarfile cannot; or it would take too long
        members: list[_Member] = []
        with tarfile.open(path, mode="r:*", ignore_zeros=True) as archive:
            while (member := archive.next()) is not None:
                if len(members) >= MAX_MEMBERS or member.type not in tarfile.SUPPORTED_TYPES:
                    return None  # too many, or a GNU dump folder (incremental restores delete)
                members.append(_Member(member.name, member.issym(), member.islnk(), member.linkname))
    except Exception:  # any archive tarfile cannot read is judged unlisted
        return None
    return members


def _extract(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, dirs: _Dirs, unread_list: bool) -> None:
    positions = [*found.positional, *(o.index for o in found.values("-T", "--files-from"))]
    folders = {dirs.at(i) for i in positions} or {dirs.at(len(cmd.argv))}
    archives = [o.value or "" for o in found.values("-f", "--file")]
    members: list[_Member] | None = None
    # listed only when what tar reads and where it puts it are known: one archive on this machine
    # (not standard input, not HOST:FILE) that no command before this one in the line changed
    local = len(archives) == 1 and archives[0] not in ("-", "/dev/stdin") \
        and ":" not in archives[0].split("/")[0]
    if local and all(cmd.known) and not unread_list and not found.has(*_RENAMING):
        path = os.path.normpath(os.path.join(cmd.cwd, archives[0]))
        if not _changed(ctx, path):
            members = _members(ctx, path)
    for folder, known in sorted(folders):
        if members is None:
            reason = f"tar -x writes files this analysis cannot list below {folder}"
            out.effects.extend(_under(ctx, Kind.WRITE, folder, known, "*", cmd.cwd, "tar -x", reason))
        else:
            _member_effects(ctx, out, folder, known, members, cmd.cwd)


def _member_effects(ctx: FileContext, out: Outcome, folder: str, known: bool, members: list[_Member],
                    cwd: str) -> None:
    links: dict[str, str] = {}  # a symbolic link member -> where it points (relative to the folder)
    seen: set[tuple[Kind, str]] = set()

    def add(kind: Kind, name: str) -> None:
        if (kind, name) not in seen:
            seen.add((kind, name))
            out.effects.extend(_under(ctx, kind, folder, known, name, cwd, "tar -x"))

    for member in members:
        name = _safe(member.name)
        if not name:
            continue
        where = _through(name, links)
        add(Kind.WRITE, where)
        if member.symlink:  # members below it are written where it points (GNU tar follows it)
            links[name] = os.path.normpath(os.path.join(os.path.dirname(where), member.linkname))
        elif member.hardlink and _safe(member.linkname):  # the new name reads the linked file
            add(Kind.READ, _through(_safe(member.linkname), links))


def _safe(name: str) -> str:
    """A member name as GNU tar uses it: leading ``/`` dropped; a name with ``..`` is refused (it is
    kept here from after its last ``..``: more, never less)."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        parts = parts[len(parts) - parts[::-1].index(".."):]
    return "/".join(parts)


def _through(name: str, links: dict[str, str]) -> str:
    """``name`` with a leading part that is a link member replaced by where the link points."""
    for _ in range(16):
        parts = name.split("/")
        for k in range(len(parts) - 1, 0, -1):
            target = links.get("/".join(parts[:k]))
            if target is not None:
                name = os.path.normpath(os.path.join(target, *parts[k:]))
                break
        else:
            return name
    return name
