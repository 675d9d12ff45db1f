"""JavaScript/TypeScript analysis: taint tracking from request data to sinks, plus pattern rules.

``analyze(path, source)`` is the one entry point the scan engine calls.
"""

from __future__ import annotations

from blastshield.scan.finding import Finding
from blastshield.scan.javascript import parse as parsing
from blastshield.scan.javascript.flow import Walker
from blastshield.scan.javascript.patterns import pattern_findings
from blastshield.scan.javascript.taint import Hit
from blastshield.scan.registry import finding
from blastshield.scan.rules import js_injection

EXTENSIONS = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")

_KIND_WORDS = {
    "cmd": "runs it as a shell command",
    "code": "evaluates it as code",
    "require": "loads it as a module",
    "sql": "runs it as SQL",
    "path": "uses it as a file path",
    "redirect": "redirects the browser to it",
    "xss": "writes it into HTML",
    "regex": "compiles it as a regular expression",
    "ssrf": "sends a request to it",
    "xpath": "evaluates it as XPath",
    "proto": "uses it as a property path, so '__proto__' reaches Object.prototype",
    "nosql": "uses it as a query value, where an object such as {$ne: null} acts as an operator",
}


def analyze(path: str, source: bytes) -> list[Finding]:
    """Findings for one JavaScript/TypeScript file; the grammar is picked by extension.

    Raises ScanError only when nothing useful could be parsed.
    """
    tree = parsing.parse(path, source)
    root = tree.root_node
    nodes = parsing.NodeIndex(root)
    bindings = parsing.module_bindings(nodes)
    hits: list[Hit] = []
    Walker(nodes, bindings, hits).run(root)
    findings = [_finding(path, hit) for hit in hits]
    findings.extend(pattern_findings(path, nodes, bindings))
    return _dedupe(findings)


def _finding(path: str, hit: Hit) -> Finding:
    spec = js_injection.BY_KIND[hit.kind]
    origin = hit.origin[:60] if hit.origin else "a non-constant value"
    if hit.confidence.rank == 2:
        source = f"request data ({origin})"
    elif hit.origin.startswith("parameter") or hit.origin == "process.argv":
        source = f"caller-controlled {origin}"
    elif hit.origin:
        source = f"a non-constant value ({origin})"
    else:
        source = "a non-constant value"
    via = f" (passed in at line {hit.via_line})" if hit.via_line else ""
    message = f"{source}{via} reaches {hit.what}, which {_KIND_WORDS[hit.kind]}"
    return finding(
        spec,
        path,
        parsing.line(hit.node),
        message,
        end_line=parsing.end_line(hit.node),
        column=hit.node.start_point[1],
        confidence=hit.confidence,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    best: dict[tuple[str, int], Finding] = {}
    for item in findings:
        key = (item.rule_id, item.line)
        if key not in best or item.confidence.rank > best[key].confidence.rank:
            best[key] = item
    return sorted(best.values(), key=lambda f: (f.line, f.rule_id))
