"""File programs: which arguments of cat, grep, cp, mv, rm, tar, find... are paths, and
whether each is read, written or deleted. One handler per program family; option tables
say which options take a value so that operands are found as getopt finds them."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from blastshield.effects import UNREAD_EXTRA, Effect, Kind, Verdict
from blastshield.shell import codeprog, treereads
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.files import FileContext, add_paths, path_opts
from blastshield.shell.opts import Scan, scan

Handler = Callable[[Cmd, FileContext, Outcome], None]


def _simple(kind: Kind, short: str = "", long: tuple[str, ...] = (), skip: int = 0,
            reads: str = "", tree: str = "") -> Handler:
    """A program whose positional arguments (after ``skip`` of them) are paths of one kind;
    ``reads``: options naming files it reads; ``tree``: options that make it read whole folders
    (``diff -r``), its reads then judged as a tree reader's (origin ``<name> -r``)."""

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        found = scan(cmd.argv, short_values=short, long_values=(*long, "--files0-from"))
        origin = f"{cmd.name} -r" if tree and found.has(*tree.split()) else cmd.name
        add_paths(cmd, ctx, out, kind, found.positional[skip:], origin)
        if reads:
            path_opts(cmd, ctx, out, found, Kind.READ, *reads.split())
        _files0(cmd, ctx, out, found)

    return handle


# Short options that take a value differ by program: grep's -r is "recursive", rg's is
# "--replace"; ag's -G is a file pattern.
_GREP_SHORT = {"grep": "efmABCdDX", "egrep": "efmABCdDX", "fgrep": "efmABCdDX",
               "rg": "efmABCgtTMjrEd", "ag": "efmABCGgp", "ack": "efmABCg"}


def _grep(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values=_GREP_SHORT.get(cmd.name, "efmABC"),
                 long_values=("--regexp", "--file", "--max-count", "--after-context",
                              "--before-context", "--context", "--include", "--exclude",
                              "--exclude-dir", "--glob", "--type", "--type-not", "--max-depth",
                              "--replace", "--sort", "--sortr", "--threads", "--engine",
                              "--encoding", "--max-filesize", "--pre", "--ignore-file",
                              "--devices", "--directories", "--binary-files", "--label",
                              "--exclude-from", "--iglob", "--type-add", "--path-separator",
                              "--context-separator", "--field-match-separator", "--colors",
                              "--pre-glob", "--dfa-size-limit", "--regex-size-limit",
                              "--max-columns", "--hostname-bin", "--hyperlink-format"))
    given = found.has("-e", "--regexp", "-f", "--file")
    paths = found.positional[0 if given else 1:]
    origin = f"{cmd.name} --hidden" if treereads.reads_hidden(cmd.name, found) else cmd.name
    first = len(out.effects)
    add_paths(cmd, ctx, out, Kind.READ, paths, origin)
    if not paths and treereads.searches_cwd(cmd.name, found):  # `grep -r KEY`, `rg KEY`: its folder
        out.effects.extend(ctx.file_effects(Kind.READ, ".", True, cmd.cwd, origin))
    # what it reads of a folder it searches (the policy checks the folder's contents)
    treereads.narrow(out, first, treereads.filters(cmd.name, found, cmd))
    if treereads.may_hide_options(cmd):  # were an unread argument -r, it would search its folder
        out.effects.extend(e.replace(filters=(UNREAD_EXTRA,))
                           for e in ctx.file_effects(Kind.READ, ".", True, cmd.cwd, origin))
    path_opts(cmd, ctx, out, found, Kind.READ, "-f", "--file", "--ignore-file", "--exclude-from")
    if found.values("--pre"):
        out.ask("rg --pre runs a program on every file", form="--pre")
    if found.values("--hostname-bin"):
        out.ask("rg --hostname-bin runs a program", form="--hostname-bin")


def _into_folder(cmd: Cmd, ctx: FileContext, out: Outcome, folder: str, sources: list[int]) -> None:
    """What ``cp``/``mv`` write into ``folder``: ``folder/<name of each source>`` (``cp f .git/``
    writes ``.git/f``); a source whose name is unknown, or ``dir/.`` (its contents), writes into
    the folder as a whole (the policy checks what the folder holds)."""
    whole = False
    for i in sources:
        name = os.path.basename(cmd.argv[i].rstrip("/"))
        if not cmd.known[i] or cmd.glob(i) or name in ("", ".", ".."):
            whole = True
        else:
            out.effects.extend(ctx.file_effects(Kind.WRITE, os.path.join(folder, name), True, cmd.cwd,
                                                cmd.name))
    if whole or not sources:
        out.effects.extend(ctx.file_effects(Kind.WRITE, folder, True, cmd.cwd, cmd.name))


