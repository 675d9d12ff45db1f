"""Package managers: the registries they reach (honouring registry flags and variables)
and the package runners (npx, uvx, pipx run, bunx, pnpm/yarn dlx) that run code."""

from __future__ import annotations

import re
from functools import cache

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext
from blastshield.shell.netprog import (
    CRATES,
    NPM,
    PACKAGIST,
    PYPI,
    RUBYGEMS,
    YARN,
    Handler,
    net,
    unknown_net,
    url_host,
)
from blastshield.shell.opts import Scan, scan


def _hosts(out: Outcome, hosts: tuple[str, ...] | list[str], origin: str) -> None:
    for host in hosts:
        got = url_host(host) if "://" in host else (host, 443)
        if got:
            net(out, got[0], got[1], origin)


def _url_hosts(out: Outcome, values: list[str], origin: str) -> None:
    for got in (url_host(value) for value in values):
        if got:
            net(out, got[0], got[1], origin)


def _subcommand(found: Scan, cmd: Cmd) -> tuple[str, list[int]]:
    if not found.positional:
        return "", []
    first = found.positional[0]
    return cmd.argv[first], found.positional[1:]


_PIP_LONG = ("--index-url", "--extra-index-url", "--find-links", "--requirement", "--constraint",
             "--target", "--prefix", "--root", "--editable", "--src", "--trusted-host",
             "--platform", "--python-version", "--implementation", "--abi", "--cache-dir",
             "--proxy", "--timeout", "--retries", "--log", "--log-file", "--local-log",
             "--default-index", "--index", "--python", "--upgrade-strategy", "--progress-bar",
             "--only-binary", "--no-binary", "--config-settings", "--cert", "--client-cert",
             "--exists-action", "--keyring-provider", "--format", "--path", "--exclude")
# uv's own variables for pip's options (pip reads PIP_<OPTION> for every option itself)
_UV_ENV = {"UV_INDEX_URL": "--index-url", "UV_DEFAULT_INDEX": "--default-index",
           "UV_EXTRA_INDEX_URL": "--extra-index-url", "UV_INDEX": "--index",
           "UV_FIND_LINKS": "--find-links", "UV_PYTHON": "--python", "UV_CACHE_DIR": "--cache-dir"}
PROXY_ENV = frozenset({"https_proxy", "http_proxy", "all_proxy"})
# the registry (and proxy) settings npm, yarn, pnpm and bun read from the environment (any case)
_JS_REGISTRY_ENV = frozenset({"npm_config_registry", "yarn_registry", "yarn_npm_registry_server",
                              "pnpm_config_registry", "bun_config_registry"})
_JSPROXY_ENV = PROXY_ENV | {"npm_config_proxy", "npm_config_https_proxy", "yarn_proxy",
                              "yarn_https_proxy", "yarn_http_proxy", "pnpm_config_proxy",
                              "pnpm_config_https_proxy"}
_RUNNER_ENV = _JS_REGISTRY_ENV | {"pip_index_url", "uv_index_url", "uv_default_index", "uv_index"}
_JS_LONG = ("--registry", "--proxy", "--https-proxy")


def given_urls(out: Outcome, values: list[str | None], origin: str, what: str,
               scheme: str = "https", path_ok: bool = True) -> None:
    """NET effects for the index, registry or proxy addresses a command was given (a URL or
    ``host[:port]``); ask for one that cannot be read. A value that is no address is a local
    path when ``path_ok`` (``--find-links ./wheels``, ``file:///...``)."""
    for value in values:
        if value is not None:
            head, eq, rest = value.partition("=")  # uv's "name=URL"
            value = rest if eq and "://" in rest and "/" not in head else value
        got = url_host(value, scheme) if value else None
        if got:
            net(out, got[0], got[1] if got[1] is not None else 443 if scheme == "https" else 80, origin)
        elif value is None or not (path_ok or value.startswith("file:")) or \
                ("://" in value and not value.startswith("file:")):
            out.effects.append(Effect.net("<unknown>", origin=origin).with_floor(
                Verdict.ASK, f"{origin} {what} names an address that cannot be read statically"))


def proxies(cmd: Cmd, out: Outcome, origin: str, names: frozenset[str] = PROXY_ENV) -> None:
    """A proxy set on the command (``HTTPS_PROXY=URL cmd``, any case): every request goes
    through that host."""
    given_urls(out, [v for k, v in cmd.assigns.items() if k.lower() in names], origin,
               "a proxy variable", "http", path_ok=False)


def _values(cmd: Cmd, found: Scan, *names: str) -> list[str | None]:
    """Values of options, None for one that is not statically known."""
    return [o.value if cmd.known[o.value_index if o.value_index is not None else o.index] else None
            for o in found.values(*names)]


