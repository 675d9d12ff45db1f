"""Network programs: hosts and ports from URLs and arguments, listeners, package managers
and their registries, and the package runners (npx, uvx, pipx run) that run code."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.files import FileContext
from blastshield.shell.opts import Scan, scan

Handler = Callable[[Cmd, FileContext, Outcome], None]

PYPI = ("pypi.org", "files.pythonhosted.org")
NPM = ("registry.npmjs.org",)
YARN = ("registry.yarnpkg.com",)
CRATES = ("crates.io",)
GOPROXY = ("proxy.golang.org",)
RUBYGEMS = ("rubygems.org",)
PACKAGIST = ("repo.packagist.org",)
DOWNLOADERS = frozenset({"curl", "wget", "aria2c", "http", "https", "xh", "xhs", "lynx", "w3m",
                         "links", "fetch", "lwp-request", "GET", "POST", "axel"})

_PORTS = {"http": 80, "https": 443, "ftp": 21, "ftps": 990, "ssh": 22, "sftp": 22, "scp": 22,
          "git": 9418, "rsync": 873, "ws": 80, "wss": 443, "telnet": 23, "ldap": 389,
          "gopher": 70, "dict": 2628, "smtp": 25, "imap": 143, "pop3": 110, "tftp": 69,
          "git+ssh": 22, "git+https": 443, "git+http": 80, "ssh+git": 22, "mqtt": 1883}


@cache
def _url() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#\s]*)(?::(\d+))?")


@cache
def _bare_host() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"^(?:[^@/\s]+@)?((?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+|localhost|\[[0-9a-fA-F:]+\])"
                      r"(?::(\d+))?(?:[/?#].*)?$")


def url_host(text: str, default_scheme: str = "") -> tuple[str, int | None] | None:
    """Host and port of a URL (or of ``host[:port]/path`` when ``default_scheme`` is set)."""
    m = _url().match(text)
    if m:
        scheme = m.group(1).lower()
        host = m.group(2).strip("[]")
        if not host:
            return None
        port = int(m.group(3)) if m.group(3) else _PORTS.get(scheme)
        return host.lower(), port
    if default_scheme:
        b = _bare_host().match(text)
        if b:
            port = int(b.group(2)) if b.group(2) else _PORTS.get(default_scheme)
            return b.group(1).strip("[]").lower(), port
    return None


def net(out: Outcome, host: str, port: int | None, origin: str) -> None:
    out.effects.append(Effect.net(host, port, origin=origin))


def unknown_net(out: Outcome, ctx: FileContext, origin: str, reason: str) -> None:
    out.effects.append(Effect.net("<unknown>", origin=origin).with_floor(ctx.unresolved, reason))


def listener(out: Outcome, port: int | None, origin: str, what: str) -> None:
    out.effects.append(Effect.net("0.0.0.0", port, origin=origin).with_floor(
        Verdict.ASK, f"{what} opens a listening socket"))


def add_url(cmd: Cmd, ctx: FileContext, out: Outcome, i: int, default_scheme: str = "") -> None:
    text = cmd.argv[i]
    if not cmd.known[i]:
        unknown_net(out, ctx, cmd.name, "the address is not statically known")
        return
    if text.lower().startswith("file://"):
        out.effects.extend(ctx.file_effects(Kind.READ, text[7:] or "/", True, cmd.cwd, cmd.name))
        return
    got = url_host(text, default_scheme)
    if got is not None:
        net(out, got[0], got[1], cmd.name)


def file_opt(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, kind: Kind, *names: str) -> list[str]:
    paths: list[str] = []
    for opt in found.values(*names):
        assert opt.value is not None
        known = cmd.known[opt.value_index if opt.value_index is not None else opt.index]
        out.effects.extend(ctx.file_effects(kind, opt.value, known, cmd.cwd, cmd.name))
        paths.append(opt.value)
    return paths


# ------------------------------------------------------------------ downloaders
_CURL_LONG = frozenset((
    "--url", "--output", "--upload-file", "--data", "--data-binary", "--data-raw", "--data-ascii",
    "--data-urlencode", "--form", "--form-string", "--header", "--user", "--user-agent", "--referer",
    "--request", "--proxy", "--proxy-user", "--cookie", "--cookie-jar", "--config", "--max-time",
    "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time", "--resolve", "--connect-to",
    "--cacert", "--capath", "--cert", "--key", "--cert-type", "--key-type", "--pass", "--ciphers",
    "--dump-header", "--output-dir", "--write-out", "--trace", "--trace-ascii", "--stderr",
    "--unix-socket", "--abstract-unix-socket", "--interface", "--dns-servers", "--json",
    "--limit-rate", "--max-filesize", "--range", "--continue-at", "--quote", "--time-cond",
    "--proxy-header", "--preproxy", "--socks5", "--socks5-hostname", "--socks4", "--socks4a",
    "--oauth2-bearer", "--aws-sigv4", "--netrc-file", "--tls-max", "--expect100-timeout",
    "--keepalive-time", "--local-port", "--max-redirs", "--mail-from", "--mail-rcpt", "--noproxy",
    "--variable", "--etag-save", "--etag-compare", "--hsts", "--alt-svc", "--engine", "--random-file",
))


def _curl(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="AbcdDeEFHKmoQrTuUwxXyYzCtP", long_values=_CURL_LONG)
    for i in found.positional:
        add_url(cmd, ctx, out, i, "http")
    for opt in found.values("--url", "-x", "--proxy", "--preproxy", "--socks5", "--socks5-hostname",
                            "--socks4", "--socks4a"):
        i = opt.value_index if opt.value_index is not None else opt.index
        got = url_host(opt.value or "", "http")
        if not cmd.known[i]:
            unknown_net(out, ctx, "curl", "the address is not statically known")
        elif got:
            net(out, got[0], got[1], "curl")
    for opt in found.values("--resolve", "--connect-to"):
        addr = (opt.value or "").rsplit(":", 1)[-1].strip("[]")
        if addr:
            net(out, addr, None, "curl")
    out.downloads_to.extend(file_opt(cmd, ctx, out, found, Kind.WRITE, "-o", "--output"))
    file_opt(cmd, ctx, out, found, Kind.WRITE, "-c", "--cookie-jar", "-D", "--dump-header",
              "--trace", "--trace-ascii", "--stderr", "--etag-save")
    file_opt(cmd, ctx, out, found, Kind.READ, "-T", "--upload-file", "-K", "--config",
              "--netrc-file", "-E", "--cert", "--key")
    if found.values("-K", "--config"):
        out.ask("curl reads its options (and URLs) from a file", form="-K")
    for opt in found.values("-d", "--data", "--data-binary", "--data-urlencode", "--data-ascii",
                            "--json", "-F", "--form"):
        value = opt.value or ""
        m = re.search(r"(?:^|=)[@<](.+)$", value) if opt.name in ("-F", "--form") else \
            re.search(r"(?:^|=)@(.+)$", value)
        if m:
            out.effects.extend(ctx.file_effects(Kind.READ, m.group(1), True, cmd.cwd, "curl"))
    if found.has("-O", "--remote-name", "--remote-name-all"):
        outdir = next((o.value for o in found.values("--output-dir")), None)
        for i in found.positional:
            name = cmd.argv[i].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if name:
                path = f"{outdir.rstrip('/')}/{name}" if outdir else name
                out.effects.extend(ctx.file_effects(Kind.WRITE, path, cmd.known[i], cmd.cwd, "curl"))
                out.downloads_to.append(path)


_WGET_LONG = frozenset((
    "--output-document", "--output-file", "--append-output", "--directory-prefix", "--input-file",
    "--execute", "--tries", "--timeout", "--wait", "--user-agent", "--quota", "--base", "--level",
    "--domains", "--exclude-domains", "--include-directories", "--exclude-directories", "--reject",
    "--accept", "--header", "--user", "--password", "--http-user", "--http-password", "--post-data",
    "--post-file", "--body-data", "--body-file", "--method", "--load-cookies", "--save-cookies",
    "--limit-rate", "--referer", "--ca-certificate", "--certificate", "--private-key", "--config",
    "--bind-address", "--dns-timeout", "--connect-timeout", "--read-timeout", "--waitretry",
))


def _wget(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="OoaPieTtwUQBlDXIRAb", long_values=_WGET_LONG)
    for i in found.positional:
        add_url(cmd, ctx, out, i, "http")
    for i_opt in found.values("-i", "--input-file"):
        unknown_net(out, ctx, "wget", "the URLs come from a file")
        del i_opt
    file_opt(cmd, ctx, out, found, Kind.READ, "-i", "--input-file", "--post-file", "--body-file",
              "--load-cookies", "--config", "--private-key", "--certificate")
    file_opt(cmd, ctx, out, found, Kind.WRITE, "-o", "--output-file", "-a", "--append-output",
              "--save-cookies")
    if found.values("-e", "--execute"):
        out.ask("wget -e runs a wgetrc command", form="-e")
    docs = file_opt(cmd, ctx, out, found, Kind.WRITE, "-O", "--output-document")
    out.downloads_to.extend(docs)
    if not docs:
        prefix = next((o.value for o in found.values("-P", "--directory-prefix")), None)
        for i in found.positional:
            name = cmd.argv[i].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "index.html"
            if "/" not in cmd.argv[i].split("://", 1)[-1]:
                name = "index.html"
            path = f"{prefix.rstrip('/')}/{name}" if prefix else name
            out.effects.extend(ctx.file_effects(Kind.WRITE, path, cmd.known[i], cmd.cwd, "wget"))
            out.downloads_to.append(path)


def _urls_anywhere(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """aria2c, httpie/xh, lynx, w3m: every argument that looks like a URL (or host/path)."""
    scheme = "http"
    for i in range(1, len(cmd.argv)):
        arg = cmd.argv[i]
        if arg.startswith("-") or (cmd.name in ("http", "https", "xh") and arg.isupper()):
            continue
        if "://" in arg or (i == 1 or cmd.name in ("http", "https", "xh", "xhs")):
            if not cmd.known[i]:
                unknown_net(out, ctx, cmd.name, "the address is not statically known")
                return
            got = url_host(arg, scheme) or (url_host("http://" + arg) if arg.startswith(":") else None)
            if arg.startswith(":"):
                got = ("localhost", int(arg[1:].split("/")[0]) if arg[1:].split("/")[0].isdigit() else 80)
            if got:
                net(out, got[0], got[1], cmd.name)
                if cmd.name in ("http", "https", "xh", "xhs"):
                    return


HANDLERS: dict[str, Handler] = {
    "curl": _curl, "wget": _wget, "aria2c": _urls_anywhere, "http": _urls_anywhere,
    "https": _urls_anywhere, "xh": _urls_anywhere, "xhs": _urls_anywhere, "lynx": _urls_anywhere,
    "w3m": _urls_anywhere, "links": _urls_anywhere, "axel": _urls_anywhere,
}
