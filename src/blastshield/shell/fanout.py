"""Wrappers that run a command once per input: ``xargs``, ``find -exec``, ``fd -x``,
``parallel``. A placeholder (``{}``) stands for the paths or arguments that only exist
at run time; when the search roots are known, it stands for everything below them."""

from __future__ import annotations

import os
import re
from functools import cache

from blastshield.effects import Kind
from blastshield.shell.codeprog import run_file
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.fileprog import find_root_paths
from blastshield.shell.files import FileContext
from blastshield.shell.opts import scan
from blastshield.shell.treereads import FOLLOW_DEPTH, plain_glob


def xargs(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="adEILnPs",
                 long_values=("--arg-file", "--delimiter", "--eof", "--max-lines", "--max-args",
                              "--max-procs", "--max-chars", "--process-slot-var"),
                 stop_at_positional=True)
    for opt in found.values("-a", "--arg-file"):
        out.effects.extend(ctx.file_effects(Kind.READ, opt.value or "", True, cmd.cwd, "xargs"))
    replace = [o.value for o in found.values("-I", "--replace") if o.value]
    if found.has("-i") or any(o.name == "--replace" and o.value is None for o in found.opts):
        replace.append("{}")
    if found.positional:
        inner = cmd.tail(found.positional[0], origin="xargs", stdin=None, stdin_args=not replace)
        inner.stdin = None
    else:
        inner = cmd.derived(("echo",), origin="xargs", stdin_args=True)
    for token in replace:
        inner.placeholders[token] = ()
        inner.known = tuple(k and token not in a for a, k in zip(inner.argv, inner.known, strict=True))
        if inner.argv and token in inner.argv[0]:
            inner.known = (False, *inner.known[1:])
    out.inner.append(Inner("xargs", cmd=inner))


#: find arguments that select nothing and take no value (options, and actions other than -exec).
_NEUTRAL = frozenset({"-depth", "-xdev", "-mount", "-noleaf", "-ignore_readdir_race", "-daystart",
                      "-print", "-print0", "-true", "-warn", "-nowarn"})


def find_selection(cmd: Cmd, ctx: FileContext) -> tuple[tuple[str, str], ...]:
    """What a placeholder's read is narrowed to: with only ``-name PAT`` tests (and options, and
    ``-type f``), the files so named (``("include", PAT)``); links followed with ``-L``/``-follow``.
    Without ``-type f`` a folder or a link may be so named too: the names are kept only when no
    folder below the roots has one, and links are then followed (``cat {}`` reads through them).
    Anything else (``-o``, ``!``, ``-path``, ``-iname``, ``-type d``) narrows nothing: the
    placeholder then stands for every file below the roots, hidden ones included."""
    argv = cmd.argv
    follow = (("follow", str(FOLLOW_DEPTH)),) if any(a in ("-L", "-follow") for a in argv[1:]) else ()
    names: list[str] = []
    files_only = False
    i = 1
    while i < len(argv) and (argv[i] in ("-H", "-L", "-P") or not argv[i].startswith(("-", "(", "!"))):
        i += 1  # start options and roots
    while i < len(argv):
        arg = argv[i]
        if arg in ("-exec", "-execdir", "-ok", "-okdir"):
            while i < len(argv) and argv[i] not in (";", "+"):
                i += 1
        elif arg == "-name" and i + 1 < len(argv) and cmd.known[i + 1]:
            names.append(argv[i + 1])
            i += 1
        elif arg == "-type" and i + 1 < len(argv):
            if argv[i + 1] != "f":
                return follow
            files_only = True
            i += 1
        elif arg in ("-maxdepth", "-mindepth") and i + 1 < len(argv):
            i += 1
        elif arg not in _NEUTRAL and arg not in ("-follow", "-a", "-and"):
            return follow
        i += 1
    if not names or not all(cmd.known[1:]) or not all(plain_glob(name) for name in names):
        return follow
    if not files_only:
        if _folder_named(find_root_paths(cmd), cmd.cwd, names, ctx):
            return follow
        follow = (("follow", str(FOLLOW_DEPTH)),)
    return tuple(("include", name) for name in names) + follow


def _folder_named(roots: tuple[str, ...], cwd: str, names: list[str], ctx: FileContext,
                  budget: int = 20_000) -> bool:
    """Is there a folder below ``roots`` that one of the ``-name`` patterns matches (or too many
    entries to tell)?"""
    from fnmatch import fnmatchcase

    ctx.fs_dependent = True  # the analysis looked at the file system: not cached
    seen = 0
    for root in roots:
        base = os.path.normpath(os.path.join(cwd, os.path.expanduser(root)))
        for written in ctx.written:  # what this line writes first (`mkdir x.py && cp .env x.py/`)
            if written.startswith(base + "/") and any(
                    fnmatchcase(part, name) for part in written[len(base) + 1:].split("/") for name in names):
                return True
        for _, folders, files in os.walk(os.path.join(cwd, os.path.expanduser(root))):
            seen += len(folders) + len(files)
            if seen > budget:
                return True
            if any(fnmatchcase(folder, name) for folder in folders for name in names):
                return True
    return False


