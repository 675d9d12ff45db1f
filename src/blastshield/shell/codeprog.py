"""Programs that run code given in their arguments, flags or standard input.

Each is at least ``ask``; the floor's ``form`` is the literal risky token (``-c``, ``-e``,
the awk program text, the make target...) so that a policy allow rule naming that exact
form lifts it. Code built from a download is ``deny``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import NamedTuple

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import scripts, tarprog
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.netprog import listener
from blastshield.shell.opts import Opt, Scan, scan

Handler = Callable[[Cmd, FileContext, Outcome], None]


class Interp(NamedTuple):
    code: tuple[str, ...]  # options whose value is code ("-c", "--eval")
    modules: tuple[str, ...] = ()  # options that load code by name ("-m", "--require")
    short_values: str = ""  # every short option letter that takes a value
    long_values: tuple[str, ...] = ()
    in_place: bool = False  # -i edits the files named after the code


INTERPRETERS: dict[str, Interp] = {
    "python": Interp(("-c",), ("-m",), "cmWXQ"),
    "pypy": Interp(("-c",), ("-m",), "cmWXQ"),
    "node": Interp(("-e", "--eval", "-p", "--print"), ("-r", "--require", "--import", "--loader",
                                                       "--experimental-loader"),
                   "eprC", ("--eval", "--print", "--require", "--import", "--loader",
                            "--experimental-loader", "--conditions", "--input-type")),
    "nodejs": Interp(("-e", "--eval", "-p", "--print"), ("-r", "--require"), "eprC",
                     ("--eval", "--print", "--require")),
    "perl": Interp(("-e", "-E"), ("-M", "-m"), "eEMmIlx0C", in_place=True),
    "ruby": Interp(("-e",), ("-r",), "erICEFx", in_place=True),
    "php": Interp(("-r", "-B", "-R", "-E"), ("-F", "-d"), "rBREFcdzStf"),
    "lua": Interp(("-e",), ("-l",), "el"), "luajit": Interp(("-e",), ("-l",), "elj"),
    "Rscript": Interp(("-e", "--expr"), (), "e"), "R": Interp(("-e",), (), "e"),
    "julia": Interp(("-e", "-E", "--eval", "--print"), ("-L", "--load"), "eEL"),
    "osascript": Interp(("-e",), (), "el"), "expect": Interp(("-c",), (), "cf"),
    "tclsh": Interp((), ()), "jshell": Interp((), ()),
    "groovy": Interp(("-e",), (), "e"), "scala": Interp(("-e",), (), "e"),
}


def interpreter(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    from blastshield.shell.effects import program

    spec = INTERPRETERS[program(cmd.argv[0])]
    found = scan(cmd.argv, short_values=spec.short_values,
                 long_values=spec.long_values, stop_at_positional=True)
    ran_code = False
    for opt in found.opts:
        at = opt.value_index if opt.value_index is not None else opt.index
        if opt.name in spec.code:
            ran_code = True
            if cmd.dl[at]:
                out.deny(f"{cmd.name} {opt.name} runs code built from a download")
            elif not cmd.known[at]:
                out.unresolved(f"{cmd.name} {opt.name} runs code that is not statically known")
            out.ask(f"{cmd.name} {opt.name} runs code given on the command line", form=opt.name)
        elif opt.name in spec.modules:
            out.ask(f"{cmd.name} {opt.name} loads and runs code by name", form=opt.name)
            if opt.name == "-m" and spec.short_values.startswith("cm"):
                ran_code = True
                _python_module(cmd, ctx, out, opt.value or "", at)
    if spec.in_place and any(re.match(r"-[A-Za-z]*i", cmd.argv[o.index]) for o in found.opts):
        files = found.positional if ran_code else found.positional[1:]
        add_paths(cmd, ctx, out, Kind.WRITE, files)
    if ran_code:
        return
    if cmd.name == "php" and found.values("-S"):
        value = found.values("-S")[0].value or ""
        port = value.rsplit(":", 1)[-1]
        listener(out, int(port) if port.isdigit() else None, "php", "php -S")
        return
    script = found.positional[0] if found.positional else None
    if script is not None and program(cmd.argv[0]) in ("python", "pypy") and cmd.known[script] \
            and _is_blastshield_entry(cmd.argv[script], cmd.cwd):
        # `python …/blastshield/__main__.py hook …` is `blastshield hook …` (what init registers).
        from blastshield.shell.selfprog import blastshield as blastshield_command

        blastshield_command(cmd.derived(("blastshield", *cmd.argv[script + 1:]), origin=cmd.origin), ctx, out)
    run_file(cmd, ctx, out, script, shell=False)


def _is_blastshield_entry(path: str, cwd: str) -> bool:
    """A path that runs blastshield's command line when given to Python: any copy's
    ``blastshield/__main__.py``, ``blastshield/cli/__main__.py`` or the package folder itself."""
    resolved = os.path.realpath(os.path.join(cwd, os.path.expanduser(path)))
    parts = resolved.split(os.sep)
    return (parts[-2:] == ["blastshield", "__main__.py"]
            or parts[-3:] == ["blastshield", "cli", "__main__.py"]
            or (parts[-1] == "blastshield" and os.path.isfile(os.path.join(resolved, "__main__.py"))))


def run_file(cmd: Cmd, ctx: FileContext, out: Outcome, script: int | None, *, shell: bool) -> None:
    """A shell or interpreter runs a script file, or code from standard input."""
    if script is None or cmd.argv[script] in ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"):
        stdin = cmd.stdin
        if stdin is None or cmd.stdin_args:
            return
        if stdin.download:
            out.deny(f"{cmd.name} runs code downloaded from the network")
        elif shell and stdin.text is not None:
            out.inner.append(Inner(f"{cmd.name} stdin", script=stdin.text))
        elif stdin.kind == "file" and shell:
            return
        elif shell:
            out.unresolved(f"{cmd.name} runs commands fed on standard input that are not "
                           "statically known")
        else:
            out.ask(f"{cmd.name} runs code fed on standard input")
        return
    path = cmd.argv[script]
    if cmd.dl[script]:
        out.deny(f"{cmd.name} runs code downloaded from the network")
    elif not cmd.known[script]:
        out.unresolved(f"{cmd.name} runs a script whose name is not statically known")
    elif ctx.was_downloaded(path, cmd.cwd):
        out.deny(f"{cmd.name} runs {path}, which a download in this command line wrote")
    else:
        wrote, content = ctx.written_content(path, cmd.cwd)
        if wrote and shell and content is not None:
            out.inner.append(Inner(f"{cmd.name} {path}", script=content,
                                   positional=tuple(cmd.argv[script:])))
        elif wrote:
            out.unresolved(f"{cmd.name} runs {path}, which this command line wrote")
    out.effects.extend(ctx.file_effects(Kind.READ, path, cmd.known[script], cmd.cwd, cmd.name))


def _python_module(cmd: Cmd, ctx: FileContext, out: Outcome, module: str, at: int) -> None:
    if module in ("http.server", "SimpleHTTPServer", "CGIHTTPServer", "pydoc", "smtpd",
                  "xmlrpc.server"):
        port = 8000
        for i in range(at + 1, len(cmd.argv)):
            if cmd.argv[i].isdigit():
                port = int(cmd.argv[i])
                break
        listener(out, port, "python -m " + module, f"python -m {module}")
    elif module == "pip":
        from blastshield.shell.pkgprog import pip_args

        pip_args(cmd, out, at + 1, "python -m pip")
    else:
        from blastshield.shell.toolprog import module_handler

        handler = module_handler(module)
        if handler is not None:  # python -m pytest ...: the tool's own arguments
            handler(cmd.derived((module, *cmd.argv[at + 1:]), origin=cmd.origin), ctx, out)


def _deno(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    if not found.positional:
        return
    sub = cmd.argv[found.positional[0]]
    if sub == "eval":
        out.ask("deno eval runs code given on the command line", form="eval")
    elif sub in ("run", "install", "x"):
        rest = scan(cmd.argv, found.positional[0] + 1, stop_at_positional=True,
                    long_values=("--config", "--import-map", "--location", "--seed"))
        for i in rest.positional[:1]:
            if "://" in cmd.argv[i] or cmd.argv[i].startswith(("npm:", "jsr:")):
                out.deny(f"deno {sub} runs code downloaded from the network")


def _pwsh(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for arg in cmd.argv[1:]:
        low = arg.lower()
        if low in ("-c", "-command", "-e", "-ec", "-enc", "-encodedcommand", "-commandwithargs",
                   "-cwa"):
            out.ask(f"{cmd.name} {arg} runs code given on the command line", form=arg)
            return


def _longs(spec: str) -> dict[str, str]:
    """Long options: "name" takes no value, "name=" a value, "name?" an optional one (after '=')."""
    return {word.rstrip("=?"): word[-1] if word[-1] in "=?" else "" for word in spec.split()}


_AWK_LONGS = _longs("characters-as-bytes traditional copyright gen-pot help bignum use-lc-numeric optimize "
                    "non-decimal-data posix re-interval no-optimize sandbox lint-old version csv dump usage "
                    "interactive posix_space repetitions assign= field-separator= file= source= exec= "
                    "include= load= dump-variables? debug? lint? pretty-print? profile? random? sprintf?")
_AWK_SHORT = {"F": "--field-separator", "v": "--assign", "f": "--file", "e": "--source", "E": "--exec",
              "i": "--include", "l": "--load", "d": "--dump-variables", "D": "--debug", "o": "--pretty-print",
              "p": "--profile", "L": "--lint"}
_AWK_WRITES = {"--dump-variables": "awkvars.out", "--pretty-print": "awkprof.out", "--profile": "awkprof.out"}
_SED_LONGS = _longs("quiet silent debug follow-symlinks posix regexp-extended separate sandbox unbuffered "
                    "null-data zero-terminated binary help version expression= file= line-length= in-place?")
_IDENTIFIER_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _getopt(argv: tuple[str, ...], values: str, optional: str, longs: dict[str, str],
            w_long: bool = False) -> Scan:
    """GNU getopt_long as awk and sed use it: a long option may be any unique prefix of its name;
    a short option in ``optional`` takes only an attached value; gawk's ``-W name`` is ``--name``."""
    opts: list[Opt] = []
    positional: list[int] = []
    i, n = 1, len(argv)

    def long(text: str, at: int, text_at: int) -> int:  # the last argument used
        name, eq, value = text.partition("=")
        found = [k for k in longs if k == name] or [k for k in longs if k.startswith(name)]
        full = "--" + (found[0] if len(found) == 1 else name)  # unknown or ambiguous: as given
        if eq:
            opts.append(Opt(full, value, at, text_at if text_at != at else None))
        elif longs.get(full[2:]) == "=" and text_at + 1 < n:
            opts.append(Opt(full, argv[text_at + 1], at, text_at + 1))
            return text_at + 1
        else:
            opts.append(Opt(full, None, at))
        return text_at

    while i < n:
        arg = argv[i]
        if arg == "--":
            positional.extend(range(i + 1, n))
            break
        if arg.startswith("--"):
            i = long(arg[2:], i, i)
        elif arg.startswith("-") and len(arg) > 1:
            for j in range(1, len(arg)):
                letter, rest = arg[j], arg[j + 1:]
                if w_long and letter == "W":  # gawk: -W name is --name
                    i = long(rest, i, i) if rest else long(argv[i + 1], i, i + 1) if i + 1 < n else i
                elif letter in values:
                    opts.append(Opt("-" + letter, rest or (argv[i + 1] if i + 1 < n else None), i,
                                    None if rest or i + 1 >= n else i + 1))
                    i += 0 if rest or i + 1 >= n else 1
                elif letter in optional:
                    opts.append(Opt("-" + letter, rest, i))
                else:
                    opts.append(Opt("-" + letter, None, i))
                    continue
                break
        else:
            positional.append(i)
            if w_long:  # awk: the options end at the program text
                positional.extend(range(i + 1, n))
                break
        i += 1
    return Scan(opts, positional)


