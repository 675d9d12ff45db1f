"""Python rules found by taint tracking: untrusted data reaching a dangerous sink.

Each finding sets its own confidence: high when a definite source (request data, argv,
console, network) reaches the sink; medium for weaker sources (files, environment, HTTP
responses) or for a query/command/code string assembled by formatting from values we
cannot see; low for a non-constant argument with nothing else known.
"""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

H, M = Confidence.HIGH, Confidence.MEDIUM
PY = "python"

COMMAND_INJECTION = declare(
    "BS-PY-078", 78, Severity.CRITICAL, H, "OS command built from untrusted data",
    "pass an argument list without shell=True (subprocess.run([prog, arg])); never build a shell string",
    PY)
SQL_INJECTION = declare(
    "BS-PY-089", 89, Severity.HIGH, H, "SQL query built from untrusted data",
    "use a parameterised query: cursor.execute('... WHERE id = %s', (value,))", PY)
SQL_FORMATTED = declare(
    "BS-PY-089-format", 89, Severity.LOW, M, "SQL statement assembled by string formatting",
    "pass values as query parameters (cursor.execute('... WHERE id = %s', (value,))); check table and "
    "column names against an allow-list", PY)
COMMAND_FORMATTED = declare(
    "BS-PY-078-format", 78, Severity.LOW, M, "shell command line assembled by string formatting",
    "run an argument list without a shell: subprocess.run(['hg', 'log', '-r', str(rev)], check=True)", PY)
CODE_FORMATTED = declare(
    "BS-PY-094-format", 94, Severity.LOW, M, "Python code assembled by string formatting and evaluated",
    "use data structures instead of generated code: setattr(obj, f'name{i}', value), a dict, getattr", PY)
CODE_INJECTION = declare(
    "BS-PY-094", 94, Severity.CRITICAL, H, "untrusted data evaluated as Python code",
    "never eval/exec data; parse it (ast.literal_eval, json.loads) or dispatch through a dict", PY)
PATH_TRAVERSAL = declare(
    "BS-PY-022", 22, Severity.HIGH, H, "file path built from untrusted data",
    "reduce to a name (werkzeug secure_filename / os.path.basename) or resolve it and check "
    "it stays inside the base folder (os.path.realpath + os.path.commonpath)", PY)
SSRF = declare(
    "BS-PY-918", 918, Severity.HIGH, H, "outgoing request to a URL controlled by untrusted data",
    "fix the scheme and host in code, or check the parsed host against an allow-list", PY)
SSRF_PATH = declare(
    "BS-PY-918-path", 918, Severity.MEDIUM, M, "request data chooses the path of an outgoing request",
    "check the value against a strict pattern (an id: str.isdigit(), a slug: re.fullmatch) or quote it with "
    "urllib.parse.quote(value, safe='') so '../', '?' and '#' cannot reach other endpoints", PY)
OPEN_REDIRECT = declare(
    "BS-PY-601", 601, Severity.MEDIUM, H, "redirect to a URL controlled by untrusted data",
    "redirect only to relative paths or to hosts on an allow-list (check urlparse(url).netloc)", PY)
XSS = declare(
    "BS-PY-079", 79, Severity.HIGH, H, "untrusted data written into an HTML response unescaped",
    "render through an autoescaping template or escape with markupsafe.escape / html.escape", PY)
TEMPLATE_INJECTION = declare(
    "BS-PY-1336", 1336, Severity.CRITICAL, H, "untrusted data used as a template",
    "pass user data as template variables, never as the template source", PY)
XXE = declare(
    "BS-PY-611", 611, Severity.HIGH, H, "XML parsed with external entities enabled",
    "use defusedxml, or lxml with XMLParser(resolve_entities=False, no_network=True)", PY)
LDAP_INJECTION = declare(
    "BS-PY-090", 90, Severity.HIGH, H, "LDAP filter or DN built from untrusted data",
    "escape with ldap.filter.escape_filter_chars / ldap3.utils.conv.escape_filter_chars", PY)
XPATH_INJECTION = declare(
    "BS-PY-643", 643, Severity.HIGH, H, "XPath expression built from untrusted data",
    "use XPath variables: tree.xpath('//user[@name=$name]', name=value)", PY)
LOG_INJECTION = declare(
    "BS-PY-117", 117, Severity.LOW, H, "untrusted data written to a log unneutralised",
    "strip CR/LF (value.replace('\\r', '').replace('\\n', '')) or log with %r / repr()", PY)
DESERIALISATION = declare(
    "BS-PY-502-pickle", 502, Severity.HIGH, M, "untrusted data deserialised with pickle, marshal or shelve",
    "exchange data as JSON (json.loads); pickle only what this process wrote and signed", PY)
REDOS = declare(
    "BS-PY-1333", 1333, Severity.MEDIUM, H, "regular expression built from untrusted data",
    "escape user text with re.escape before putting it in a pattern", PY)
HEADER_INJECTION = declare(
    "BS-PY-113", 113, Severity.MEDIUM, H, "untrusted data written into an HTTP response header",
    "reject or strip CR/LF in header values; prefer framework helpers that validate", PY)
CSV_INJECTION = declare(
    "BS-PY-1236", 1236, Severity.MEDIUM, H, "untrusted data written into a CSV file unneutralised",
    "prefix cells that start with =, +, -, @, tab or CR with a single quote (or reject them) before "
    "writerow(); spreadsheet programs run such cells as formulas", PY)
