"""The pattern checks that concern few files, each behind a textual prefilter: THE table.

Each entry names a check (its module under ``blastshield.scan.python`` and function) and its
TRIGGERS: words of which at least one occurs, ignoring ASCII case, in the source of every
file the check can flag. A file without any of them does not import the module nor run it.

Why a trigger must be there: the checks decide from names the parser read from the source —
call names (each dotted part, and what an import maps it to, is an identifier written in the
file), attribute and parameter names — and an ASCII identifier is in the source byte for byte.
Each trigger list is derived from the module's own name lists and regular expressions
(tests/scan/python/test_py_prefilter.py checks every name they accept contains a trigger).
The one check that starts from string contents (a password inside a connection URL,
``'postgres://u:pw@host'``) triggers on ``@``, or on ``\\`` which any escape that could
spell one needs. The prefilter is off (every check runs) for sources that are not ASCII, where
the parser normalises identifiers (NFKC), and for sources with a coding declaration, whose
text may differ from the bytes.
"""

from __future__ import annotations

import importlib

from blastshield.scan.finding import Finding
from blastshield.scan.python.names import FileIndex

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from collections.abc import Callable

    Check = Callable[[FileIndex, str], list[Finding]]

# (module, check function, triggers), in the order their findings are merged (ties keep the first).
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # a route decorator (@app.route, @router.get ...) or json.dumps into a template
    ("patterns_web", "web_findings", ("route", "get", "post", "put", "delete", "patch", "dumps")),
    # URLISH names, a parsed URL's netloc/hostname, and re.compile/match/search of a host pattern
    ("patterns_hosts", "host_check_findings", (
        "url", "uri", "host", "netloc", "domain", "target", "redirect", "next", "origin", "refer", "link",
        "site", "compile", "match", "search")),
    # request.files / request.FILES, or a parameter annotated as an uploaded file
    ("patterns_upload", "upload_findings", ("files", "uploadfile", "filestorage", "uploadedfile")),
    # cipher modes and IVs, KDF salts, random.choice/sample, TLS contexts, cleartext clients, HTML regex
    # filters, cookies, and MAC/signature comparisons
    ("patterns_crypto", "crypto_findings", (
        "mode_", "modes", "pbkdf2", "scrypt", "hashpw", "choice", "sample", "wrap_socket", "context",
        "ftp", "telnet", "smtp", "pop3", "imap4", "sub", "compile", "findall", "set_cookie", "sig", "mac",
        "digest")),
    # login calls with a literal password, and passwords inside URLs ('@', or an escape spelling one)
    ("patterns_creds", "credential_findings", ("connect", "login", "bind", "auth_password", "@", "\\")),
    # os.chmod/open/mkdir/makedirs modes and archive members extracted one by one
    ("patterns_files", "file_findings", ("chmod", "open", "mkdir", "makedirs", "extract")),
    ("patterns_markdown", "markdown_findings", ("markdown",)),
    # re.compile/match/search/fullmatch/findall/finditer/sub/subn/split of a nested quantifier
    ("patterns_regex", "redos_findings", (
        "compile", "match", "search", "findall", "finditer", "sub", "split")),
)

_encoded = [(module, function, tuple(t.encode("ascii") for t in triggers))
            for module, function, triggers in CHECKS]


def filterable(source: bytes) -> bool:
    """Whether the parser's identifiers are the source's own bytes (ASCII, no coding declaration)."""
    return source.isascii() and b"coding" not in source


def optional_findings(index: FileIndex, path: str, source: bytes) -> list[Finding]:
    """The findings of every table check whose triggers occur in ``source`` (all checks when the
    source cannot be prefiltered)."""
    lowered = source.lower() if filterable(source) else None
    out: list[Finding] = []
    for module, function, triggers in _encoded:
        if lowered is not None and not any(t in lowered for t in triggers):
            continue
        check: Check = getattr(importlib.import_module(f"blastshield.scan.python.{module}"), function)
        out += check(index, path)
    return out