def _awk(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _getopt(cmd.argv, "FvfeEil", "dDopL", _AWK_LONGS, w_long=True)
    for opt in found.opts:
        opt.name = _AWK_SHORT.get(opt.name[1:], opt.name) if len(opt.name) == 2 else opt.name
        form = cmd.argv[opt.index]
        if opt.name.startswith("--") and opt.name[2:] not in _AWK_LONGS:
            out.ask(f"{cmd.name} option {opt.name} is not one this analysis knows", form=form)
        elif opt.name in ("--file", "--exec", "--include", "--load", "--debug"):
            out.ask(f"{cmd.name} {opt.name} runs code or commands from a file", form=form)
            if opt.name != "--load" and opt.value:
                out.effects.extend(ctx.file_effects(Kind.READ, opt.value, _known(cmd, opt), cmd.cwd,
                                                    cmd.name))
        elif opt.name in _AWK_WRITES:
            out.effects.extend(ctx.file_effects(Kind.WRITE, opt.value or _AWK_WRITES[opt.name],
                                                _known(cmd, opt), cmd.cwd, cmd.name))
    pos = found.positional
    texts = [(o.value or "", _known(cmd, o)) for o in found.values("--source")]
    if not texts and not found.values("--file", "--exec") and pos:  # -i adds to the program
        texts.append((cmd.argv[pos[0]], cmd.known[pos[0]]))
        pos = pos[1:]
    for text, known in texts:
        _awk_program(cmd, ctx, out, text, known)
    assigns = not found.has("--exec")  # gawk -E: no command-line assignments
    add_paths(cmd, ctx, out, Kind.READ,  # NAME=VALUE (NAME written out) is an assignment, not a file
              [i for i in pos if not (assigns and _IDENTIFIER_ASSIGNMENT.match(cmd.argv[i]))])


def _known(cmd: Cmd, opt: Opt) -> bool:
    return cmd.known[opt.value_index if opt.value_index is not None else opt.index]


def _awk_program(cmd: Cmd, ctx: FileContext, out: Outcome, text: str, known: bool) -> None:
    """An awk program's floors and effects: what scripts.awk_risk finds, files it names by
    literal, the environment variables it reads, and programs that pick their own input."""
    if not known:
        out.ask(f"{cmd.name} its program is not statically known", form=text)
        return
    joined = text.replace("\\\n", " ")  # a backslash-newline continues the line
    risk = scripts.awk_risk(joined)
    if risk:
        out.ask(f"{cmd.name} {risk}", form=text)
    code, strings = scripts._awk_code(joined)

    def string_at(pos: int) -> str:  # the literal whose quote is at pos ("" for one with escapes)
        index = code.count('"', 0, pos) // 2
        return strings[index] if index < len(strings) and "\\" not in strings[index] else ""

    if re.search(r"\b(ARGV|ARGC|SYMTAB)\b", code):
        out.ask(f"{cmd.name}: the awk program chooses which files it reads (ARGV)", form=text)
    if re.search(r"@\s*[A-Za-z_]", code):
        out.ask(f"{cmd.name} includes files or calls functions by name (gawk's @)", form=text)
    for m in re.finditer(r'(@include\s*|\bgetline\b[^;{}\n|]*<\s*)""', code):
        out.effects.extend(ctx.file_effects(Kind.READ, string_at(m.end() - 2), True, cmd.cwd, cmd.name))
    for m in re.finditer(r'\bprintf?\b[^;{}\n|]*?>>?\s*""', code):
        out.effects.extend(ctx.file_effects(Kind.WRITE, string_at(m.end() - 2), True, cmd.cwd, cmd.name))
    names: set[str] = set()
    for m in re.finditer(r'\bENVIRON\b(\s*\[\s*""\s*\])?', code):
        name = string_at(m.start(1) + m.group(1).index('"')) if m.group(1) else ""
        names.add(name or "*")
    for name in sorted(names):
        effect = Effect.env(name, origin=cmd.name)
        out.effects.append(effect if name != "*" else effect.with_floor(
            Verdict.ASK, "the awk program reads environment variables whose names are not statically known"))


def _sed(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    found = _getopt(argv, "efl", "i", _SED_LONGS)
    for opt in found.opts:
        opt.name = {"-e": "--expression", "-f": "--file", "-i": "--in-place"}.get(opt.name, opt.name)
    pieces = found.values("--expression")
    for opt in found.values("--file"):
        out.ask("sed -f runs a script from a file (it may run commands or write files)", form="-f")
        out.effects.extend(ctx.file_effects(Kind.READ, opt.value or "", _known(cmd, opt), cmd.cwd, "sed"))
    pos = found.positional
    texts = [(o.value or "", _known(cmd, o)) for o in pieces]
    if len(pieces) > 1:  # the pieces run as one script, joined by newlines
        texts.append(("\n".join(text for text, _ in texts), all(known for _, known in texts)))
    if not pieces and not found.values("--file") and pos:
        texts.append((argv[pos[0]], cmd.known[pos[0]]))
        pos = pos[1:]
    for text, known in texts:
        if not known:
            out.ask("sed runs a script that is not statically known", form=text)
            continue
        risk = scripts.sed_risk(text)
        if risk.reason:
            out.ask(f"sed {risk.reason}", form=text)
        for path in risk.reads:
            out.effects.extend(ctx.file_effects(Kind.READ, path, True, cmd.cwd, "sed"))
        for path in risk.writes:
            out.effects.extend(ctx.file_effects(Kind.WRITE, path, True, cmd.cwd, "sed"))
    in_place = [o for o in found.opts if o.name == "--in-place"]
    add_paths(cmd, ctx, out, Kind.WRITE if in_place else Kind.READ, pos)
    suffix = in_place[-1].value if in_place else None
    if suffix:  # GNU sed renames the file to its backup name: '*' is the file's name as given
        if not _known(cmd, in_place[-1]) or cmd.stdin_args or cmd.placeholders:
            out.effects.append(ctx.unknown_path(Kind.WRITE, cmd.cwd, "sed -i", "the backup file sed -i "
                                                "makes has a name not statically known"))
        for i in pos:
            name = suffix.replace("*", argv[i]) if "*" in suffix else argv[i] + suffix
            out.effects.extend(ctx.file_effects(Kind.WRITE, name, cmd.known[i], cmd.cwd, "sed -i"))


#: GNU tar (fileprog's handler calls it here): its own module, tarprog.
tar = tarprog.tar


def _pager(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="bhjkoOpPtTxyz#" if cmd.name != "man" else "PHpMmCLSe",
                 long_values=("--pager", "--html", "--preprocessor", "--lesskey-file", "--log-file",
                              "--LOG-FILE", "--lesskey-src", "--config-file"), plus_options=True)
    for opt in found.opts:
        if opt.name.startswith("+") or (opt.name in ("-P", "--pager", "-H", "--html", "-p",
                                                     "--preprocessor", "-k", "--lesskey-file",
                                                     "--lesskey-src") and \
                (cmd.name == "man" or opt.name.startswith("+") or opt.name in ("-k", "--lesskey-file",
                                                                               "--lesskey-src"))):
            out.ask(f"{cmd.name} {opt.name} can run commands", form=cmd.argv[opt.index])
    for i in range(1, len(cmd.argv)):
        if cmd.argv[i].startswith("+"):
            out.ask(f"{cmd.name} {cmd.argv[i]} runs pager commands", form=cmd.argv[i])
    if cmd.name != "man":
        add_paths(cmd, ctx, out, Kind.READ, [i for i in found.positional
                                             if not cmd.argv[i].startswith("+")])


def _editor(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="cSusTrUiwWqt", long_values=("--cmd", "--servername"),
                 plus_options=True)
    for opt in found.opts:
        if opt.name in ("-c", "--cmd", "-S", "-u", "-s", "-w", "-W", "-e", "-E") or \
                opt.name.startswith("+"):
            out.ask(f"{cmd.name} {opt.name} runs editor commands", form=cmd.argv[opt.index])
            break
    if cmd.name in ("ex", "exim") or (cmd.stdin is not None and cmd.stdin.kind != "pipe"):
        out.ask(f"{cmd.name} runs editor commands from standard input", form=cmd.name)
    add_paths(cmd, ctx, out, Kind.WRITE, [i for i in found.positional
                                          if not cmd.argv[i].startswith("+")])


def _emacs(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for arg in cmd.argv[1:]:
        name = arg.split("=", 1)[0]
        if name in ("--eval", "-l", "--load", "-f", "--funcall", "--batch", "-batch", "--script",
                    "-x", "--execute"):
            out.ask(f"emacs {name} runs Lisp code", form=name)
            return


def _gdb(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for i, arg in enumerate(cmd.argv[1:], 1):
        name = arg.split("=", 1)[0]
        if name in ("-ex", "--ex", "-x", "--x", "-eval-command", "--eval-command", "-command",
                    "--command", "-iex", "-ix", "-batch", "--batch"):
            out.ask(f"gdb {name} runs debugger commands", form=name)
            return
        if arg == "--args" and i + 1 < len(cmd.argv):
            out.inner.append(Inner("gdb --args", cmd=cmd.tail(i + 1, origin="gdb --args")))
            return


def _make(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="fCIojlOWE", long_values=("--file", "--makefile",
                                                                "--directory", "--include-dir",
                                                                "--jobs", "--load-average",
                                                                "--old-file", "--what-if",
                                                                "--eval"))
    targets = [cmd.argv[i] for i in found.positional if "=" not in cmd.argv[i]]
    form = targets[0] if targets else cmd.name
    out.ask(f"{cmd.name} runs the recipes of the Makefile", form=form)
    if found.values("-E", "--eval"):
        out.ask(f"{cmd.name} --eval runs make code given on the command line", form="--eval")


HANDLERS: dict[str, Handler] = {name: interpreter for name in INTERPRETERS}
HANDLERS.update({
    "deno": _deno, "pwsh": _pwsh, "powershell": _pwsh,
    "awk": _awk, "gawk": _awk, "mawk": _awk, "nawk": _awk, "sed": _sed, "gsed": _sed,
    "less": _pager, "more": _pager, "most": _pager, "man": _pager,
    "vi": _editor, "vim": _editor, "nvim": _editor, "view": _editor, "gvim": _editor,
    "ex": _editor, "rvim": _editor, "vimdiff": _editor,
    "emacs": _emacs, "gdb": _gdb, "make": _make, "gmake": _make, "bmake": _make,
})
