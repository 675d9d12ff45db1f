"""Python rules that need no taint: a dangerous API or setting visible at one call."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
PY = "python"

WEAK_HASH = declare(
    "BS-PY-328", 328, Severity.MEDIUM, M, "broken hash function (MD5, SHA-1) used",
    "use hashlib.sha256 for integrity; pass usedforsecurity=False when it is only a checksum", PY)
PASSWORD_HASH = declare(
    "BS-PY-916", 916, Severity.HIGH, H, "password hashed with a fast hash",
    "hash passwords with a slow, salted KDF: hashlib.scrypt, pbkdf2_hmac (600k rounds), bcrypt, argon2",
    PY)
WEAK_RANDOM = declare(
    "BS-PY-338", 338, Severity.MEDIUM, M, "predictable random numbers used for a secret",
    "use the secrets module (secrets.token_urlsafe, secrets.choice) for tokens, keys and passwords", PY)
TLS_OFF = declare(
    "BS-PY-295", 295, Severity.HIGH, H, "TLS certificate verification turned off",
    "keep verification on; point verify= / cafile= at the right CA bundle instead", PY)
HARDCODED_SECRET = declare(
    "BS-PY-798", 798, Severity.HIGH, M, "credential written into the source code",
    "read it from the environment or a secret store (os.environ['DB_PASSWORD'])", PY)
TEMP_FILE = declare(
    "BS-PY-377", 377, Severity.MEDIUM, H, "insecure temporary file name",
    "use tempfile.NamedTemporaryFile / mkstemp / TemporaryDirectory, which create the file atomically",
    PY)
FILE_MODE = declare(
    "BS-PY-732", 732, Severity.MEDIUM, H, "file or folder made writable or readable by everyone",
    "grant only the owner (0o600 for files, 0o700 for folders)", PY)
DEBUG_MODE = declare(
    "BS-PY-489", 489, Severity.MEDIUM, H, "web application run in debug mode",
    "never ship debug=True: it exposes an interactive debugger; read the flag from configuration", PY)
JWT_NO_VERIFY = declare(
    "BS-PY-347", 347, Severity.HIGH, H, "JWT decoded without verifying its signature",
    "decode with the key and an explicit algorithms=[...] list; never verify_signature=False", PY)
UNSAFE_YAML = declare(
    "BS-PY-502-yaml", 502, Severity.HIGH, H, "YAML loaded with a loader that builds arbitrary objects",
    "use yaml.safe_load (or Loader=yaml.SafeLoader)", PY)
ARCHIVE_EXTRACT = declare(
    "BS-PY-022-archive", 22, Severity.HIGH, M, "archive extracted without checking member paths",
    "extract with tarfile's filter='data' (Python 3.12+) or check each member's resolved path", PY)
XML_PARSER = declare(
    "BS-PY-611-parser", 611, Severity.MEDIUM, M, "XML parser configured to resolve external entities",
    "use defusedxml, or lxml.etree.XMLParser(resolve_entities=False, no_network=True)", PY)
WEAK_CIPHER = declare(
    "BS-PY-327", 327, Severity.HIGH, H, "broken cipher, mode or protocol",
    "use AES-GCM or ChaCha20-Poly1305 (cryptography's AEAD classes); TLS 1.2+", PY)
WEAK_KEY = declare(
    "BS-PY-326", 326, Severity.HIGH, H, "cryptographic key too small",
    "use RSA/DSA keys of at least 2048 bits (3072 for new keys), EC curves of 256 bits", PY)
MISSING_AUTH = declare(
    "BS-PY-306", 306, Severity.HIGH, M, "sensitive web handler without any authentication check",
    "require a login (a login_required-style decorator or a session/user check) before acting", PY)
NO_TIMEOUT = declare(
    "BS-PY-400", 400, Severity.LOW, L, "HTTP request without a timeout",
    "pass timeout= so a slow server cannot hang the worker", PY)
NO_AUTOESCAPE = declare(
    "BS-PY-079-autoescape", 79, Severity.MEDIUM, H, "template engine set up without HTML autoescaping",
    "create jinja2.Environment(autoescape=select_autoescape()) or autoescape=True", PY)
INCOMPLETE_HOST_CHECK = declare(
    "BS-PY-020-host-check", 20, Severity.MEDIUM, M, "URL or host checked by substring, suffix or loose regex",
    "parse the URL (urllib.parse.urlparse) and compare hostname exactly, or with endswith('.' + domain); "
    "escape dots in host regexes and anchor them", PY)
UNRESTRICTED_UPLOAD = declare(
    "BS-PY-434", 434, Severity.HIGH, M, "uploaded file stored without checking its type",
    "check the extension against an allow-list (and the content), store under a generated name outside "
    "the web root", PY)
STATIC_IV = declare(
    "BS-PY-329", 329, Severity.HIGH, H, "constant initialisation vector or nonce",
    "generate a fresh IV/nonce per message with os.urandom() and send it with the ciphertext", PY)
STATIC_SALT = declare(
    "BS-PY-760", 760, Severity.HIGH, H, "password hashed with a constant salt",
    "use a random salt per password (os.urandom(16)) stored next to the hash", PY)
CLEARTEXT = declare(
    "BS-PY-319", 319, Severity.MEDIUM, M, "cleartext protocol used for logins or data",
    "use the TLS variant (FTP_TLS, SMTP_SSL or starttls(), IMAP4_SSL, POP3_SSL); never Telnet", PY)
REGEX_HTML_FILTER = declare(
    "BS-PY-116", 116, Severity.MEDIUM, M, "HTML filtered with a regular expression",
    "escape output (markupsafe.escape) or sanitise with an HTML parser such as bleach/nh3", PY)
COOKIE_FLAGS = declare(
    "BS-PY-614", 614, Severity.MEDIUM, M, "session cookie set without Secure or HttpOnly",
    "set_cookie(name, value, secure=True, httponly=True, samesite='Lax')", PY)
ERROR_DETAILS = declare(
    "BS-PY-209", 209, Severity.MEDIUM, M, "exception details returned to the client",
    "log the exception server-side (logger.exception) and return a generic message with an error id", PY)
JSON_IN_HTML = declare(
    "BS-PY-079-json", 79, Severity.MEDIUM, M, "JSON embedded in HTML without HTML-safe escaping",
    "escape <, > and & in the JSON before it goes into a page (Django's json_script filter, or json.dumps "
    "with an HTML-safe encoder such as JSONEncoderForHTML)", PY)
TIMING_COMPARE = declare(
    "BS-PY-208", 208, Severity.MEDIUM, M, "signature or MAC compared in non-constant time",
    "compare secrets with hmac.compare_digest(a, b) (or secrets.compare_digest)", PY)
MARKDOWN_HTML = declare(
    "BS-PY-079-markdown", 79, Severity.MEDIUM, M, "Markdown rendered to HTML with raw HTML passed through",
    "sanitise the rendered HTML (bleach.clean / nh3.clean with an allow-list) or escape the input first "
    "(markupsafe.escape); Python-Markdown and markdown2 keep raw <script> and onerror= from the text", PY)
REDOS_PATTERN = declare(
    "BS-PY-1333-redos", 1333, Severity.MEDIUM, M,
    "regular expression with nested unbounded quantifiers can backtrack catastrophically (ReDoS)",
    "remove the nesting ((a+)+ -> a+), make the repeated parts disjoint, bound the input length first, or "
    "use a linear-time engine (google-re2)", PY)