def _pip_env(cmd: Cmd) -> dict[str, list[str | None]]:
    """Options given through the environment: ``PIP_INDEX_URL`` (pip reads ``PIP_`` and the
    option's name in any case), uv's variables; list options are split on blanks."""
    got: dict[str, list[str | None]] = {}
    for key, value in cmd.assigns.items():
        name = "--" + key[4:].lower().replace("_", "-") if key.startswith("PIP_") else _UV_ENV.get(key)
        if name:
            got.setdefault(name, []).extend(value.split() if value is not None else [None])
    return got


def pip_args(cmd: Cmd, out: Outcome, start: int, origin: str, ctx: FileContext | None = None) -> None:
    """``pip SUBCOMMAND ...`` from argv index ``start`` (also used by ``python -m pip``).

    Every subcommand honours the index, find-links, proxy and trusted-host options (``pip
    list -o -i URL`` asks that index), the interpreter option (``--python X`` runs X) and
    the log and cache options (files it writes)."""
    found = scan(cmd.argv, start, short_values="rcieftp", long_values=_PIP_LONG)
    sub, rest = _subcommand(found, cmd)
    env = _pip_env(cmd)

    def given(*names: str) -> list[str | None]:
        return _values(cmd, found, *names) + [v for n in names for v in env.get(n, ())]

    proxies(cmd, out, origin)
    given_urls(out, given("--proxy"), origin, "--proxy", "http", path_ok=False)
    given_urls(out, given("--trusted-host"), origin, "--trusted-host", path_ok=False)
    index = given("-i", "--index-url", "--default-index")
    given_urls(out, index + given("--extra-index-url", "-f", "--find-links", "--index"), origin,
               "index option")
    for python in given("--python", "-p"):
        if python is None or not python.replace(".", "").isdigit():
            out.ask(f"{origin} --python runs {python or 'an interpreter'} to do the work",
                    form="--python")
            if python:
                out.inner.append(Inner(f"{origin} --python", cmd=cmd.derived((python,), origin=origin)))
    for path in given("--log", "--log-file", "--local-log", "--cache-dir"):
        if ctx is None:
            out.ask(f"{origin} writes a log or cache file where an option says")
        else:
            out.effects.extend(ctx.file_effects(Kind.WRITE, path or "", path is not None, cmd.cwd,
                                                origin))
    if sub not in ("install", "download", "wheel", "index", "search", "add", "sync", "lock",
                   "compile"):
        return
    if not index and not found.has("--no-index", "--offline") and "--no-index" not in env:
        _hosts(out, PYPI, origin)
    for i in rest:
        arg = cmd.argv[i]
        if "://" in arg:
            _url_hosts(out, [arg.split("@", 1)[1].strip() if " @ " in arg else
                             arg.split("+", 1)[-1] if arg.startswith(("git+", "hg+", "svn+")) else arg],
                       origin)


def _pip(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    pip_args(cmd, out, 1, "pip", ctx)


def _uv(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="p", long_values=("--python", "--directory", "--project"),
                 stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if not found.positional:
        return
    at = found.positional[0]
    if sub == "pip":
        pip_args(cmd, out, at + 1, "uv pip", ctx)
    elif sub in ("add", "sync", "lock"):
        pip_args(cmd.derived(("uv", "install", *cmd.argv[at + 1:]), origin=cmd.origin), out, 1, "uv",
                 ctx)
    elif sub == "tool" and len(cmd.argv) > at + 1 and cmd.argv[at + 1] in ("run", "install"):
        if cmd.argv[at + 1] == "run":
            _runner(cmd.tail(at + 2, origin="uv tool run"), out, "uv tool run", PYPI)
        else:
            _hosts(out, PYPI, "uv")


def _runner(cmd: Cmd, out: Outcome, what: str, registry: tuple[str, ...],
            short: str = "", long: tuple[str, ...] = (), start: int = 0) -> None:
    """A package runner: downloads a package and runs it. Form: the package name.

    ``start`` is where the runner's own options begin in ``cmd.argv``."""
    found = scan(cmd.argv, start, short_values=short + "p",
                 long_values=("--package", "--from", "--with", "--python", "--spec", *_JS_LONG,
                              "--index-url", "--index", "--default-index", *long),
                 stop_at_positional=True)
    packages = [o.value for o in found.values("-p", "--package", "--from", "--spec") if o.value]
    pos = found.positional
    target = cmd.argv[pos[0]] if pos else (packages[0] if packages else what)
    out.ask(f"{what} downloads and runs a package", form=target)
    for opt in found.values("-c", "--call"):
        out.inner.append(Inner(what + " -c", script=opt.value))
    _js_registry(cmd, found, out, what, registry, _RUNNER_ENV,
                 ("--registry", "--index-url", "--index", "--default-index"))


def _js_scan(cmd: Cmd, short: str, long: tuple[str, ...]) -> Scan:
    """npm-style options, ``--@scope:registry URL`` included."""
    scoped = tuple(a.partition("=")[0] for a in cmd.argv if a.startswith("--@") and
                   a.partition("=")[0].endswith(":registry"))
    return scan(cmd.argv, short_values=short, long_values=(*_JS_LONG, *long, *scoped))


def _js_registry(cmd: Cmd, found: Scan, out: Outcome, origin: str, default: tuple[str, ...],
                 env: frozenset[str] = _JS_REGISTRY_ENV, options: tuple[str, ...] = ("--registry",)
                 ) -> None:
    """The registry (``--registry``, ``--@scope:registry``, ``npm_config_registry``...) and
    the proxies of an npm, yarn, pnpm or bun command or a package runner that reaches it."""
    registry = _values(cmd, found, *options) + [v for k, v in cmd.assigns.items() if k.lower() in env]
    scoped = [o for o in found.opts if o.name.startswith("--@") and o.name.endswith(":registry")]
    given_urls(out, registry + [o.value for o in scoped], origin, "--registry", path_ok=False)
    if not registry:
        _hosts(out, default, origin)
    proxies(cmd, out, origin, _JSPROXY_ENV)
    given_urls(out, _values(cmd, found, "--proxy", "--https-proxy"), origin, "--proxy", "http",
               path_ok=False)


_GIT_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org",
              "gist": "gist.github.com"}
_JS_INSTALLS = frozenset({"install", "i", "add", "a", "in", "isntall", "it", "install-test",
                          "update", "up", "upgrade"})


@cache
def _github_shorthand() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?")


@cache
def _scp_like() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"^(?:[^@/:]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}):")


