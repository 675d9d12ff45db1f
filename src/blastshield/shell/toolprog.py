"""Build, test, lint and data tools: the files and folders their options write, the files
formatters rewrite, and the options that make them run another program.

A test runner told ``--basetemp=.git/hooks`` empties and refills that folder; a compiler
told ``-o ~/.bashrc`` replaces it; ``sqlite3 DB`` changes DB. These are write effects
like any redirection, so the policy and the built-in protections judge them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from blastshield.effects import Kind
from blastshield.shell import selfprog
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.netprog import GOPROXY, net, unknown_net
from blastshield.shell.opts import scan
from blastshield.shell.pkgprog import given_urls, proxies

Handler = Callable[[Cmd, FileContext, Outcome], None]


class Tool(NamedTuple):
    """Option tables of one tool. ``writes``/``reads`` name options whose value is a path;
    ``runs`` options whose value is a program to run (ask, liftable by naming the option);
    ``values`` other options that take a value (so operands are found correctly)."""

    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    operands: Kind | None = None  # what the operands are (files it lints, formats...)
    rewrite: tuple[str, ...] = ()  # flags (or a first operand) that make it rewrite the operands
    check_only: tuple[str, ...] = ()  # flags that keep a formatter from writing
    subcommands: tuple[str, ...] = ()  # a first operand that is a subcommand, not a file
    asks: tuple[tuple[str, str], ...] = ()  # flags that run or install something else: (flag, why)
    at_files: bool = False  # "@FILE" operands hold more arguments (argparse's fromfile_prefix_chars)


_PROGRAM_OPTIONS = frozenset({"-exec", "-toolexec", "-wrapper", "--wrapper", "--python-executable"})


def _options(argv: tuple[str, ...], valued: frozenset[str]) -> tuple[list[tuple[str, str, int]],
                                                                    set[str], list[int]]:
    """Options with values (name, value, index of the value), flags, operand indices.

    ``valued`` holds every option that takes a value, short (``-o``, value attached or
    next) or long (``--out``/``-wrapper``, value after ``=`` or next)."""
    opts: list[tuple[str, str, int]] = []
    flags: set[str] = set()
    operands: list[int] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if arg == "--":
            operands.extend(range(i + 1, len(argv)))
            break
        if name.startswith("--") and len(name) > 3 and name not in valued:
            # argparse and getopt_long take an unambiguous prefix of a long option
            found = [known for known in valued if known.startswith(name)]
            name = found[0] if len(found) == 1 else name
        if name in valued:
            if eq:
                opts.append((name, value, i))
            elif i + 1 < len(argv):
                opts.append((name, argv[i + 1], i + 1))
                i += 1
        elif arg.startswith("-") and not arg.startswith("--") and arg[:2] in valued and len(arg) > 2:
            opts.append((arg[:2], arg[2:], i))
        elif arg.startswith("--") or (arg.startswith("-") and len(arg) == 2):
            flags.add(name)
        elif arg.startswith("-") and len(arg) > 2:
            flags.add(arg)
            flags.update("-" + letter for letter in arg[1:])
        else:
            operands.append(i)
        i += 1
    return opts, flags, operands


def _tool(spec: Tool) -> Handler:
    valued = frozenset(spec.writes + spec.reads + spec.runs + spec.values)

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        opts, flags, operands = _options(cmd.argv, valued)
        for name, value, at in opts:
            if name in spec.writes or name in spec.reads:
                kind = Kind.WRITE if name in spec.writes else Kind.READ
                out.effects.extend(ctx.file_effects(kind, value, cmd.known[at], cmd.cwd, cmd.name))
            elif name in spec.runs:
                out.ask(f"{cmd.name} {name} runs another program", form=name)
                if name in _PROGRAM_OPTIONS:
                    out.inner.append(Inner(f"{cmd.name} {name}", script=value.replace(",", " ")
                                           if name.endswith("wrapper") else value))
        for flag, why in spec.asks:
            if any(flag.startswith(given) and len(given) > 3 for given in flags):
                out.ask(f"{cmd.name} {flag} {why}", form=flag)
        for i in operands if spec.at_files else ():
            if cmd.argv[i].startswith("@"):
                out.ask(f"{cmd.name} {cmd.argv[i]} reads more arguments from a file", form="@")
        if spec.operands is None:
            return
        kind = spec.operands
        first = cmd.argv[operands[0]] if operands else ""
        if flags & set(spec.rewrite) or first in spec.rewrite:
            kind = Kind.WRITE
        if flags & set(spec.check_only):
            kind = Kind.READ
        if first in spec.subcommands:
            operands = operands[1:]
        add_paths(cmd, ctx, out, kind, operands)

    return handle


_PYTEST = Tool(writes=("--basetemp", "--junitxml", "--junit-xml", "--resultlog", "--result-log",
                       "--html", "--json-report-file", "--report-log", "--debug", "--log-file"),
               reads=("-c", "--config-file", "--confcutdir", "--rootdir"),
               values=("-k", "-m", "-p", "-o", "--override-ini", "--tb", "-W", "--maxfail",
                       "--durations", "--deselect", "--ignore", "--ignore-glob", "-n",
                       "--dist", "--cov", "--cov-report", "--log-level", "--import-mode",
                       "--capture", "--timeout"))
_CC = Tool(writes=("-o",), runs=("-wrapper", "-fplugin", "--wrapper"),
           values=("-I", "-L", "-l", "-D", "-U", "-x", "-include", "-isystem", "-MF", "-MT", "-MQ"))
_WRITES_OPERANDS = Tool(operands=Kind.WRITE, check_only=("--check", "--diff", "--check-only"),
                        values=("-l", "--line-length", "-t", "--target-version", "-c", "--code",
                                "--config", "--config-path", "--include", "--exclude",
                                "--extend-exclude", "--force-exclude", "--profile", "--settings-path",
                                "--edition", "-o"))
_WRITES_WITH_FLAG = Tool(operands=Kind.READ, rewrite=("-w", "-i", "--in-place", "--write"),
                         values=("-style", "--style", "-ln", "--language-dialect", "--max-line-length",
                                 "--indent-size", "--select", "--ignore", "-r"))
_LINT = Tool(writes=("-o", "--output-file", "--output", "--cache-location", "--cache-dir"),
             values=("-c", "--config", "--format", "-f", "--ext", "--rule", "--select",
                     "--ignore", "--extend-select", "--target-version", "--line-length",
                     "--plugin", "--parser", "--stdin-filename"),
             operands=Kind.READ, rewrite=("--fix", "--write", "-w", "--fix-only", "--unsafe-fixes",
                                          "-a", "-A", "--autocorrect", "--autocorrect-all", "format"),
             check_only=("--check", "--diff", "--list-different", "-l"),
             subcommands=("check", "format", "lint", "server", "rule", "config", "clean"))
_MYPY = Tool(writes=("--cache-dir", "--junit-xml", "--html-report", "--txt-report", "--xml-report",
                     "--linecount-report", "--any-exprs-report", "--cobertura-xml-report",
                     "--lineprecision-report", "--linecoverage-report", "--memory-xml-report"),
             reads=("--config-file",), values=("-m", "-p", "--python-version", "--exclude"),
             runs=("--python-executable",), at_files=True,
             asks=(("--install-types", "installs packages with pip"),))
_JAVAC = Tool(writes=("-d", "-s", "-h"), values=("-cp", "-classpath", "--class-path", "-source",
                                                 "-target", "--release", "-encoding", "-processorpath"))
_PANDOC = Tool(writes=("-o", "--output"), values=("-f", "-t", "--from", "--to", "--template"))
_COVERAGE = Tool(writes=("-d", "--directory", "-o", "--data-file"),
                 values=("--rcfile", "--include", "--omit", "--source", "--fail-under", "--precision"))


def _sqlite(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``sqlite3 [OPTS] DB [SQL...]``: DB is written (unless -readonly); dot-commands can run
    programs (``.shell``, ``.system``), load extensions and write files."""
    found = scan(cmd.argv, long_values=("-cmd", "-init", "-separator", "-newline", "-nullvalue",
                                        "-vfs", "-pagecache", "-lookaside", "-heap", "-mmap",
                                        "-maxsize", "-escape"))
    argv_opts = {cmd.argv[o.index] for o in found.opts}
    pos = found.positional
    if pos:
        kind = Kind.READ if "-readonly" in argv_opts or "--readonly" in argv_opts else Kind.WRITE
        out.effects.extend(ctx.file_effects(kind, cmd.argv[pos[0]], cmd.known[pos[0]], cmd.cwd,
                                            cmd.name))
    texts = [cmd.argv[i] for i in pos[1:]] + [o.value or "" for o in found.values("--cmd", "-cmd")]
    for opt in found.values("--init", "-init"):
        out.ask(f"{cmd.name} -init runs the commands of a file", form="-init")
        out.effects.extend(ctx.file_effects(Kind.READ, opt.value or "", True, cmd.cwd, cmd.name))
    for text in texts:
        for line in text.replace(";", "\n").splitlines():
            word, _, rest = line.strip().partition(" ")
            if word in (".shell", ".system"):
                out.ask(f"{cmd.name} {word} runs a shell command", form=word)
                out.inner.append(Inner(f"{cmd.name} {word}", script=rest))
            elif word in (".load", ".output", ".once", ".import", ".read", ".save", ".backup",
                          ".restore", ".open", ".excel"):
                out.ask(f"{cmd.name} {word} loads code or touches another file", form=word)


