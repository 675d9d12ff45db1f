"""Dependency findings: declared or imported package names that imitate popular packages,
do not exist, or are brand new ("slopsquatting": assistants invent plausible names).

Offline (default) every name is compared with the bundled popular lists (deps_names).
Manifest names that are neither popular nor look-alikes are only BS-DEP-UNKNOWN (low
severity, low confidence: not shown by default), because most such names are simply
less popular. Imports are judged more carefully still: an import that resolves to a
local module, the standard library or a Node built-in is never a dependency, and an
unknown import is never reported, only a look-alike. ``online=True`` asks the registry
(deps_online) about every non-popular name: a missing name becomes BS-DEP-MISSING, a
name first published in the last 90 days BS-DEP-NEW, and a look-alike that has existed
for over a year is kept at low confidence.
"""

from __future__ import annotations

import os
import sys

from blastshield.errors import ScanError
from blastshield.scan import deps_names
from blastshield.scan.deps_manifests import PYPI, DepRef, js_imports, parse_manifest, python_imports
from blastshield.scan.finding import Confidence, Finding, Severity
from blastshield.scan.registry import finding
from blastshield.scan.rules.deps_rules import DEP_MISSING, DEP_NEW, DEP_TYPOSQUAT, DEP_UNKNOWN

NEW_PACKAGE_DAYS = 90
ESTABLISHED_DAYS = 365

# Import names whose distribution is named differently (the common mismatches).
PY_IMPORT_TO_DIST = {
    "yaml": "pyyaml", "cv2": "opencv-python", "PIL": "pillow", "sklearn": "scikit-learn",
    "skimage": "scikit-image", "bs4": "beautifulsoup4", "dateutil": "python-dateutil",
    "dotenv": "python-dotenv", "jwt": "pyjwt", "jose": "python-jose", "magic": "python-magic",
    "attr": "attrs", "google": "protobuf", "grpc": "grpcio", "Crypto": "pycryptodome",
    "Cryptodome": "pycryptodomex", "OpenSSL": "pyopenssl", "serial": "pyserial", "usb": "pyusb",
    "docx": "python-docx", "pptx": "python-pptx", "multipart": "python-multipart", "git": "gitpython",
    "github": "pygithub", "gitlab": "python-gitlab", "jenkins": "python-jenkins", "ldap": "python-ldap",
    "MySQLdb": "mysqlclient", "psycopg2": "psycopg2-binary", "pymysql": "pymysql", "zmq": "pyzmq",
    "win32api": "pywin32", "win32con": "pywin32", "pythoncom": "pywin32", "pywintypes": "pywin32",
    "fitz": "pymupdf", "Levenshtein": "python-levenshtein", "slugify": "python-slugify",
    "socketio": "python-socketio", "engineio": "python-engineio", "telegram": "python-telegram-bot",
    "discord": "discord-py", "nacl": "pynacl", "kafka": "kafka-python", "ujson": "ujson",
    "markdown": "markdown", "mpl_toolkits": "matplotlib", "pkg_resources": "setuptools",
    "setuptools": "setuptools", "_pytest": "pytest", "typing_extensions": "typing-extensions",
    "dns": "dnspython", "lxml": "lxml", "snappy": "python-snappy", "Bio": "biopython",
    "sentencepiece": "sentencepiece", "faiss": "faiss-cpu", "tensorflow_hub": "tensorflow-hub",
    "flask_cors": "flask-cors", "flask_sqlalchemy": "flask-sqlalchemy",
    "rest_framework": "djangorestframework",
    "corsheaders": "django-cors-headers", "environ": "django-environ",
    "pydantic_settings": "pydantic-settings",
    "ruamel": "ruamel-yaml", "zoneinfo": "tzdata", "websocket": "websocket-client", "jinja2": "jinja2",
    "markupsafe": "markupsafe", "itsdangerous": "itsdangerous", "werkzeug": "werkzeug",
    "googleapiclient": "google-api-python-client", "azure": "azure-core",
    "huggingface_hub": "huggingface-hub",
    "mx": "mxnet", "tree_sitter": "tree-sitter", "msgpack": "msgpack", "Xlib": "python-xlib",
}
NODE_BUILTINS = frozenset({
    "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto",
    "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector",
    "module", "net", "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl",
    "stream", "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm",
    "wasi", "worker_threads", "zlib", "test", "sqlite", "sea",
})
_LOCAL_SUFFIXES = ("", ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".json")


class DepsOutcome:
    __slots__ = ("errors", "findings")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[str] = []