def _files0(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan) -> None:
    """``--files0-from=FILE`` (sort, wc, du): FILE is read, and so are the files it names."""
    for opt in found.values("--files0-from"):
        path_opts(cmd, ctx, out, found, Kind.READ, "--files0-from")
        if opt.value != "-":
            reason = f"{cmd.name} --files0-from reads the files {opt.value} names"
            out.effects.append(ctx.unknown_path(Kind.READ, cmd.cwd, cmd.name, reason))
        break


def _sort(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="kotST",
                 long_values=("--key", "--output", "--field-separator", "--buffer-size",
                              "--temporary-directory", "--parallel", "--files0-from"))
    add_paths(cmd, ctx, out, Kind.READ, found.positional)
    path_opts(cmd, ctx, out, found, Kind.WRITE, "-o", "--output")
    _files0(cmd, ctx, out, found)
    if found.values("--compress-program"):
        out.ask("sort --compress-program runs a program", form="--compress-program")


def _in_out(short: str = "", long: tuple[str, ...] = ()) -> Handler:
    """``prog [opts] [INPUT [OUTPUT]]`` (uniq, xxd)."""

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        found = scan(cmd.argv, short_values=short, long_values=long)
        add_paths(cmd, ctx, out, Kind.READ, found.positional[:1])
        add_paths(cmd, ctx, out, Kind.WRITE, found.positional[1:2])

    return handle