# tsc reads an option's name in any case, after "-" or "--", and its value from the next word
_TSC_WRITES = frozenset({"outfile", "outdir", "out", "declarationdir", "tsbuildinfofile",
                         "generatetrace", "generatecpuprofile"})
_TSC_READS = frozenset({"p", "project", "rootdir", "baseurl"})


def _tsc(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``tsc``: the files and folders its options write (``--outDir``, ``--generateCpuProfile``,
    ``--tsBuildInfoFile``...), ``--init`` (writes tsconfig.json) and ``@FILE`` (more options,
    read from a file the analysis does not see)."""
    argv, i = cmd.argv, 1
    while i < len(argv):
        arg = argv[i]
        name, eq, _ = arg.lstrip("-").lower().partition("=")
        at = i if eq else i + 1
        if arg.startswith("@"):
            out.ask(f"{cmd.name} {arg} reads more options from a file", form="@")
            out.effects.extend(ctx.file_effects(Kind.READ, arg[1:], cmd.known[i], cmd.cwd, cmd.name))
        elif arg.startswith("-") and name == "init":
            out.effects.extend(ctx.file_effects(Kind.WRITE, "tsconfig.json", True, cmd.cwd, cmd.name))
        elif arg.startswith("-") and (name in _TSC_WRITES or name in _TSC_READS) and at < len(argv):
            kind = Kind.WRITE if name in _TSC_WRITES else Kind.READ
            path = arg[arg.index("=") + 1:] if eq else argv[at]
            out.effects.extend(ctx.file_effects(kind, path, cmd.known[at], cmd.cwd, cmd.name))
            i = at
        i += 1


_GO_TOOL = Tool(writes=("-o", "-coverprofile", "-cpuprofile", "-memprofile", "-blockprofile",
                        "-mutexprofile", "-trace", "-outputdir"), reads=("-modfile", "-pgo"),
                values=("-run", "-bench", "-count", "-timeout", "-tags", "-ldflags", "-gcflags",
                        "-p", "-C", "-mod", "-covermode", "-coverpkg", "-parallel", "-benchtime",
                        "-cpu", "-shuffle", "-asmflags", "-buildmode", "-exec", "-toolexec",
                        "-vettool", "-overlay"))
_GO_RUNS = {"-toolexec": "runs {} for every tool invocation (compiler, linker, vet...)",
            "-exec": "runs the built program through {}", "-vettool": "runs {} as the analysis tool",
            "-overlay": "replaces source files with the files {} names"}
_GO_FILES = _tool(_GO_TOOL)
_GO_RUN_OPTIONS = frozenset(_GO_RUNS)
# variables naming programs the go command runs (cgo's compilers, the cache and auth helpers)
_GO_PROGRAMS = ("CC", "CXX", "FC", "PKG_CONFIG", "GCCGO", "CC_FOR_TARGET", "CXX_FOR_TARGET",
                "GOCACHEPROG", "GOAUTH")
_GO_ENV_RUNS = {**dict.fromkeys(_GO_PROGRAMS[:7], "is the compiler cgo runs"),
                "GOCACHEPROG": "runs as the build cache", "GOAUTH": "runs to authenticate fetches",
                "GOROOT": "holds the compiler and linker go runs",
                "GOENV": "names a settings file (GOFLAGS=-toolexec...)"}


def _go(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``go``: files its flags write, flags that run another program (``-toolexec``,
    ``-vettool``, ``-exec``; Go takes ``--flag`` for ``-flag``, and GOFLAGS adds flags), the
    programs CC/CXX/PKG_CONFIG name, and the module proxies and checksum database it reaches."""
    argv = tuple("-" + a[2:] if a.startswith("--") and len(a) > 2 else a for a in cmd.argv)
    known = cmd.known
    sub_at = 1
    while sub_at < len(argv) and argv[sub_at].startswith("-"):
        sub_at += 2 if argv[sub_at] == "-C" else 1
    sub = argv[sub_at] if sub_at < len(argv) else ""
    flags = cmd.assigns.get("GOFLAGS", "")
    if flags is None:
        out.unresolved("GOFLAGS is not statically known (it may add -toolexec)")
    elif flags and sub:
        words = tuple("-" + w[2:] if w.startswith("--") else w for w in flags.split())
        argv = argv[:sub_at + 1] + words + argv[sub_at + 1:]
        known = known[:sub_at + 1] + (True,) * len(words) + known[sub_at + 1:]
    tool = Cmd(argv, known, (False,) * len(argv), cmd.cwd, cmd.origin, cmd.stdin, cmd.assigns)
    _GO_FILES(tool, ctx, out)
    opts, _, _ = _options(argv, _GO_RUN_OPTIONS)
    for name, value, at in opts:
        out.ask(f"go {sub} {name} " + _GO_RUNS[name].format(value), form=name)
        if not known[at]:
            out.unresolved(f"go {sub} {name} names a program that is not statically known")
        if name != "-overlay":
            out.inner.append(Inner(f"go {name}", script=value))
        else:
            out.effects.extend(ctx.file_effects(Kind.READ, value, known[at], cmd.cwd, "go"))
    for var, setting in cmd.assigns.items() if sub not in _GO_LOCAL else ():
        why = _GO_ENV_RUNS.get(var) or ("passes compiler or linker options that load other code"
                                        if var.startswith("CGO_") and var.endswith("FLAGS") and
                                        (setting is None or "plugin" in setting or "-B" in setting
                                         or "wrapper" in setting) else "")
        if why:
            out.ask(f"go {sub}: {var}={setting or '?'} {why}")
            if setting and var in _GO_PROGRAMS:
                out.inner.append(Inner(f"go {var}", script=setting.removeprefix("command ")))
    _modules(cmd, ctx, out, sub, argv[sub_at + 1:])


def _goproxy(ctx: FileContext, out: Outcome, proxy: str, words: list[str]) -> None:
    hosts = [h for h in (w.split("@", 1)[0].split("/", 1)[0].lower() for w in words)
             if "." in h and h[0].isalnum()]
    for item in proxy.replace("|", ",").split(","):
        if item == "direct" and hosts:
            for host in hosts:
                net(out, host, 443, "go")
        elif item == "direct":
            unknown_net(out, ctx, "go", "GOPROXY=direct fetches modules from their own hosts")
        elif item not in ("off", ""):
            given_urls(out, [item], "go", "GOPROXY")


# variables naming the hosts the go command fetches modules and checksums from
_GO_NET = ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE")
_GO_LOCAL = frozenset({"", "version", "env", "help", "fmt", "bug", "telemetry"})


def _modules(cmd: Cmd, ctx: FileContext, out: Outcome, sub: str, args: tuple[str, ...]) -> None:
    """The module proxy (GOPROXY; ``direct``: each module's own host), the checksum database
    (GOSUMDB) and the hosts GOPRIVATE/GONOPROXY/GONOSUMDB/GOINSECURE send to directly.
    Fetching subcommands reach proxy.golang.org by default; any subcommand that loads
    modules reaches the hosts named on its command line."""
    if sub == "generate":
        out.ask("go generate runs the commands written in //go:generate comments", form="generate")
        return
    words = [a for a in args if not a.startswith("-")]
    fetches = sub in ("get", "install") or (sub == "mod" and words[:1] != [] and words[0] in
                                             ("download", "tidy", "graph", "why", "vendor")) or \
        (sub == "run" and any("@" in w for w in words)) or \
        (sub == "list" and "-m" in args and any(f in args for f in ("-u", "-versions", "-retracted")))
    if not fetches and (sub in _GO_LOCAL or not any(k in cmd.assigns for k in _GO_NET)):
        return
    proxies(cmd, out, "go")
    proxy = cmd.assigns.get("GOPROXY", "")
    if proxy == "" and fetches:
        for host in GOPROXY:
            net(out, host, 443, "go")
    elif proxy is None:
        given_urls(out, [None], "go", "GOPROXY")
    elif proxy:
        _goproxy(ctx, out, proxy, words)
    sumdb = cmd.assigns.get("GOSUMDB", "off")
    if sumdb is None or sumdb != "off":
        parts = (sumdb or "").split()
        url = parts[1] if len(parts) > 1 else "https://" + parts[0].split("+")[0] if parts else None
        given_urls(out, [url], "go", "GOSUMDB", path_ok=False)
    for var in _GO_NET[2:]:
        for pattern in (cmd.assigns[var] or "*").split(",") if var in cmd.assigns else ():
            host = pattern.split("/", 1)[0].lower()
            if any(c in host for c in "*?[\\"):
                unknown_net(out, ctx, "go", f"{var} sends the modules it matches ({pattern}) to "
                            "their own hosts")
            elif "." in host:
                net(out, host, 443, "go")


_PYTEST_FILES = _tool(_PYTEST)
_PYTEST_VALUED = frozenset(_PYTEST.writes + _PYTEST.reads + _PYTEST.values + ("--pastebin",))


def _pytest(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """pytest: its file options, and the paths that ``-o cache_dir=``/``-o log_file=`` and
    ``--cov-report=TYPE:PATH`` write; ``--pastebin`` sends the session log to bpa.st."""
    _PYTEST_FILES(cmd, ctx, out)
    opts, _, _ = _options(cmd.argv, _PYTEST_VALUED)
    for name, value, at in opts:
        ini = name in ("-o", "--override-ini")
        key, eq, path = value.partition("=" if ini else ":")
        if eq and (name == "--cov-report" or (ini and key.strip() in ("cache_dir", "log_file"))):
            out.effects.extend(ctx.file_effects(Kind.WRITE, path.strip(), cmd.known[at], cmd.cwd,
                                                cmd.name))
        elif name == "--pastebin":
            net(out, "bpa.st", 443, cmd.name)


_CARGO_FILES = _tool(Tool(writes=("--target-dir", "--artifact-dir", "--out-dir"), runs=("--config",),
                          values=("-p", "--package", "-j", "--jobs", "--features", "-F", "--target",
                                  "--manifest-path", "--profile", "-Z", "--color", "--bin",
                                  "--test", "--example", "--bench")))


def _cargo(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """cargo: its file options, and the variables that choose the programs it runs (the
    compiler, linker, test runner, a toolchain or a configuration home elsewhere)."""
    _CARGO_FILES(cmd, ctx, out)
    for var, value in cmd.assigns.items():
        if var.endswith(("RUSTFLAGS", "RUSTDOCFLAGS")) and (value is None or any(
                w in value for w in ("link", "plugin", "-Z", "codegen-backend"))):
            out.ask(f"cargo: {var} names a linker, plugin or unstable option")
        elif var in ("CARGO_HOME", "RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "RUSTC", "RUSTDOC",
                     "CARGO_BUILD_RUSTC", "CARGO_BUILD_RUSTDOC") or (var.startswith("CARGO_") and
                                                                     var.endswith(_CARGO_PROGRAMS)):
            out.ask(f"cargo runs the programs {var}={value or '?'} chooses")
        elif var in ("CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"):
            out.effects.extend(ctx.file_effects(Kind.WRITE, value or "", value is not None, cmd.cwd,
                                                cmd.name))


_CARGO_PROGRAMS = ("_RUNNER", "_LINKER", "_RUSTC", "_WRAPPER", "_RUSTDOC", "_AR")


HANDLERS: dict[str, Handler] = {
    "pytest": _pytest, "py.test": _pytest, "tsc": _tsc,
    **{name: _tool(_CC) for name in ("gcc", "cc", "g++", "c++", "clang", "clang++")},
    **{name: _tool(_WRITES_OPERANDS) for name in ("black", "isort", "rustfmt", "dos2unix",
                                                  "unix2dos")},
    **{name: _tool(_WRITES_WITH_FLAG) for name in ("autopep8", "yapf", "gofmt", "goimports", "shfmt",
                                                   "clang-format")},
    **{name: _tool(_LINT) for name in ("eslint", "ruff", "prettier", "stylelint", "biome",
                                       "rubocop", "standard")},
    "mypy": _tool(_MYPY), "javac": _tool(_JAVAC), "pandoc": _tool(_PANDOC),
    "coverage": _tool(_COVERAGE), "sqlite3": _sqlite, "sqlite": _sqlite,
    "blastshield": selfprog.blastshield,
    "go": _go,
    "cargo": _cargo,
}


def module_handler(module: str) -> Handler | None:
    """The handler for ``python -m MODULE`` (``python -m pytest``, ``-m black``...)."""
    return HANDLERS.get(module)
