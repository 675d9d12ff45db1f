"""The pattern checks that concern few files, each behind a textual prefilter: THE table.

Each entry names a check (its module under ``blastshield.scan.python`` and function) and what
the source of every file it can flag contains, ignoring ASCII case: one of its FRAGMENTS
anywhere, or one of its WORDS as a whole identifier (not inside a longer one: ``sub`` is not in
``subprocess``). A file with neither does not import the module nor run it.

Why they must be there: the checks decide from names the parser read from the source. The last
part of a call's canonical name (``re.sub``, whether written ``re.sub``, ``r.sub`` or imported
``from re import sub``) and an attribute or parameter name are whole identifiers of the file —
WORDS; a check that searches inside names (``url`` in ``next_url``) has FRAGMENTS. An ASCII
identifier is in the source byte for byte, and next to another identifier character only in
``1if``-like spellings, where the name is a keyword (none is a word here). Each list is derived
from the module's own name tables and regular expressions (tests/scan/python/test_py_prefilter.py
checks every name they accept has a trigger). The one check that starts from string contents
(a password inside a connection URL, ``'postgres://u:pw@host'``) has the fragment ``@``, and
``\\``, which any escape spelling one needs. The prefilter is off (every check runs) for sources
that are not ASCII, where the parser normalises identifiers (NFKC), and for sources with a coding
declaration, whose text may differ from the bytes.
"""

from __future__ import annotations

import importlib

from blastshield.scan.finding import Finding
from blastshield.scan.python.names import FileIndex

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from collections.abc import Callable

    Check = Callable[[FileIndex, str], list[Finding]]

# (module, check function, fragments, words), in the order their findings are merged (ties keep the
# first).
CHECKS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # a route decorator (@app.route, @router.get ...), or json.dumps into a template
    ("patterns_web", "web_findings", (), (
        "route", "api_route", "get", "post", "put", "delete", "patch", "dumps")),
    # URLISH names; a parsed URL's netloc/hostname; re.compile/match/search/fullmatch of a host pattern
    ("patterns_hosts", "host_check_findings", (
        "url", "uri", "host", "netloc", "domain", "target", "redirect", "next", "origin", "refer", "link",
        "site"), ("compile", "match", "search", "fullmatch")),
    # request.files / request.FILES, or a parameter annotated as an uploaded file
    ("patterns_upload", "upload_findings", (), (
        "files", "uploadfile", "filestorage", "uploadedfile", "inmemoryuploadedfile")),
    # cipher modes and IVs, KDF salts, random.choice/sample, TLS contexts, cleartext clients, HTML regex
    # filters, cookies; and MAC/signature names compared with ==
    ("patterns_crypto", "crypto_findings", ("mode_", "sig", "mac", "digest"), (
        "cbc", "cfb", "cfb8", "ofb", "ctr", "gcm", "xts", "pbkdf2_hmac", "pbkdf2hmac", "scrypt", "hashpw",
        "hash", "choice", "choices", "sample", "wrap_socket", "context", "sslcontext", "ftp", "telnet",
        "smtp", "pop3", "imap4", "sub", "subn", "compile", "findall", "set_cookie")),
    # login calls with a literal password; passwords inside URLs ('@', or an escape spelling one)
    ("patterns_creds", "credential_findings", ("@", "\\"), (
        "connect", "connection", "login", "starttls_login", "simple_bind_s", "simple_bind", "bind_s",
        "auth_password")),
    # os.chmod/open/mkdir/makedirs modes, and archive members extracted one by one
    ("patterns_files", "file_findings", (), ("chmod", "fchmod", "lchmod", "open", "mkdir", "makedirs",
                                             "extract")),
    ("patterns_markdown", "markdown_findings", ("markdown",), ()),
    # re.compile/match/search/... of a pattern with nested quantifiers
    ("patterns_regex", "redos_findings", (), (
        "compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split")),
)

_encoded = [(module, function, tuple(f.encode("ascii") for f in fragments),
             tuple(w.encode("ascii") for w in words)) for module, function, fragments, words in CHECKS]
_IDENTIFIER = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")


def has_word(text: bytes, word: bytes) -> bool:
    """Whether ``word`` occurs in ``text`` (lower case) as a whole identifier."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or text[at - 1] not in _IDENTIFIER) and (
                end == len(text) or text[end] not in _IDENTIFIER):
            return True
        at = text.find(word, at + 1)
    return False


def filterable(source: bytes) -> bool:
    """Whether the parser's identifiers are the source's own bytes (ASCII, no coding declaration)."""
    return source.isascii() and b"coding" not in source


def optional_findings(index: FileIndex, path: str, source: bytes) -> list[Finding]:
    """The findings of every table check whose fragments or words occur in ``source`` (all checks when
    the source cannot be prefiltered)."""
    lowered = source.lower() if filterable(source) else None
    out: list[Finding] = []
    for module, function, fragments, words in _encoded:
        if lowered is not None and not any(f in lowered for f in fragments) and not any(
                has_word(lowered, w) for w in words):
            continue
        check: Check = getattr(importlib.import_module(f"blastshield.scan.python.{module}"), function)
        out += check(index, path)
    return out
