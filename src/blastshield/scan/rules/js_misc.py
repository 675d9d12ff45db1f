"""JavaScript/TypeScript rules without data flow: secrets, prototype pollution, browser and Buffer APIs."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

_JS = "javascript"

HARDCODED_SECRET = declare(
    "BS-JS-798",
    798,
    Severity.HIGH,
    Confidence.MEDIUM,
    "hard-coded credential in source code",
    "read secrets from the environment or a secret manager; rotate the exposed credential",
    _JS,
)
PROTO_POLLUTION = declare(
    "BS-JS-1321-proto-pollution",
    1321,
    Severity.HIGH,
    Confidence.MEDIUM,
    "object merged or assigned from untrusted keys can modify Object.prototype",
    "skip __proto__/constructor/prototype keys, merge into Object.create(null), or validate with a schema",
    _JS,
)
POSTMESSAGE = declare(
    "BS-JS-345-postmessage",
    345,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "postMessage to any origin ('*'), or a message listener that does not check event.origin",
    "pass the exact target origin to postMessage; check event.origin against an allow-list in listeners",
    _JS,
)
NEW_BUFFER = declare(
    "BS-JS-770-new-buffer",
    770,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "deprecated new Buffer(x): a number allocates uninitialised or huge memory",
    "use Buffer.from(value) for data and Buffer.alloc(size) for zero-filled memory",
    _JS,
)
ALLOC_UNSAFE = declare(
    "BS-JS-908-alloc-unsafe",
    908,
    Severity.LOW,
    Confidence.LOW,
    "Buffer.allocUnsafe returns uninitialised memory that may leak old data",
    "use Buffer.alloc(size), or make sure every byte is written before the buffer is read or sent",
    _JS,
)
NO_ASSERT = declare(
    "BS-JS-119-buffer-noassert",
    119,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "Buffer read/write with noAssert=true skips the bounds check",
    "drop the noAssert argument and check offsets against buffer.length",
    _JS,
)
CLEARTEXT = declare(
    "BS-JS-319",
    319,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "request over cleartext http:// to a remote host",
    "use https:// (wss:// for WebSockets)",
    _JS,
)
HOST_SUBSTRING = declare(
    "BS-JS-020-host-check",
    20,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "host name checked with a substring test (includes/indexOf/endsWith without a dot)",
    "compare new URL(x).hostname for equality, or endsWith('.' + domain) together with equality",
    _JS,
)
REDOS = declare(
    "BS-JS-1333-redos", 1333, Severity.MEDIUM, Confidence.MEDIUM,
    "regular expression with nested unbounded quantifiers can backtrack catastrophically (ReDoS)",
    "remove the nesting ((a+)+ → a+), make alternatives disjoint, bound input length, or use RE2",
    _JS)
PERMISSIVE_MODE = declare(
    "BS-JS-732", 732, Severity.MEDIUM, Confidence.MEDIUM,
    "file or directory created or chmod'ed with permissions that let other users read or write it",
    "use 0o600 for secret files and 0o700 for private directories; never grant write to others (0o002)",
    _JS)