def js_specs(cmd: Cmd, ctx: FileContext, out: Outcome, indices: list[int], origin: str) -> None:
    """npm/yarn/pnpm/bun package specs that are not registry names: tarball and git URLs,
    ``github:u/r`` and ``u/r`` shorthands (GitHub), ``name@URL`` aliases, local paths."""
    for i in indices:
        spec = cmd.argv[i]
        if not cmd.known[i]:
            unknown_net(out, ctx, origin, "the package is not statically known")
            continue
        at = spec.find("@", 1)
        version = spec[at + 1:] if at > 0 else ""
        target = version if "://" in version or version.startswith(tuple(f"{h}:" for h in _GIT_HOSTS)) \
            or version.startswith("git@") else spec
        if "://" in target:
            _url_hosts(out, [target.split("+", 1)[1] if target.startswith("git+") else target], origin)
            continue
        prefix, colon, _ = target.partition(":")
        scp = _scp_like().match(target)
        if colon and prefix in _GIT_HOSTS:
            net(out, _GIT_HOSTS[prefix], 443, origin)
        elif scp is not None:
            net(out, scp.group(1).lower(), 22, origin)
        elif prefix in ("file", "link") and colon:
            out.effects.extend(ctx.file_effects(Kind.READ, target[len(prefix) + 1:], True, cmd.cwd,
                                                origin))
        elif target.startswith((".", "/", "~")):
            out.effects.extend(ctx.file_effects(Kind.READ, target, True, cmd.cwd, origin))
        elif not target.startswith("@") and _github_shorthand().fullmatch(target):
            net(out, "github.com", 443, origin)


def _npm(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _js_scan(cmd, "w", ("--workspace", "--prefix", "--tag", "--access", "--otp"))
    sub, rest = _subcommand(found, cmd)
    if sub in ("exec", "x"):
        _runner(cmd.tail(found.positional[0] + 1, origin="npm exec"), out, "npm exec", NPM, "c",
                ("--call",))
        return
    if sub in ("init", "create") and rest:
        out.ask(f"npm {sub} downloads and runs a package", form=sub)
    if sub in ("install", "i", "ci", "add", "update", "up", "upgrade", "audit", "outdated", "view",
               "info", "show", "v", "publish", "init", "create", "dedupe", "search", "pack",
               "install-test", "it", "install-ci-test", "isntall", "in", "unpublish", "deprecate",
               "dist-tag", "owner", "access", "login", "adduser", "whoami", "ping", "doctor",
               "s", "se", "find", "star", "unstar", "stars", "team", "org", "token", "profile",
               "hook", "logout", "cache", "docs", "home", "bugs", "repo", "fund", "sbom"):
        _js_registry(cmd, found, out, "npm", NPM)
        if sub in _JS_INSTALLS:
            js_specs(cmd, ctx, out, rest, "npm")


def _npx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, cmd.name, NPM, "c", ("--call",), start=1)