def find(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    roots = find_root_paths(cmd)
    i = 1
    while i < len(argv):
        if argv[i] in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(argv) and argv[j] not in (";", "+"):
                j += 1
            if j > i + 1:
                inner = cmd.tail(i + 1, origin="find " + argv[i], stdin=None)
                inner = Cmd(argv[i + 1: j], cmd.known[i + 1: j], cmd.dl[i + 1: j], cmd.cwd,
                            "find " + argv[i], None, dict(cmd.assigns), {"{}": roots}, False,
                            cmd.remote, cmd.globs[i + 1: j], find_selection(cmd, ctx))
                if inner.argv and "{}" in inner.argv[0]:
                    inner.known = (False, *inner.known[1:])
                out.inner.append(Inner("find " + argv[i], cmd=inner))
            i = j
        i += 1


_PARALLEL_VALUES = ("--jobs", "--sshlogin", "--arg-file", "--colsep", "--results", "--joblog",
                    "--delay", "--timeout", "--tmpdir", "--basefile", "--workdir", "--env",
                    "--tag-string", "--max-procs", "--halt", "--retries", "--memfree", "--load",
                    "--max-args", "--max-replace-args", "--max-lines", "--sshloginfile",
                    "--return", "--transferfile", "--termseq", "--rpl", "--shebang-wrap")


@cache
def _parallel_placeholder() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"\{(?:\d*(?:\.|/|//|/\.|#|%)?|\d+)\}")


def parallel(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="jSaIENnLP", long_values=_PARALLEL_VALUES,
                 stop_at_positional=True)
    from blastshield.shell.netprog import net

    for opt in found.values("-S", "--sshlogin"):
        for login in (opt.value or "").split(","):
            host = login.rsplit("@", 1)[-1].split("/")[-1]
            if host and host != ":":
                net(out, host.lower(), 22, "parallel -S")
    argv = cmd.argv
    if not found.positional:
        run_file(cmd, ctx, out, None, shell=True)
        return
    start = found.positional[0]
    end = start
    while end < len(argv) and not argv[end].startswith(":::"):
        end += 1
    words = list(argv[start:end])
    if not words:
        run_file(cmd, ctx, out, None, shell=True)
        return
    args = [a for a in argv[end + 1:] if not a.startswith(":::")] if end < len(argv) else []
    literal = end < len(argv) and argv[end] in (":::", ":::+") and all(cmd.known[end + 1:]) \
        and 0 < len(args) <= 16
    template = " ".join(words)
    if literal:
        for value in args:
            text = _parallel_placeholder().sub(value, template)
            if text == template:
                text = f"{template} {value}"
            out.inner.append(Inner("parallel", script=text))
    else:
        text = _parallel_placeholder().sub('"$PARALLEL_ARG"', template)
        if text == template:
            text += ' "$PARALLEL_ARG"'
        out.inner.append(Inner("parallel", script=text))
    if not all(cmd.known[start:end]):
        out.unresolved("parallel runs a command template that is not statically known")


_FD_SHORT_VALUES = "etEdSjco"
_FD_LONG_VALUES = frozenset(("--extension", "--type", "--exclude", "--max-depth", "--min-depth",
                             "--exact-depth", "--size", "--threads", "--color", "--changed-within",
                             "--changed-before", "--change-newer-than", "--change-older-than",
                             "--newer", "--older", "--owner", "--max-results", "--base-directory",
                             "--path-separator", "--search-path", "--ignore-file", "--format",
                             "--batch-size", "--max-buffer-time", "--and", "--strip-cwd-prefix"))
_FD_EXEC = ("-x", "--exec", "-X", "--exec-batch")
_FD_PLACEHOLDERS = ("{}", "{/}", "{//}", "{.}", "{/.}")


def fd(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``fd [OPTIONS] [PATTERN] [PATH...] [-x|-X CMD... [;]]``: it lists (reads) the search
    paths and runs CMD once per match (``-x``) or once for all (``-X``)."""
    argv = cmd.argv
    positional: list[int] = []
    roots: list[int] = []
    runs: list[tuple[str, int, int]] = []
    cwd = cmd.cwd
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg in _FD_EXEC:
            end = i + 1
            while end < len(argv) and argv[end] != ";":
                end += 1
            runs.append((arg, i + 1, end))
            i = end + 1
            continue
        if arg == "--":
            positional.extend(range(i + 1, len(argv)))
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            at = i
            if not eq and name in _FD_LONG_VALUES and i + 1 < len(argv):
                at, value = i + 1, argv[i + 1]
                i += 1
            if name == "--search-path":
                roots.append(at)
            elif name == "--base-directory":
                import os

                cwd = os.path.normpath(os.path.join(cwd, value))
        elif arg.startswith("-") and len(arg) > 1:
            for j, letter in enumerate(arg[1:], 1):
                if letter in _FD_SHORT_VALUES:
                    if j == len(arg) - 1:
                        i += 1
                    break
        else:
            positional.append(i)
        i += 1
    roots.extend(positional[1:])
    for index in roots:
        out.effects.extend(ctx.file_effects(Kind.READ, argv[index], cmd.known[index], cwd, "fd"))
    if not roots:
        out.effects.extend(ctx.file_effects(Kind.READ, ".", True, cwd, "fd"))
    paths = () if any(not cmd.known[r] for r in roots) else \
        tuple(argv[r] for r in roots) or (".",)
    for flag, start, end in runs:
        if end <= start:
            continue
        words = argv[start:end]
        known = cmd.known[start:end]
        if not any(p in w for w in words for p in _FD_PLACEHOLDERS):
            words, known = (*words, "{}"), (*known, True)
        inner = Cmd(words, known, (False,) * len(words), cwd, f"fd {flag}", None,
                    dict(cmd.assigns), {p: paths for p in _FD_PLACEHOLDERS}, False, cmd.remote)
        if any(p in words[0] for p in _FD_PLACEHOLDERS):
            inner.known = (False, *inner.known[1:])
        out.inner.append(Inner(f"fd {flag}", cmd=inner))