def _jq(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    positional: list[int] = []
    from_file = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg in ("--arg", "--argjson"):
            i += 3
            continue
        if arg in ("--slurpfile", "--rawfile"):
            if i + 2 < len(argv):
                out.effects.extend(ctx.file_effects(Kind.READ, argv[i + 2], cmd.known[i + 2],
                                                    cmd.cwd, "jq"))
            i += 3
            continue
        if arg in ("-f", "--from-file") or (arg[:1] == "-" and arg[1:2] != "-" and "f" in arg[1:]):
            from_file = True  # -f, and bundles like -nf: the program comes from a file
        elif arg in ("-L", "--library-path") and i + 1 < len(argv):  # modules are loaded from below it
            out.effects.extend(ctx.file_effects(Kind.READ, argv[i + 1], cmd.known[i + 1], cmd.cwd, "jq -L"))
            i += 2
            continue
        elif arg.startswith(("-L", "--library-path=")) and arg not in ("-L", "--library-path"):
            folder = arg[2:] if arg.startswith("-L") else arg.partition("=")[2]
            out.effects.extend(ctx.file_effects(Kind.READ, folder, cmd.known[i], cmd.cwd, "jq -L"))
        elif arg in ("--indent", "--tab"):
            i += 2 if arg != "--tab" else 1
            continue
        elif arg == "--args" or arg == "--jsonargs":
            break
        elif not arg.startswith("-") or arg == "-":
            positional.append(i)
        i += 1
    add_paths(cmd, ctx, out, Kind.READ, positional if from_file else positional[1:])
    if positional and not from_file:
        _jq_env(cmd.argv[positional[0]] if cmd.known[positional[0]] else "env", out)


def _tree(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="LIPoH", long_values=("--filelimit", "--timefmt", "--sort"))
    add_paths(cmd, ctx, out, Kind.READ, found.positional)
    path_opts(cmd, ctx, out, found, Kind.WRITE, "-o")  # the listing goes to that file


def _jq_env(program: str, out: Outcome) -> None:
    """jq's ``env`` and ``$ENV`` read the environment: ``$ENV.NAME`` one variable, anything else all."""
    if not re.search(r"\$ENV\b|\benv\b", program):
        return
    names = re.findall(r"(?:\$ENV|\benv)\s*(?:\.|\[\s*\")([A-Za-z_][A-Za-z0-9_]*)", program)
    if len(names) == len(re.findall(r"\$ENV\b|\benv\b", program)):
        out.effects.extend(Effect.env(name, origin="jq") for name in names)
    else:
        out.effects.append(Effect.env("*", origin="jq").with_floor(
            Verdict.ASK, "jq's env and $ENV print every environment variable"))


def _copy(move: bool) -> Handler:
    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        found = scan(cmd.argv, short_values="tSm" if not move else "tS",
                     long_values=("--target-directory", "--suffix", "--backup"))
        sources = found.positional
        target = found.values("-t", "--target-directory")
        if target:
            _into_folder(cmd, ctx, out, target[0].value or "", sources)
        elif sources:
            dest, sources = sources[-1], sources[:-1]
            folder = cmd.argv[dest]
            if cmd.known[dest] and not found.has("-T", "--no-target-directory") and (
                    len(sources) > 1 or folder.endswith("/") or
                    os.path.isdir(os.path.join(cmd.cwd, os.path.expanduser(folder)))):
                _into_folder(cmd, ctx, out, folder, sources)
            else:
                add_paths(cmd, ctx, out, Kind.WRITE, [dest])
        first = len(out.effects)
        add_paths(cmd, ctx, out, Kind.READ, sources)
        if not move and treereads.copier_follows("cp", found):
            treereads.mark_following(out, first)
        if not move:
            treereads.mark_unread(cmd, out, first)
        if move:
            add_paths(cmd, ctx, out, Kind.DELETE, sources)

    return handle


def _ln(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="tS", long_values=("--target-directory", "--suffix"))
    pos = found.positional
    if not pos:
        return
    if not found.has("-s", "--symbolic"):  # a hard link is the file itself under a new name
        add_paths(cmd, ctx, out, Kind.READ, pos[:-1] if len(pos) > 1 else pos)
    if len(pos) == 1:
        i = pos[0]
        name = cmd.argv[i].rstrip("/").rsplit("/", 1)[-1]
        out.effects.extend(ctx.file_effects(Kind.WRITE, name, cmd.known[i], cmd.cwd, "ln"))
        if cmd.known[i]:
            ctx.note_link(name, cmd.argv[i], cmd.cwd)
        return
    link = pos[-1]
    targets = pos[:-1]
    add_paths(cmd, ctx, out, Kind.WRITE, [link])
    if len(targets) == 1 and cmd.known[link] and cmd.known[targets[0]]:
        ctx.note_link(cmd.argv[link], cmd.argv[targets[0]], cmd.cwd)


def _mode_first(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """chmod/chown/chgrp/chattr/setfacl: the first positional is a mode or owner."""
    found = scan(cmd.argv, short_values="mxMX" if cmd.name == "setfacl" else "",
                 long_values=("--modify", "--remove", "--set"))
    reference = found.values("--reference")
    skip = 0 if (reference or cmd.name == "setfacl") else 1
    if cmd.name == "chmod" and not reference:
        # chmod's mode may look like an option: chmod -x file
        pos = [i for i in range(1, len(cmd.argv)) if cmd.argv[i] != "--"
               and not re.fullmatch(r"-[RvcfH-]+|--\w[\w-]*(=.*)?", cmd.argv[i])]
        add_paths(cmd, ctx, out, Kind.WRITE, pos[1:])
        return
    add_paths(cmd, ctx, out, Kind.WRITE, found.positional[skip:])


def _dd(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for i, arg in enumerate(cmd.argv[1:], 1):
        key, eq, value = arg.partition("=")
        if eq and key == "if":
            out.effects.extend(ctx.file_effects(Kind.READ, value, cmd.known[i], cmd.cwd, "dd"))
        elif eq and key == "of":
            out.effects.extend(ctx.file_effects(Kind.WRITE, value, cmd.known[i], cmd.cwd, "dd"))


def _tee(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, long_values=("--output-error",))
    add_paths(cmd, ctx, out, Kind.WRITE, found.positional)


def _install(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="mogtSC",
                 long_values=("--mode", "--owner", "--group", "--target-directory", "--suffix"))
    if found.has("-d", "--directory"):
        add_paths(cmd, ctx, out, Kind.WRITE, found.positional)
        return
    _copy(False)(cmd, ctx, out)


def _patch(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="iopdDFrBYzVgxF",
                 long_values=("--input", "--output", "--strip", "--directory", "--reject-file",
                              "--prefix", "--suffix", "--basename-prefix"))
    path_opts(cmd, ctx, out, found, Kind.READ, "-i", "--input")
    path_opts(cmd, ctx, out, found, Kind.WRITE, "-o", "--output")
    base = next((o.value for o in found.values("-d", "--directory")), None)
    if found.positional:
        add_paths(cmd, ctx, out, Kind.WRITE, found.positional[:1])
        add_paths(cmd, ctx, out, Kind.READ, found.positional[1:2])
    else:  # the files named inside the patch, below the directory it runs in
        out.effects.extend(ctx.file_effects(Kind.WRITE, (base or ".").rstrip("/") + "/*",
                                            True, cmd.cwd, "patch"))


def _tar(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    codeprog.tar(cmd, ctx, out)


def _unzip(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="dxP", long_values=())
    if found.positional:
        add_paths(cmd, ctx, out, Kind.READ, found.positional[:1])
    target = found.values("-d")
    if target:
        path_opts(cmd, ctx, out, found, Kind.WRITE, "-d")
    elif not found.has("-l", "-t", "-v", "-p", "-Z"):
        out.effects.extend(ctx.file_effects(Kind.WRITE, "./*", True, cmd.cwd, "unzip"))


def _zip(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="bnxitPZ", long_values=())
    if found.has("-T") or found.values("-TT", "--unzip-command"):
        out.ask("zip -TT runs a command", form="-TT")
    add_paths(cmd, ctx, out, Kind.WRITE, found.positional[:1])
    first = len(out.effects)
    add_paths(cmd, ctx, out, Kind.READ, found.positional[1:])
    if treereads.copier_follows("zip", found):  # zip stores what a link points to unless -y
        treereads.mark_following(out, first)
    treereads.mark_unread(cmd, out, first)


def _find(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    roots = _find_roots(cmd)
    add_paths(cmd, ctx, out, Kind.READ, roots)
    argv = cmd.argv
    for i, arg in enumerate(argv):
        if arg == "-delete":
            # with no test to select files, -delete removes each root and all below it
            whole = not any(a.startswith("-") and a not in _FIND_NOT_TESTS for a in argv[1:])
            for r in roots:
                target = argv[r] if whole else argv[r].rstrip("/") + "/*"
                out.effects.extend(ctx.file_effects(Kind.DELETE, target, cmd.known[r], cmd.cwd,
                                                    "find -delete"))
        elif arg in ("-fprint", "-fprint0", "-fprintf", "-fls") and i + 1 < len(argv):
            out.effects.extend(ctx.file_effects(Kind.WRITE, argv[i + 1], cmd.known[i + 1],
                                                cmd.cwd, "find"))


# find arguments that select nothing (options and actions): with only these, every file is hit
_FIND_NOT_TESTS = frozenset({"-delete", "-depth", "-d", "-maxdepth", "-mindepth", "-xdev", "-mount",
                             "-noleaf", "-ignore_readdir_race", "-noignore_readdir_race",
                             "-daystart", "-follow", "-print", "-print0", "-ls", "-H", "-L", "-P",
                             "-true", "-warn", "-nowarn", "-O0", "-O1", "-O2", "-O3", "-D"})


def _find_roots(cmd: Cmd) -> list[int]:
    roots: list[int] = []
    i = 1
    argv = cmd.argv
    while (i < len(argv) and argv[i] in ("-H", "-L", "-P", "-D", "-O")) or (
            i < len(argv) and argv[i].startswith("-O")):
        i += 2 if argv[i] == "-D" else 1
    while i < len(argv) and not argv[i].startswith(("-", "(", "!")) and argv[i] not in (")", ","):
        roots.append(i)
        i += 1
    return roots


def find_root_paths(cmd: Cmd) -> tuple[str, ...]:
    roots = _find_roots(cmd)
    if any(not cmd.known[i] for i in roots):
        return ()
    return tuple(cmd.argv[i] for i in roots) or (".",)


def _env_dump(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    names = [a for a in cmd.argv[1:] if not a.startswith("-")]
    if cmd.name == "printenv" and names:
        out.effects.extend(Effect.env(n, origin="printenv") for n in names)
        return
    if cmd.name in ("set", "compgen") and names and cmd.name != "compgen":
        return
    if cmd.name == "compgen" and not any(a in ("-v", "-e", "-A") for a in cmd.argv[1:]):
        return
    out.effects.append(Effect.env("*", origin=cmd.name).with_floor(
        Verdict.ASK, f"'{cmd.name}' prints every environment variable"))


_READERS: dict[str, Handler] = {name: _simple(Kind.READ) for name in (
    "cat", "tac", "nl", "wc", "file", "stat", "md5sum", "sha1sum",
    "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "strings",
    "zcat", "zless", "zmore", "bzcat", "xzcat", "zstdcat", "readlink", "realpath", "tree", "bat",
    "batcat", "rev", "tac", "expand", "unexpand", "shuf", "fmt", "fold", "paste", "comm",
    "column", "ls", "dir", "vdir", "lsattr", "getfacl", "source", ".", "od", "hexdump", "base64",
    "base32", "basenc", "cmp", "diff", "diff3", "sdiff", "iconv", "nm", "objdump", "readelf",
    "ldd", "sha1sum", "pr", "tsort", "look", "zgrep", "lsof", "du", "wc", "exiftool")}
_READERS.update({
    "head": _simple(Kind.READ, "nc", ("--lines", "--bytes")),
    "tail": _simple(Kind.READ, "ncsF", ("--lines", "--bytes", "--sleep-interval", "--pid",
                                        "--max-unchanged-stats")),
    "cut": _simple(Kind.READ, "dfcb", ("--delimiter", "--fields", "--characters", "--bytes")),
    "grep": _grep, "egrep": _grep, "fgrep": _grep, "rg": _grep, "ag": _grep, "ack": _grep,
    "sort": _sort, "uniq": _in_out("fsw"), "xxd": _in_out("lscgo"), "jq": _jq, "yq": _jq,
    "du": _simple(Kind.READ, "dBtX", ("--max-depth", "--exclude", "--block-size", "--threshold",
                                      "--exclude-from"), reads="-X --exclude-from"),
    "diff": _simple(Kind.READ, "UCxXIFL", ("--label", "--exclude", "--exclude-from", "--unified",
                                           "--context", "--from-file", "--to-file"),
                    reads="--from-file --to-file -X --exclude-from", tree="-r --recursive"),
    "date": _simple(Kind.READ, "fdrI", ("--file", "--date", "--reference", "--iso-8601"),
                    skip=99, reads="-f --file"),
    "od": _simple(Kind.READ, "AjNtw"),
    "base64": _simple(Kind.READ, "w"),
    "ls": _simple(Kind.READ, "ITw", ("--ignore", "--hide", "--width", "--tabsize", "--format",
                                     "--sort", "--time", "--time-style", "--block-size")),
    "tree": _tree,
})


_WRITERS: dict[str, Handler] = {
    "touch": _simple(Kind.WRITE, "dtr", ("--date", "--reference"), reads="-r --reference"),
    "mkdir": _simple(Kind.WRITE, "mZ", ("--mode", "--context")),
    "truncate": _simple(Kind.WRITE, "sr", ("--size", "--reference"), reads="-r --reference"),
    "tee": _tee, "dd": _dd, "install": _install, "patch": _patch,
    "chmod": _mode_first, "chown": _mode_first, "chgrp": _mode_first, "chattr": _mode_first,
    "setfacl": _mode_first,
    "cp": _copy(False), "mv": _copy(True), "ln": _ln,
    "sponge": _simple(Kind.WRITE),
    "gzip": _simple(Kind.WRITE, "S", ("--suffix",)), "gunzip": _simple(Kind.WRITE, "S"),
    "bzip2": _simple(Kind.WRITE), "bunzip2": _simple(Kind.WRITE), "xz": _simple(Kind.WRITE),
    "unxz": _simple(Kind.WRITE), "zstd": _simple(Kind.WRITE, "o"),
    "split": _in_out("lbnCa"), "csplit": _simple(Kind.READ, "bfn"),
    "nano": _simple(Kind.WRITE), "pico": _simple(Kind.WRITE), "code": _simple(Kind.WRITE),
    "tar": _tar, "unzip": _unzip, "zip": _zip, "find": _find,
    "mkfifo": _simple(Kind.WRITE, "m"), "mknod": _simple(Kind.WRITE, "m", skip=0),
}

_DELETERS: dict[str, Handler] = {
    name: _simple(Kind.DELETE, "nsu" if name == "shred" else "", ("--iterations", "--size"))
    for name in ("rm", "rmdir", "unlink", "shred", "srm", "trash", "trash-put", "gio-trash")}

_ENV: dict[str, Handler] = {name: _env_dump for name in ("printenv", "set", "compgen")}

HANDLERS: dict[str, Handler] = {**_READERS, **_WRITERS, **_DELETERS, **_ENV}