def _yarn(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _js_scan(cmd, "", ("--cwd",))
    sub, rest = _subcommand(found, cmd)
    if sub == "dlx":
        _runner(cmd.tail(found.positional[0] + 1, origin="yarn dlx"), out, "yarn dlx", YARN)
    elif sub == "create":
        out.ask("yarn create downloads and runs a package", form="create")
        _hosts(out, YARN, "yarn")
    elif sub in ("", "install", "add", "upgrade", "up", "outdated", "info", "npm", "publish",
                 "upgrade-interactive", "global", "why", "audit"):
        _js_registry(cmd, found, out, "yarn", YARN)
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "yarn")


def _pnpm(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _js_scan(cmd, "C", ("--dir", "--filter"))
    sub, rest = _subcommand(found, cmd)
    if sub == "dlx":
        _runner(cmd.tail(found.positional[0] + 1, origin="pnpm dlx"), out, "pnpm dlx", NPM, "c")
    elif sub == "create":
        out.ask("pnpm create downloads and runs a package", form="create")
        _hosts(out, NPM, "pnpm")
    elif sub in ("install", "i", "add", "update", "up", "upgrade", "outdated", "audit", "fetch",
                 "publish", "view", "info", "install-test", "it"):
        _js_registry(cmd, found, out, "pnpm", NPM)
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "pnpm")


def _bun(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _js_scan(cmd, "ep", ("--eval", "--print", "--cwd"))
    for opt in found.values("-e", "--eval", "-p", "--print"):
        out.ask(f"bun {opt.name} runs code given on the command line", form=opt.name)
    sub, rest = _subcommand(found, cmd)
    if sub == "x":
        _runner(cmd.tail(found.positional[0] + 1, origin="bun x"), out, "bun x", NPM)
    elif sub == "create":
        out.ask("bun create downloads and runs a package", form="create")
        _hosts(out, NPM, "bun")
    elif sub in ("install", "i", "add", "a", "update", "outdated", "publish", "pm"):
        _js_registry(cmd, found, out, "bun", NPM)
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "bun")


def _bunx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, "bunx", NPM, start=1)


def _uvx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, "uvx", PYPI, start=1)


def _pipx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if sub == "run":
        _runner(cmd.tail(found.positional[0] + 1, origin="pipx run"), out, "pipx run", PYPI)
    elif sub in ("install", "upgrade", "upgrade-all", "inject", "reinstall", "reinstall-all"):
        _hosts(out, PYPI, "pipx")
        proxies(cmd, out, "pipx")


def _poetry(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="CP", long_values=("--directory", "--project"))
    sub, _ = _subcommand(found, cmd)
    if sub in ("add", "install", "update", "lock", "search", "publish", "sync"):
        _hosts(out, PYPI, "poetry")
        proxies(cmd, out, "poetry")


def _cargo(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="Zpj", long_values=("--git", "--index", "--registry",
                                                             "--branch", "--tag", "--rev",
                                                             "--path", "--manifest-path",
                                                             "--config", "--features", "--package",
                                                             "--version", "--root", "--target"))
    sub, _ = _subcommand(found, cmd)
    if sub not in ("install", "add", "fetch", "update", "search", "publish", "generate-lockfile",
                   "login", "owner", "yank", "vendor", "info"):
        return
    _url_hosts(out, [o.value for o in found.values("--git", "--index") if o.value], "cargo")
    if not found.values("--index", "--registry") and not found.has("--offline"):
        _hosts(out, CRATES, "cargo")
    proxies(cmd, out, "cargo", PROXY_ENV | {"cargo_http_proxy"})


def _gem(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="vs", long_values=("--source", "--version",
                                                           "--install-dir"))
    sub, _ = _subcommand(found, cmd)
    if sub in ("install", "fetch", "update", "push", "search", "list", "query", "yank", "owner",
               "i") and (sub not in ("list", "query") or found.has("--remote", "-r")):
        sources = [o.value for o in found.values("-s", "--source") if o.value]
        _url_hosts(out, sources, "gem") if sources else _hosts(out, RUBYGEMS, "gem")
        proxies(cmd, out, "gem")


def _bundle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if sub in ("", "install", "update", "add", "outdated", "lock", "package", "cache"):
        _hosts(out, RUBYGEMS, "bundle")
        proxies(cmd, out, "bundle")


def _composer(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="d", long_values=("--working-dir",))
    sub, _ = _subcommand(found, cmd)
    if sub in ("install", "require", "update", "upgrade", "create-project", "outdated", "i", "u"):
        _hosts(out, PACKAGIST, "composer")
        proxies(cmd, out, "composer")


HANDLERS: dict[str, Handler] = {
    "pip": _pip, "uv": _uv, "npm": _npm, "npx": _npx, "pnpx": _npx, "yarn": _yarn,
    "pnpm": _pnpm, "bun": _bun, "bunx": _bunx, "uvx": _uvx, "pipx": _pipx, "poetry": _poetry,
    "cargo": _cargo, "gem": _gem, "bundle": _bundle, "composer": _composer,
}