def _is_local(name: str, real_path: str) -> bool:
    """True when ``name`` resolves to a module or folder beside the file or in an ancestor folder
    (or its ``src/``, ``lib/``): a project module, not a registry package."""
    folder = os.path.dirname(real_path)
    for _ in range(12):
        for base in (folder, os.path.join(folder, "src"), os.path.join(folder, "lib")):
            if any(os.path.exists(os.path.join(base, name + suffix)) for suffix in _LOCAL_SUFFIXES):
                return True
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return False


def _import_dist(ref: DepRef, real_path: str) -> str | None:
    """The distribution an import needs, or None when it needs none (stdlib, built-in, local)."""
    if ref.ecosystem == PYPI:
        if ref.name in sys.stdlib_module_names or ref.name == "__future__":
            return None
        dist = PY_IMPORT_TO_DIST.get(ref.name, ref.name)
    else:
        if ref.name in NODE_BUILTINS:
            return None
        dist = ref.name
    if deps_names.rank(dist, ref.ecosystem) is not None:
        return None
    # a module of the project (looked for first: a few stats, cheaper than the look-alike search)
    if _is_local(ref.name if ref.ecosystem == PYPI else ref.name.split("/")[0], real_path):
        return None
    if deps_names.lookalike(dist, ref.ecosystem) is None:
        return None  # unknown imports are mostly project modules: never reported
    return dist


def _typo_confidence(look: deps_names.Lookalike, via: str) -> Confidence:
    if via == "import":
        strong = look.target_rank <= 1000 and (look.kind != "typo" or look.distance == 1)
        return Confidence.MEDIUM if strong else Confidence.LOW
    limit = 5000 if look.kind != "typo" else 3000
    return Confidence.MEDIUM if look.target_rank <= limit else Confidence.LOW


def _registry(ecosystem: str) -> str:
    return "PyPI" if ecosystem == PYPI else "npm"


def _judge(path: str, ref: DepRef, dist: str, online: bool, out: DepsOutcome) -> None:
    where = "declared" if ref.via == "manifest" else "imported"
    registry = _registry(ref.ecosystem)
    look = deps_names.lookalike(dist, ref.ecosystem)
    typo_confidence = _typo_confidence(look, ref.via) if look else Confidence.LOW
    if online:
        try:
            from blastshield.scan import deps_online  # urllib only when asked to go online

            answer = deps_online.ask(dist, ref.ecosystem)
        except ScanError as exc:
            out.errors.append(exc.diagnostics())
        else:
            if not answer.exists:
                confidence = Confidence.HIGH if ref.via == "manifest" else Confidence.MEDIUM
                hint = f"; it {look.describe()}" if look else ""
                out.findings.append(finding(DEP_MISSING, path, ref.line, (
                    f"{where} package '{dist}' does not exist on {registry}{hint} — an invented name "
                    "that anyone can register and fill with malware"), confidence=confidence))
                return
            age = answer.age_days()
            if age is not None and age < NEW_PACKAGE_DAYS:
                out.findings.append(finding(DEP_NEW, path, ref.line, (
                    f"{where} package '{dist}' was first published on {registry} {int(age)} days ago — "
                    "new packages are the usual vehicle for typosquatting and slopsquatting")))
            if age is not None and age > ESTABLISHED_DAYS:
                if look is None:
                    return
                typo_confidence = Confidence.LOW
    if look is not None:
        out.findings.append(finding(DEP_TYPOSQUAT, path, ref.line, (
            f"{where} package '{dist}' {look.describe()} — a look-alike name is how typosquatted "
            "and invented packages get installed"), confidence=typo_confidence,
            severity=Severity.HIGH if typo_confidence != Confidence.LOW else Severity.MEDIUM))
    elif ref.via == "manifest" and not online:
        out.findings.append(finding(DEP_UNKNOWN, path, ref.line, (
            f"{where} package '{dist}' is not among the {len(deps_names.popular(ref.ecosystem))} most "
            f"downloaded {registry} packages; check that it exists and is the one you mean")))


def analyze(path: str, real_path: str, text: str, language: str, *, online: bool = False) -> DepsOutcome:
    """Dependency findings for one file: a manifest's declarations or a source file's imports."""
    out = DepsOutcome()
    refs = parse_manifest(path, text)
    if language == "python":
        refs += python_imports(text)
    elif language == "javascript":
        refs += js_imports(text)
    seen: set[tuple[str, str]] = set()
    for ref in refs:
        key = (ref.ecosystem, deps_names.normalize(ref.name, ref.ecosystem))
        if key in seen:
            continue
        seen.add(key)
        if ref.via == "import":
            dist = _import_dist(ref, real_path)
            if dist is None:
                continue
        else:
            dist = ref.name
            if deps_names.rank(dist, ref.ecosystem) is not None:
                continue
        _judge(path, ref, dist, online, out)
    return out

